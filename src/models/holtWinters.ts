import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FittedModel } from './Model.js';
import { checkedHorizon, symmetricForecast } from './intervals.js';
import { fitLine } from './ols.js';
import { nelderMead } from './optimize.js';

/**
 * Shared engine of the exponential-smoothing models (damped, ets_add,
 * ets_mul): damped-trend Holt–Winters in error-correction form (Hyndman et
 * al. 2008, "Forecasting with Exponential Smoothing", Table 2.3):
 *   ŷ = ℓ + φb (+ s | × s),  e = y - ŷ,
 *   ℓ ← ℓ + φb + αe (/s),  b ← φb + βe (/s),  s ← s + γe (/(ℓ+φb)).
 * One engine so the three models share initialisation, constraints and
 * interval maths instead of drifting apart.
 */
export type Seasonality = 'none' | 'additive' | 'multiplicative';

/** Smoothing parameters; β and γ are in error-correction form (β ≤ α, γ ≤ 1 - α). */
export interface HwParams {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly phi: number;
}

/** Filter state: level, trend and one seasonal index per phase (t mod m). */
export interface HwState {
  level: number;
  trend: number;
  readonly season: Float64Array;
}

/**
 * Runs the filter over y from `init`, writing the final state into `out`
 * (whose season array is overwritten) and one-step forecasts into `fitted`
 * when given. Returns the SSE, or Infinity when a multiplicative state turns
 * non-positive (the optimiser then avoids those parameters).
 */
export function hwFilter(
  y: Float64Array,
  kind: Seasonality,
  p: HwParams,
  init: HwState,
  out: HwState,
  fitted?: Float64Array,
): number {
  const { alpha, beta, gamma, phi } = p;
  const season = out.season;
  season.set(init.season);
  const m = season.length;
  let level = init.level;
  let trend = init.trend;
  let sse = 0;
  let phase = 0;
  for (let t = 0; t < y.length; t++) {
    const base = level + phi * trend;
    const s = season[phase];
    let yhat: number;
    let e: number;
    if (kind === 'multiplicative') {
      if (!(base > 0 && s > 0)) return Number.POSITIVE_INFINITY;
      yhat = base * s;
      e = y[t] - yhat;
      level = base + (alpha * e) / s;
      trend = phi * trend + (beta * e) / s;
      season[phase] = s + (gamma * e) / base;
    } else if (kind === 'additive') {
      yhat = base + s;
      e = y[t] - yhat;
      level = base + alpha * e;
      trend = phi * trend + beta * e;
      season[phase] = s + gamma * e;
    } else {
      yhat = base;
      e = y[t] - yhat;
      level = base + alpha * e;
      trend = phi * trend + beta * e;
    }
    if (fitted !== undefined) fitted[t] = yhat;
    sse += e * e;
    if (++phase === m) phase = 0;
  }
  out.level = level;
  out.trend = trend;
  return sse;
}

/**
 * Heuristic initial state (Hyndman et al. 2008 §2.6.1 style): a line through
 * the first points for level/trend; without seasonality OLS on the first 10
 * points, with it the means of the first two seasons and a classical
 * decomposition for the indices (normalised to sum 0 / mean 1). Fixed rather
 * than optimised to keep the search at 3–4 dimensions.
 */
export function hwInitialState(y: Float64Array, kind: Seasonality, m: number): HwState {
  if (kind === 'none') {
    const line = fitLine(y, 0, Math.min(y.length, 10));
    // state "at t = -1", so the first one-step forecast is the line's value at t = 0
    return { level: line.intercept - line.slope, trend: line.slope, season: new Float64Array(1) };
  }
  let mean1 = 0;
  let mean2 = 0;
  for (let i = 0; i < m; i++) {
    mean1 += y[i] / m;
    mean2 += y[i + m] / m;
  }
  let trend = (mean2 - mean1) / m;
  const centre = (t: number) => mean1 + trend * (t - (m - 1) / 2);
  if (kind === 'multiplicative' && !(centre(0) > 0 && centre(2 * m - 1) > 0)) trend = 0;
  const season = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    season[i] =
      kind === 'additive'
        ? (y[i] - centre(i) + y[i + m] - centre(i + m)) / 2
        : (y[i] / centre(i) + y[i + m] / centre(i + m)) / 2;
  }
  let mean = 0;
  for (let i = 0; i < m; i++) mean += season[i] / m;
  for (let i = 0; i < m; i++) season[i] = kind === 'additive' ? season[i] - mean : season[i] / mean;
  return { level: centre(-1), trend, season };
}

const sigmoid = (u: number) => 1 / (1 + Math.exp(-u));
const logit = (p: number) => Math.log(p / (1 - p));

/** φ is kept in [0.8, 0.98] (Hyndman & Athanasopoulos, fpp3 §8.2): below damps too fast, above is Holt. */
export const PHI_MIN = 0.8;
export const PHI_MAX = 0.98;

/**
 * Maps unconstrained optimiser coordinates to admissible parameters, so the
 * search never leaves the usual region 0 < β < α < 1, 0 < γ < 1 - α.
 */
