import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { checkedHorizon, symmetricForecast } from './intervals.js';
import { goldenSection } from './goldenSection.js';
import { fitLine } from './ols.js';
import { isConstant } from './unitRoot.js';

/**
 * The standard Theta method (Assimakopoulos & Nikolopoulos 2000), winner of
 * the M3 competition, in Hyndman & Billah's (2003) form used by R's
 * forecast::thetaf: simple exponential smoothing plus a drift of half the
 * series' OLS slope, ŷ_{n+h} = ℓ_n + (b/2)·(h − 1 + (1 − (1−α)^n)/α), on
 * the seasonally adjusted series when a 90% autocorrelation test at lag m
 * finds seasonality (classical multiplicative decomposition). Intervals are
 * thetaf's: SES's σ·√(1 + (h−1)α²).
 */
export const theta: Model = {
  alias: 'theta',
  minLength: () => MIN_POINTS,
  fit(y: Float64Array, ctx: FitContext): FittedModel {
    const n = y.length;
    if (n < MIN_POINTS) throw new ModelError('theta', `needs at least ${MIN_POINTS} points, series has ${n}`);
    const m = thetaPeriod(ctx);
    const season = m > 1 && n > 2 * m && !isConstant(y) && seasonalByAcf(y, m) ? decompose(y, m) : undefined;
    const x = season === undefined ? y : adjust(y, season);
    const ses = fitSes(x);
    const drift = fitLine(x).slope / 2;
    const alpha = Math.max(1e-10, ses.alpha);
    const lag = (1 - Math.pow(1 - alpha, n)) / alpha;
    const fitted = new Float64Array(n);
    for (let t = 0; t < n; t++) fitted[t] = season === undefined ? ses.fitted[t] : reseason(ses.fitted[t], season, t);
    return {
      alias: 'theta',
      fitted,
      params: {
        alpha,
        drift,
        level: ses.level,
        sigma: Math.sqrt(ses.sigma2),
        seasonal: season !== undefined,
        ...(season !== undefined ? { period: m, decomposition: season.kind } : {}),
      },
      predict(h: number, levels: readonly number[]): Forecast {
        checkedHorizon(h);
        const point = new Float64Array(h);
        const sd = new Float64Array(h);
        for (let k = 0; k < h; k++) {
          const adjusted = ses.level + drift * (k + lag);
          point[k] = season === undefined ? adjusted : reseason(adjusted, season, n + k);
          // as thetaf: the spread of the adjusted series, not rescaled by the seasonal index
          sd[k] = Math.sqrt(ses.sigma2 * (1 + k * alpha * alpha));
        }
        return symmetricForecast(point, sd, levels);
      },
    };
  },
};

const MIN_POINTS = 4;

/** Seasonal period for Theta: the first context period of at least 2 steps, else 1. */
export function thetaPeriod(ctx: FitContext): number {
  const p = ctx.periods.find((v) => Number.isFinite(v) && Math.round(v) >= 2);
  return p === undefined ? 1 : Math.round(p);
}

/** thetaf's test: |r_m| > critical·√((1 + 2Σ_{k<m} r_k²)/n), r the sample autocorrelations (critical 1.645, one-sided 5%). */
export function seasonalByAcf(y: Float64Array, m: number, critical = 1.6448536269514722): boolean {
  const n = y.length;
  let mean = 0;
  for (const v of y) mean += v;
  mean /= n;
  let c0 = 0;
  for (const v of y) c0 += (v - mean) * (v - mean);
  if (!(c0 > 0)) return false;
  const r = (k: number) => {
    let c = 0;
    for (let t = k; t < n; t++) c += (y[t] - mean) * (y[t - k] - mean);
    return c / c0;
  };
  let sum = 0;
  for (let k = 1; k < m; k++) sum += r(k) ** 2;
  const stat = Math.sqrt((1 + 2 * sum) / n);
  return Math.abs(r(m)) / stat > critical;
}

export interface ClassicalSeason {
  readonly kind: 'multiplicative' | 'additive';
  /** Seasonal index per phase, phase 0 being the first observation. */
  readonly figure: Float64Array;
}

/**
 * Classical decomposition's seasonal figure (R's decompose): a centred
 * moving average of order m (2×m when m is even) as trend, the mean
 * detrended value per phase, normalised. Multiplicative as thetaf, unless
 * the series touches zero or below, where ratios are meaningless and the
 * additive figure is used instead.
 */
