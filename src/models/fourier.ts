import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { checkedHorizon, symmetricForecast } from './intervals.js';
import { leastSquares } from './leastSquares.js';
import { studentTQuantile } from './stats.js';

const MAX_HARMONICS = 3;

interface Term {
  readonly period: number;
  readonly k: number;
  /** sin(2πk/p·t) is identically 0 on integer t at the Nyquist frequency: leave it out. */
  readonly withSin: boolean;
}

/** Periods at least 2 steps long and seen at least twice; shorter/longer ones cannot be estimated. */
function usablePeriods(periods: readonly number[], n: number): number[] {
  return periods.filter((p) => Number.isFinite(p) && p >= 2 && 2 * p <= n);
}

function terms(periods: readonly number[]): Term[] {
  const out: Term[] = [];
  const freqs: number[] = [];
  for (const p of periods) {
    const K = Math.min(MAX_HARMONICS, Math.floor(p / 2));
    for (let k = 1; k <= K; k++) {
      const f = k / p;
      // 168 = 7·24: a weekly harmonic can coincide with a daily one; a duplicate column is collinear
      if (freqs.some((g) => Math.abs(g - f) < 1e-9)) continue;
      freqs.push(f);
      out.push({ period: p, k, withSin: Math.abs(f - 0.5) > 1e-12 });
    }
  }
  return out;
}

function columnCount(ts: readonly Term[]): number {
  return 2 + ts.reduce((c, t) => c + (t.withSin ? 2 : 1), 0);
}

/** Writes the design row for time index t into `row` (intercept, scaled trend, harmonics). */
function designRow(row: Float64Array, t: number, center: number, scale: number, ts: readonly Term[]): void {
  row[0] = 1;
  row[1] = (t - center) / scale;
  let c = 2;
  for (const term of ts) {
    // reduce t modulo the period first so far-future angles keep full precision
    const angle = (2 * Math.PI * term.k * (t % term.period)) / term.period;
    row[c++] = Math.cos(angle);
    if (term.withSin) row[c++] = Math.sin(angle);
  }
}

/**
 * Fourier: linear trend plus K = min(3, ⌊p/2⌋) sine/cosine pairs for every
 * seasonal period (hourly data: daily and weekly at once), by least squares.
 * Choose it for hourly/daily metrics with stable cycles layered on growth: it
 * handles several periods together, which Holt-Winters cannot, and its
 * intervals carry the OLS leverage term so trend uncertainty shows.
 * Periods not seen twice in the data are left out (recorded in params).
 */
export const fourier: Model = {
  alias: 'fourier',
  minLength(ctx: FitContext): number {
    const valid = ctx.periods.filter((p) => Number.isFinite(p) && p >= 2);
    if (valid.length === 0) return Number.POSITIVE_INFINITY;
    const pmin = Math.min(...valid);
    return Math.max(Math.ceil(2 * pmin), columnCount(terms([pmin])) + 1);
  },
  fit(y: Float64Array, ctx: FitContext): FittedModel {
    const n = y.length;
    if (!ctx.periods.some((p) => Number.isFinite(p) && p >= 2)) {
      throw new ModelError('fourier', 'no seasonal period is known for this series; use linear for a trend-only fit');
    }
    const min = fourier.minLength(ctx);
    if (n < min) {
      throw new ModelError('fourier', `needs at least ${min} points (two cycles of the shortest period), series has ${n}`);
    }
    const periods = usablePeriods(ctx.periods, n);
    const ts = terms(periods);
    const p = columnCount(ts);
    const center = (n - 1) / 2;
    const scale = Math.max(1, center);
    const X = new Float64Array(n * p);
    const row = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      designRow(row, i, center, scale, ts);
      for (let j = 0; j < p; j++) X[j * n + i] = row[j];
    }
    const ls = leastSquares(X, n, p, y);
    if (ls === undefined) {
      throw new ModelError('fourier', `seasonal terms for periods [${periods.join(', ')}] are collinear on ${n} points`);
    }
    const dof = n - p;
    const sigma = dof > 0 ? Math.sqrt(ls.sse / dof) : 0;
    return {
      alias: 'fourier',
      fitted: ls.fitted,
      params: {
        periods,
        harmonics: periods.map((per) => ts.filter((t) => t.period === per).length),
        slope: ls.coef[1] / scale,
        intercept: ls.coef[0] - (ls.coef[1] * center) / scale,
        sigma,
        terms: p,
      },
      predict(h: number, levels: readonly number[]): Forecast {
        checkedHorizon(h);
        const point = new Float64Array(h);
        const sd = new Float64Array(h);
        const x0 = new Float64Array(p);
        for (let k = 0; k < h; k++) {
          designRow(x0, n + k, center, scale, ts);
          let v = 0;
          for (let j = 0; j < p; j++) v += x0[j] * ls.coef[j];
          point[k] = v;
          sd[k] = sigma * Math.sqrt(1 + ls.leverage(x0));
        }
        return symmetricForecast(point, sd, levels, (q) => studentTQuantile(q, dof));
      },
    };
  },
};
