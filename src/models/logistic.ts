import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { goldenSection } from './goldenSection.js';
import { checkedHorizon, symmetricForecast } from './intervals.js';
import { leastSquares } from './leastSquares.js';
import { fitLine } from './ols.js';
import { studentTQuantile } from './stats.js';

/** Carrying capacities tried: K = max(y)·(1 + δ), δ log-spaced over [1e-3, 10]. */
const DELTA_MIN = 1e-3;
const DELTA_MAX = 10;
const GRID = 40;

interface Curve {
  readonly K: number;
  readonly rate: number;
  readonly midpoint: number;
  readonly sse: number;
}

/**
 * For a fixed K the logistic is linear after the logit transform:
 * z = ln(y/(K-y)) = r·t - r·t0. Weighted least squares with the delta-method
 * weights (y(K-y)/K)² undoes the transform's blow-up of noise near 0 and K;
 * the SSE is then measured on the original scale so K values compare fairly.
 */
function curveForK(y: Float64Array, K: number): Curve {
  const n = y.length;
  let sw = 0;
  let swt = 0;
  let swz = 0;
  let swtt = 0;
  let swtz = 0;
  for (let t = 0; t < n; t++) {
    const v = y[t];
    const w = ((v * (K - v)) / K) ** 2;
    const z = Math.log(v / (K - v));
    sw += w;
    swt += w * t;
    swz += w * z;
    swtt += w * t * t;
    swtz += w * t * z;
  }
  const tbar = swt / sw;
  const zbar = swz / sw;
  const sxx = swtt - sw * tbar * tbar;
  const rate = sxx > 0 ? (swtz - sw * tbar * zbar) / sxx : 0;
  const midpoint = rate !== 0 ? tbar - zbar / rate : Number.NaN;
  let sse = 0;
  for (let t = 0; t < n; t++) {
    const e = y[t] - K / (1 + Math.exp(-rate * (t - midpoint)));
    sse += e * e;
  }
  return { K, rate, midpoint, sse: Number.isFinite(sse) ? sse : Number.POSITIVE_INFINITY };
}

const logistic3 = (c: Curve, t: number) => c.K / (1 + Math.exp(-c.rate * (t - c.midpoint)));

/**
 * Logistic: saturating growth y = K / (1 + e^(-r(t - t0))) with carrying
 * capacity K, rate r and midpoint t0. Choose it for adoption-style curves
 * that are visibly levelling off (a fixed user population, a cache filling
 * to its working set): it forecasts the plateau instead of running through
 * the limit like a line. It refuses series that do not show saturation yet,
 * because extrapolating a K from pure growth is guesswork.
 * Fit: grid over K plus golden-section refinement, each K solved by the
 * linearised weighted fit; intervals from the nonlinear-regression delta
 * method (residual sigma, leverage through the Jacobian in K, r, t0).
 */
export const logistic: Model = {
  alias: 'logistic',
  // three parameters, and enough points to see a curve rather than a line
  minLength: () => 10,
  fit(y: Float64Array, _ctx: FitContext): FittedModel {
    const n = y.length;
    if (n < 10) throw new ModelError('logistic', `needs at least 10 points, series has ${n}`);
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      if (!(y[i] > 0)) {
        throw new ModelError('logistic', `saturating growth needs positive values; point ${i} is ${y[i]}`);
      }
      if (y[i] > max) max = y[i];
    }
    const lnMin = Math.log(DELTA_MIN);
    const lnStep = (Math.log(DELTA_MAX) - lnMin) / (GRID - 1);
    const atDelta = (lnDelta: number) => curveForK(y, max * (1 + Math.exp(lnDelta)));
    let bestI = 0;
    let best = atDelta(lnMin);
    for (let i = 1; i < GRID; i++) {
      const c = atDelta(lnMin + i * lnStep);
      if (c.sse < best.sse) {
        best = c;
        bestI = i;
      }
    }
    if (bestI === GRID - 1) {
      throw new ModelError('logistic', 'no saturation evident: the fit keeps improving as the capacity grows without bound');
    }
    // golden-section search on ln δ between the grid neighbours of the best point
    const probes = goldenSection(lnMin + Math.max(0, bestI - 1) * lnStep, lnMin + (bestI + 1) * lnStep, atDelta, (c) => c.sse, { maxIterations: 40, tolerance: 1e-10, leftOnTie: true });
    for (const { value: c } of probes) if (c.sse < best.sse) best = c;

    if (!(best.rate > 0) || !Number.isFinite(best.midpoint)) {
      throw new ModelError('logistic', 'no saturation evident: the series is not growing');
    }
    // a line through the same data: a logistic that is not clearly better is only curve-fitting noise
    if (!(best.sse < 0.9 * fitLine(y).sse)) {
      throw new ModelError('logistic', 'no saturation evident: a straight line fits the series as well as a saturating curve');
    }
    if (best.midpoint >= n - 1) {
      throw new ModelError(
        'logistic',
        'no saturation evident: growth has not started to slow down (the inflection point lies beyond the data)',
      );
    }
    const curve = best;
    const fitted = new Float64Array(n);
    // Jacobian of f = K·s(u), u = r(t - t0), for the delta-method leverage; column-major n×3
    const J = new Float64Array(3 * n);
    const row = new Float64Array(3);
    const jacobian = (t: number, out: Float64Array) => {
      const s = 1 / (1 + Math.exp(-curve.rate * (t - curve.midpoint)));
      const ds = curve.K * s * (1 - s);
      out[0] = s;
      out[1] = ds * (t - curve.midpoint);
      out[2] = -ds * curve.rate;
    };
    for (let t = 0; t < n; t++) {
      fitted[t] = logistic3(curve, t);
      jacobian(t, row);
      J[t] = row[0];
      J[n + t] = row[1];
      J[2 * n + t] = row[2];
    }
    const lev = leastSquares(J, n, 3, new Float64Array(n));
    if (lev === undefined) {
      throw new ModelError('logistic', 'the curve is not identifiable from this series (flat or too short a bend)');
    }
    const dof = n - 3;
    const sigma = Math.sqrt(curve.sse / dof);
    return {
      alias: 'logistic',
      fitted,
      params: {
        capacity: curve.K,
        rate: curve.rate,
        midpoint: curve.midpoint,
        sigma,
        saturation: fitted[n - 1] / curve.K,
      },
      predict(h: number, levels: readonly number[]): Forecast {
        checkedHorizon(h);
        const point = new Float64Array(h);
        const sd = new Float64Array(h);
        const g0 = new Float64Array(3);
        for (let k = 0; k < h; k++) {
          point[k] = logistic3(curve, n + k);
          jacobian(n + k, g0);
          sd[k] = sigma * Math.sqrt(1 + lev.leverage(g0));
        }
        return symmetricForecast(point, sd, levels, (p) => studentTQuantile(p, dof));
      },
    };
  },
};