export function decompose(y: Float64Array, m: number): ClassicalSeason | undefined {
  const n = y.length;
  const half = Math.floor(m / 2);
  const trend = new Float64Array(n).fill(Number.NaN);
  let positive = true;
  for (let t = half; t < n - half; t++) {
    let v = 0;
    if (m % 2 === 0) {
      v += 0.5 * (y[t - half] + y[t + half]);
      for (let j = -half + 1; j < half; j++) v += y[t + j];
    } else {
      for (let j = -half; j <= half; j++) v += y[t + j];
    }
    trend[t] = v / m;
    if (!(trend[t] > 0) || y[t] < 0) positive = false;
  }
  const kind = positive ? 'multiplicative' : 'additive';
  const sums = new Float64Array(m);
  const counts = new Float64Array(m);
  for (let t = half; t < n - half; t++) {
    sums[t % m] += kind === 'multiplicative' ? y[t] / trend[t] : y[t] - trend[t];
    counts[t % m]++;
  }
  const figure = new Float64Array(m);
  let mean = 0;
  for (let i = 0; i < m; i++) {
    figure[i] = counts[i] > 0 ? sums[i] / counts[i] : kind === 'multiplicative' ? 1 : 0;
    mean += figure[i] / m;
  }
  for (let i = 0; i < m; i++) figure[i] = kind === 'multiplicative' ? figure[i] / mean : figure[i] - mean;
  // thetaf falls back to the non-seasonal method when an index is near zero
  if (kind === 'multiplicative' && figure.some((f) => Math.abs(f) < 1e-4)) return undefined;
  return { kind, figure };
}

/** The series with the seasonal figure taken out (divided or subtracted, by its kind). */
export function adjust(y: Float64Array, s: ClassicalSeason): Float64Array {
  const m = s.figure.length;
  return y.map((v, t) => (s.kind === 'multiplicative' ? v / s.figure[t % m] : v - s.figure[t % m]));
}

/** A seasonally adjusted value at phase `t` with the figure put back. */
export function reseason(v: number, s: ClassicalSeason, t: number): number {
  const f = s.figure[t % s.figure.length];
  return s.kind === 'multiplicative' ? v * f : v + f;
}

export interface SesFit {
  readonly alpha: number;
  readonly level: number;
  /** SSE / (n − 2): α and ℓ0 are estimated, as R's ets. */
  readonly sigma2: number;
  readonly fitted: Float64Array;
}

/**
 * Simple exponential smoothing (ETS(A,N,N)) by least squares over α ∈
 * [1e-4, 0.9999] and ℓ0, as R's ses (its likelihood is n·log SSE). For a
 * fixed α every one-step error is linear in ℓ0, so ℓ0 has a closed form and
 * only α is searched: a grid, then golden-section refinement.
 */
export function fitSes(y: Float64Array): SesFit {
  const n = y.length;
  const sseAt = (alpha: number) => sesPass(y, alpha).sse;
  const lo = 1e-4;
  const hi = 0.9999;
  let bestA = lo;
  let bestF = Number.POSITIVE_INFINITY;
  const GRID = 25;
  for (let i = 0; i <= GRID; i++) {
    const a = lo + ((hi - lo) * i) / GRID;
    const f = sseAt(a);
    if (f < bestF) {
      bestF = f;
      bestA = a;
    }
  }
  const [c, d] = goldenSection(Math.max(lo, bestA - (hi - lo) / GRID), Math.min(hi, bestA + (hi - lo) / GRID), sseAt, (f) => f, { maxIterations: 60, tolerance: 1e-9, leftOnTie: false });
  const alpha = [{ x: bestA, value: bestF }, c, d].reduce((x, z) => (z.value < x.value ? z : x)).x;
  const pass = sesPass(y, alpha);
  return { alpha, level: pass.level, sigma2: pass.sse / Math.max(1, n - 2), fitted: pass.fitted };
}

/** One SES pass at α with the SSE-optimal ℓ0: e_t = a_t − c_t·ℓ0 with c_t = (1−α)^t. */
function sesPass(y: Float64Array, alpha: number): { sse: number; level: number; fitted: Float64Array } {
  const n = y.length;
  // errors with ℓ0 = 0, and their sensitivity to ℓ0
  let level = 0;
  let decay = 1;
  let num = 0;
  let den = 0;
  for (let t = 0; t < n; t++) {
    const e = y[t] - level;
    num += e * decay;
    den += decay * decay;
    level += alpha * e;
    decay *= 1 - alpha;
  }
  const l0 = den > 0 ? num / den : y[0];
  const fitted = new Float64Array(n);
  let l = l0;
  let sse = 0;
  for (let t = 0; t < n; t++) {
    fitted[t] = l;
    const e = y[t] - l;
    sse += e * e;
    l += alpha * e;
  }
  return { sse, level: l, fitted };
}
