import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { checkedHorizon, symmetricForecast } from './intervals.js';
import { nelderMead } from './optimize.js';
import { adjust, decompose, reseason, seasonalByAcf, thetaPeriod } from './theta.js';

/**
 * dotm: the Dynamic Optimised Theta Model (Fiorucci, Pellegrini, Louzada,
 * Petropoulos & Koehler 2016), as R's forecTheta::dotm. The theta line's
 * intercept A_t and slope B_t are refitted by OLS at every step (so the
 * trend follows a change of slope instead of keeping the whole history's),
 * the level is smoothed with α, and θ weighs the two:
 *   μ_{t+1} = ℓ_t + (1 − 1/θ)(A_t(1−α)^t + B_t(1 − (1−α)^{t+1})/α).
 * ℓ0, α ∈ [0.1, 0.99] and θ ≥ 1 minimise the squared one-step errors from
 * the third point on. Seasonal series (a 90% autocorrelation test at lag m,
 * m ≥ 3) are adjusted by classical multiplicative decomposition first.
 * forecTheta draws its intervals by simulation; ours are exact for the same
 * linear recursion: the forecast error at step h is the noise propagated
 * through the recursion, Var = σ²(1 + Σ g_{h,j}²), σ the residual sd.
 */
export const dotm: Model = {
  alias: 'dotm',
  minLength: () => MIN_POINTS,
  fit(y: Float64Array, ctx: FitContext): FittedModel {
    const n = y.length;
    if (n < MIN_POINTS) throw new ModelError('dotm', `needs at least ${MIN_POINTS} points, series has ${n}`);
    const m = thetaPeriod(ctx);
    // forecTheta's seasonal test is thetaf's with the 95% normal quantile rounded to 1.64.
    const season = m >= 3 && n > 2 * m && seasonalByAcf(y, m, 1.64) ? decompose(y, m) : undefined;
    const x = season === undefined ? y : adjust(y, season);
    let cte = 0;
    for (const v of x) cte += Math.abs(v);
    cte = cte / n || 1;

    const mu = new Float64Array(n);
    const objective = (u: Float64Array) => {
      const p = decode(u, y[0]);
      run(x, p, mu);
      let s = 0;
      for (let t = 2; t < n; t++) s += ((x[t] - mu[t]) / cte) ** 2;
      return s;
    };
    // forecTheta starts at ℓ0 = y1/2, α = 0.5, θ = 2
    const res = nelderMead(objective, [0, 0, 0], { step: 0.5, maxEvals: 1500, ftol: 1e-10, xtol: 1e-8 });
    const again = nelderMead(objective, res.x, { step: 0.1, maxEvals: 1500, ftol: 1e-10, xtol: 1e-8 });
    const p = decode(again.f <= res.f ? again.x : res.x, y[0]);
    const state = run(x, p, mu);
    let mean = 0;
    for (let t = 2; t < n; t++) mean += x[t] - mu[t];
    mean /= n - 2;
    let ss = 0;
    for (let t = 2; t < n; t++) ss += (x[t] - mu[t] - mean) ** 2;
    const sigma = Math.sqrt(ss / Math.max(1, n - 3));
    const fitted = Float64Array.from(mu, (v, t) => (season === undefined ? v : reseason(v, season, t)));

    return {
      alias: 'dotm',
      fitted,
      params: { ell0: p.ell0, alpha: p.alpha, theta: p.theta, sigma, seasonal: season !== undefined, ...(season ? { period: m } : {}) },
      predict(h: number, levels: readonly number[]): Forecast {
        checkedHorizon(h);
        const path = forecastPath(state, p, n, h);
        const sd = errorSd(p, n, h, sigma);
        const point = Float64Array.from(path, (v, k) => (season === undefined ? v : reseason(v, season, n + k)));
        if (season?.kind === 'multiplicative') for (let k = 0; k < h; k++) sd[k] *= season.figure[(n + k) % season.figure.length];
        return symmetricForecast(point, sd, levels);
      },
    };
  },
};

const MIN_POINTS = 5;

interface DotmParams {
  ell0: number;
  alpha: number;
  theta: number;
}

interface DotmState {
  ell: number;
  meanY: number;
  A: number;
  B: number;
}

