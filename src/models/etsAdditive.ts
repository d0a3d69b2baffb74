import { hwVarianceMultipliers } from './holtWinters.js';
import { fitLine } from './ols.js';
import { nelderMead } from './optimize.js';

/**
 * Non-seasonal exponential smoothing with additive errors, ETS(A,N,N),
 * ETS(A,A,N) and ETS(A,Ad,N), estimated as R's forecast::ets does: the
 * smoothing parameters and the initial level and slope by maximum likelihood
 * (n·log SSE), within R's "usual" bounds (1e-4 ≤ β ≤ α ≤ 0.9999,
 * 0.8 ≤ φ ≤ 0.98), and the form chosen by AICc. This is what stlf and mstl
 * forecasts run on the seasonally adjusted series. Unlike the `damped` model
 * (heuristic start, SSE only), the initial state is estimated, which is what
 * makes its forecasts comparable with R's.
 */
export type EtsTrend = 'N' | 'A' | 'Ad';

export interface AdditiveEtsFit {
  readonly trend: EtsTrend;
  readonly alpha: number;
  readonly beta: number;
  readonly phi: number;
  /** Final level and slope. */
  readonly level: number;
  readonly slope: number;
  /** SSE / (n − number of estimated parameters), as R. */
  readonly sigma2: number;
  readonly aicc: number;
  readonly fitted: Float64Array;
  /** Point forecasts and error sd for steps 1..h. */
  forecast(h: number): { mean: Float64Array; sd: Float64Array };
}

const A_MIN = 1e-4;
const A_MAX = 0.9999;
const PHI_MIN = 0.8;
const PHI_MAX = 0.98;

const sigmoid = (u: number) => 1 / (1 + Math.exp(-u));
const logit = (p: number) => Math.log(p / (1 - p));

interface Decoded {
  alpha: number;
  beta: number;
  phi: number;
  l0: number;
  b0: number;
}

/** Fits one trend form; `y` must have at least 4 points (5 for a trend). */
export function fitAdditiveEts(y: Float64Array, trend: EtsTrend): AdditiveEtsFit {
  const n = y.length;
  const hasTrend = trend !== 'N';
  const damped = trend === 'Ad';
  // start as R's initstate: a line through the first (up to) 10 points
  const head = fitLine(y, 0, Math.min(10, n));
  const l0Start = hasTrend ? head.intercept : y[0];
  const b0Start = hasTrend ? head.slope : 0;
  let spread = 0;
  for (let t = 1; t < n; t++) spread += Math.abs(y[t] - y[t - 1]);
  const scale = spread / Math.max(1, n - 1) || Math.abs(l0Start) * 1e-3 || 1;

  const decode = (u: ArrayLike<number>, out: Decoded) => {
    out.alpha = A_MIN + (A_MAX - A_MIN) * sigmoid(u[0]);
    let i = 1;
    out.beta = hasTrend ? A_MIN + (out.alpha - A_MIN) * sigmoid(u[i++]) : 0;
    out.phi = damped ? PHI_MIN + (PHI_MAX - PHI_MIN) * sigmoid(u[i++]) : 1;
    out.l0 = l0Start + scale * u[i++];
    out.b0 = hasTrend ? b0Start + (scale / 10) * u[i++] : 0;
  };
  const d: Decoded = { alpha: 0, beta: 0, phi: 1, l0: 0, b0: 0 };
  const objective = (u: Float64Array) => {
    decode(u, d);
    return etsPass(y, d).sse;
  };
  const start = [logit((0.2 - A_MIN) / (A_MAX - A_MIN))];
  if (hasTrend) start.push(logit(0.1));
  if (damped) start.push(logit((0.97 - PHI_MIN) / (PHI_MAX - PHI_MIN)));
  start.push(0);
  if (hasTrend) start.push(0);
  const first = nelderMead(objective, start, { step: 0.5, maxEvals: 250 * start.length, ftol: 1e-10, xtol: 1e-7 });
  const second = nelderMead(objective, first.x, { step: 0.1, maxEvals: 250 * start.length, ftol: 1e-10, xtol: 1e-7 });
  decode(second.f <= first.f ? second.x : first.x, d);
  const params = { ...d };
  const fitted = new Float64Array(n);
  const pass = etsPass(y, params, fitted);
  const k = start.length; // α (β, φ), ℓ0 (b0)
  const sse = pass.sse;
  const loglik = -0.5 * n * (Math.log((2 * Math.PI * sse) / n) + 1);
  const npar = k + 1; // + σ²
  const aicc = -2 * loglik + 2 * npar + (n - npar - 1 > 0 ? (2 * npar * (npar + 1)) / (n - npar - 1) : Number.POSITIVE_INFINITY);
  const sigma2 = sse / Math.max(1, n - k);
  return {
    trend,
    alpha: params.alpha,
    beta: params.beta,
    phi: params.phi,
    level: pass.level,
    slope: pass.slope,
    sigma2,
    aicc: sse > 0 ? aicc : Number.NEGATIVE_INFINITY,
    fitted,
    forecast(h: number) {
      const mean = new Float64Array(h);
      let phiSum = 0;
      let phiPow = 1;
      for (let i = 0; i < h; i++) {
        phiPow *= params.phi;
        phiSum += hasTrend ? phiPow : 0;
        mean[i] = pass.level + phiSum * pass.slope;
      }
      const v = hwVarianceMultipliers({ alpha: params.alpha, beta: params.beta, gamma: 0, phi: params.phi }, 1, false, h);
      const sd = v.map((x) => Math.sqrt(sigma2 * x));
      return { mean, sd };
    },
  };
}

/** One filter pass: ŷ = ℓ + φb, ℓ ← ℓ + φb + αe, b ← φb + βe. */
function etsPass(y: Float64Array, p: Decoded, fitted?: Float64Array): { sse: number; level: number; slope: number } {
  const n = y.length;
  let l = p.l0;
  let b = p.b0;
  let sse = 0;
  for (let t = 0; t < n; t++) {
    const yhat = l + p.phi * b;
    if (fitted) fitted[t] = yhat;
    const e = y[t] - yhat;
    sse += e * e;
    l = yhat + p.alpha * e;
    b = p.phi * b + p.beta * e;
  }
  return { sse, level: l, slope: b };
}

/**
 * Fits ETS(A,N,N), ETS(A,A,N) and ETS(A,Ad,N) (trend forms only when there
 * are enough points for their parameters) and keeps the lowest AICc.
 */
export function autoAdditiveEts(y: Float64Array): AdditiveEtsFit {
  const forms: EtsTrend[] = y.length >= 8 ? ['N', 'A', 'Ad'] : ['N'];
  let best: AdditiveEtsFit | undefined;
  for (const f of forms) {
    const fit = fitAdditiveEts(y, f);
    if (best === undefined || fit.aicc < best.aicc) best = fit;
  }
  return best!;
}