function toParams(u: Float64Array, seasonal: boolean, out: { alpha: number; beta: number; gamma: number; phi: number }) {
  out.alpha = 1e-4 + (1 - 2e-4) * sigmoid(u[0]);
  out.beta = out.alpha * sigmoid(u[1]);
  out.phi = PHI_MIN + (PHI_MAX - PHI_MIN) * sigmoid(u[2]);
  out.gamma = seasonal ? (1 - out.alpha) * sigmoid(u[3]) : 0;
}

/** Cap on SSE evaluations: each is one O(n) pass, and 3–4 parameters converge well within it. */
const MAX_EVALS = 250;

/** Fits α, β, φ (and γ) by minimising the one-step SSE from the heuristic initial state. */
export function hwOptimize(y: Float64Array, kind: Seasonality, init: HwState): { params: HwParams; evaluations: number } {
  const seasonal = kind !== 'none';
  const scratch: HwState = { level: 0, trend: 0, season: new Float64Array(init.season.length) };
  const p = { alpha: 0, beta: 0, gamma: 0, phi: 0 };
  const start = seasonal ? [logit(0.3), logit(0.1), logit(0.5), logit(0.1)] : [logit(0.3), logit(0.1), logit(0.5)];
  const res = nelderMead(
    (u) => {
      toParams(u, seasonal, p);
      return hwFilter(y, kind, p, init, scratch);
    },
    start,
    { step: 1, maxEvals: MAX_EVALS, ftol: 1e-7, xtol: 1e-4 },
  );
  toParams(res.x, seasonal, p);
  return { params: { ...p }, evaluations: res.evaluations };
}

/**
 * Multipliers v_h with Var(h-step error) = σ²·v_h for the linear (class 1)
 * ETS models: v_h = 1 + Σ_{j=1}^{h-1} c_j², c_j = α + βφ_j + γ·[j ≡ 0 mod m],
 * φ_j = φ + … + φ^j (Hyndman et al. 2008, Table 6.1). O(h) by running sums.
 */
export function hwVarianceMultipliers(p: HwParams, m: number, seasonal: boolean, h: number): Float64Array {
  const v = new Float64Array(h);
  let sum = 1;
  let phiJ = 0;
  let phiPow = 1;
  for (let k = 0; k < h; k++) {
    v[k] = sum; // v for step h = k+1 uses c_1..c_k
    const j = k + 1;
    phiPow *= p.phi;
    phiJ += phiPow;
    const c = p.alpha + p.beta * phiJ + (seasonal && j % m === 0 ? p.gamma : 0);
    sum += c * c;
  }
  return v;
}

/**
 * Fits the engine and wraps it as a FittedModel. For multiplicative
 * seasonality the error scale is relative (ETS(M,Ad,M)), and the interval uses
 * the small-σ approximation Var ≈ ŷ_h²·σ²_rel·v_h (Hyndman et al. 2008 §6.4),
 * which keeps the band proportional to the seasonal peak it sits on.
 */
export function fitHoltWinters(alias: string, y: Float64Array, kind: Seasonality, m: number): FittedModel {
  const n = y.length;
  const init = hwInitialState(y, kind, m);
  const { params, evaluations } = hwOptimize(y, kind, init);
  const final: HwState = { level: 0, trend: 0, season: new Float64Array(init.season.length) };
  const fitted = new Float64Array(n);
  const sse = hwFilter(y, kind, params, init, final, fitted);
  if (!Number.isFinite(sse)) {
    throw new ModelError(alias, 'the smoothing filter diverged (level or seasonal index became non-positive)');
  }
  // free parameters: α, β, φ (+γ) and the initial states ℓ, b (+ m-1 seasonal indices)
  const k = kind === 'none' ? 5 : 6 + (m - 1);
  const dof = Math.max(1, n - k);
  let scale: number;
  if (kind === 'multiplicative') {
    let rel = 0;
    for (let t = 0; t < n; t++) {
      const r = (y[t] - fitted[t]) / fitted[t];
      rel += r * r;
    }
    scale = Math.sqrt(rel / dof);
  } else {
    scale = Math.sqrt(sse / dof);
  }
  const seasonal = kind !== 'none';
  const out: Record<string, number | number[]> = {
    alpha: params.alpha,
    beta: params.beta,
    phi: params.phi,
    level: final.level,
    trend: final.trend,
    sigma: scale,
    evaluations,
  };
  if (seasonal) {
    out.gamma = params.gamma;
    out.period = m;
  }
  return {
    alias,
    fitted,
    params: out,
    predict(h: number, levels: readonly number[]): Forecast {
      checkedHorizon(h);
      const point = new Float64Array(h);
      const sd = new Float64Array(h);
      const v = hwVarianceMultipliers(params, m, seasonal, h);
      let phiH = 0;
      let phiPow = 1;
      for (let i = 0; i < h; i++) {
        phiPow *= params.phi;
        phiH += phiPow;
        const base = final.level + phiH * final.trend;
        const s = final.season[(n + i) % final.season.length];
        point[i] = kind === 'multiplicative' ? base * s : kind === 'additive' ? base + s : base;
        sd[i] = (kind === 'multiplicative' ? Math.abs(point[i]) : 1) * scale * Math.sqrt(v[i]);
      }
      return symmetricForecast(point, sd, levels);
    },
  };
}