/** Unconstrained coordinates → forecTheta's box: α ∈ [0.1, 0.99], θ ≥ 1, ℓ0 around y1/2. */
function decode(u: ArrayLike<number>, y1: number): DotmParams {
  const scale = Math.abs(y1) / 2 || 1;
  return {
    ell0: y1 / 2 + scale * u[0],
    alpha: 0.1 + 0.89 / (1 + Math.exp(-u[1])),
    theta: 1 + Math.exp(u[2]), // u = 0: θ = 2, forecTheta's start
  };
}

/** Runs the recursion over x, writing one-step forecasts μ_t into mu; returns the state after x[n−1]. */
function run(x: Float64Array, p: DotmParams, mu: Float64Array): DotmState {
  const n = x.length;
  const { alpha, theta } = p;
  const w = 1 - 1 / theta;
  let ell = alpha * x[0] + (1 - alpha) * p.ell0;
  let meanY = x[0];
  let A = x[0];
  let B = 0;
  mu[0] = x[0];
  let decay = 1 - alpha; // (1−α)^i for i = 1
  for (let i = 1; i < n; i++) {
    mu[i] = ell + w * (A * decay + (B * (1 - decay * (1 - alpha))) / alpha);
    const yi = x[i];
    ell = alpha * yi + (1 - alpha) * ell;
    const prevMean = meanY;
    meanY = (i * meanY + yi) / (i + 1);
    B = ((i - 1) * B + (6 * (yi - prevMean)) / (i + 1)) / (i + 2);
    A = meanY - (B * (i + 2)) / 2;
    decay *= 1 - alpha;
  }
  return { ell, meanY, A, B };
}

/** The recursion continued with the forecasts as observations (forecTheta's computeForec). */
function forecastPath(s: DotmState, p: DotmParams, n: number, h: number): Float64Array {
  const { alpha, theta } = p;
  const w = 1 - 1 / theta;
  let { ell, meanY, A, B } = s;
  const out = new Float64Array(h);
  for (let k = 0; k < h; k++) {
    const i = n + k; // forecTheta's i, 1-based count of points seen
    const decay = Math.pow(1 - alpha, i);
    const yi = ell + w * (A * decay + (B * (1 - decay * (1 - alpha))) / alpha);
    out[k] = yi;
    ell = alpha * yi + (1 - alpha) * ell;
    const prevMean = meanY;
    meanY = (i * meanY + yi) / (i + 1);
    B = ((i - 1) * B + (6 * (yi - prevMean)) / (i + 1)) / (i + 2);
    A = meanY - (B * (i + 2)) / 2;
  }
  return out;
}

/**
 * Error sd per step. The recursion is linear in the observations: with the
 * state s = (ℓ, mean, B) (A = mean − B(i+1)/2), y_i = c_i·s + e_i and
 * s' = M_i s + g_i e_i, so the state covariance propagates in O(1) per step,
 * P' = M P Mᵀ + g gᵀ, and Var(y_i) = σ²(c_i P c_iᵀ + 1), from P = 0 at the
 * forecast origin.
 */
function errorSd(p: DotmParams, n: number, h: number, sigma: number): Float64Array {
  const { alpha, theta } = p;
  const w = 1 - 1 / theta;
  let P = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const sd = new Float64Array(h);
  for (let k = 0; k < h; k++) {
    const i = n + k;
    const d = Math.pow(1 - alpha, i);
    const c = [1, w * d, w * ((-d * (i + 1)) / 2 + (1 - d * (1 - alpha)) / alpha)];
    let cPc = 0;
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) cPc += c[a] * P[a * 3 + b] * c[b];
    sd[k] = sigma * Math.sqrt(cPc + 1);
    const M = [
      alpha * c[0] + (1 - alpha), alpha * c[1], alpha * c[2],
      c[0] / (i + 1), (c[1] + i) / (i + 1), c[2] / (i + 1),
      (6 * c[0]) / (i + 1) / (i + 2), (6 * (c[1] - 1)) / (i + 1) / (i + 2), (i - 1 + (6 * c[2]) / (i + 1)) / (i + 2),
    ];
    const g = [alpha, 1 / (i + 1), 6 / ((i + 1) * (i + 2))];
    const next = new Array<number>(9).fill(0);
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        let v = g[a] * g[b];
        for (let x = 0; x < 3; x++) for (let y = 0; y < 3; y++) v += M[a * 3 + x] * P[x * 3 + y] * M[b * 3 + y];
        next[a * 3 + b] = v;
      }
    }
    P = next;
  }
  return sd;
}
