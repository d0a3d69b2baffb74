import {
  arFromPartials,
  difference,
  differencingPolynomial,
  invertMa,
  multiplySeasonalAr,
  multiplySeasonalMa,
  partialsFromAr,
  psiWeights,
} from './arimaPolynomials.js';
import { bfgs } from './bfgs.js';
import { nelderMead } from './optimize.js';

/**
 * Fitting one ARIMA(p,d,q)(P,D,Q)m with an optional constant (a mean when
 * d + D = 0, a drift when d + D = 1), as R's stats::arima does:
 * conditional sum of squares ("CSS") for a fast approximate fit, and exact
 * Gaussian maximum likelihood ("CSS-ML": CSS estimates as the start) through
 * a Kalman filter on Harvey's state-space form of the differenced series,
 * with the stationary initial covariance. The AR parts are kept stationary
 * by the partial-autocorrelation transform during the likelihood search.
 */
export interface ArimaOrder {
  readonly p: number;
  readonly d: number;
  readonly q: number;
  readonly P: number;
  readonly D: number;
  readonly Q: number;
  /** Seasonal period (1 when there is no seasonal part). */
  readonly m: number;
  /** Estimate a mean (d + D = 0) or drift (d + D = 1) term. */
  readonly constant: boolean;
}

export type ArimaMethod = 'CSS' | 'CSS-ML';

export interface ArimaFit {
  readonly order: ArimaOrder;
  readonly method: ArimaMethod;
  /** Non-seasonal and seasonal AR and MA coefficients (R's signs: AR 1 − Σφ B^i, MA 1 + Σθ B^j). */
  readonly ar: Float64Array;
  readonly ma: Float64Array;
  readonly sar: Float64Array;
  readonly sma: Float64Array;
  /** Mean of the differenced series: the intercept, or drift × (1 or m). 0 without a constant. */
  readonly mean: number;
  /** Number of estimated coefficients (without σ²). */
  readonly coefficients: number;
  /** Σ standardised innovations² / n over the differenced series: R's stats::arima sigma2. */
  readonly sigma2: number;
  /** Σ residuals² / (n − coefficients): what forecast::Arima and auto.arima report and use for intervals. */
  readonly sigma2Unbiased: number;
  /** Log-likelihood (exact for ML, −n/2·log σ² form for CSS), AIC and AICc. */
  readonly loglik: number;
  readonly aic: number;
  readonly aicc: number;
  /** One-step in-sample forecasts of y; NaN for the first d + D·m points (computed on first use). */
  readonly fitted: Float64Array;
  /** Forecasts of y for steps 1..h and their error sd (σ² = sigma2Unbiased unless given). */
  forecast(h: number, variance?: number): { mean: Float64Array; sd: Float64Array };
}

/** Expanded ARMA of the differenced series for one parameter vector. */
interface Arma {
  phi: Float64Array;
  theta: Float64Array;
  mean: number;
}

const MAX_PARTIAL = 8;

/** Layout of the optimiser's vector: [ar p | ma q | sar P | sma Q | mean?]. */
class Params {
  /** Reused per evaluation: the optimiser calls expand thousands of times. */
  private readonly buffers: Record<'ar' | 'ma' | 'sar' | 'sma' | 'partials', Float64Array>;
  /**
   * AR parts as partial autocorrelations (the likelihood search, kept stationary) or as raw
   * coefficients (CSS, unconstrained as in R: constraining it changes which local optimum is found).
   */
  transformed = false;
  constructor(
    readonly order: ArimaOrder,
    readonly meanStart: number,
    readonly meanScale: number,
  ) {
    this.buffers = {
      ar: new Float64Array(order.p),
      ma: new Float64Array(order.q),
      sar: new Float64Array(order.P),
      sma: new Float64Array(order.Q),
      partials: new Float64Array(Math.max(order.p, order.P)),
    };
  }
  get size(): number {
    const o = this.order;
    return o.p + o.q + o.P + o.Q + (this.hasMean ? 1 : 0);
  }
  get hasMean(): boolean {
    return this.order.constant && this.order.d + this.order.D <= 1;
  }
  /** Decodes u into coefficient arrays (fresh arrays); AR parts through the stationarity transform. */
  split(u: ArrayLike<number>): { ar: Float64Array; ma: Float64Array; sar: Float64Array; sma: Float64Array; mean: number } {
    const { p, q, P, Q } = this.order;
    const ar = new Float64Array(p);
    const sar = new Float64Array(P);
    const ma = new Float64Array(q);
    const sma = new Float64Array(Q);
    const mean = this.decode(u, ar, ma, sar, sma);
    return { ar, ma, sar, sma, mean };
  }
  private decode(u: ArrayLike<number>, ar: Float64Array, ma: Float64Array, sar: Float64Array, sma: Float64Array): number {
    const { p, q, P, Q } = this.order;
    const partials = this.buffers.partials;
    // |u| beyond 8 means a partial autocorrelation of 1 − 2e-7: the AR part is on its boundary
    const bounded = (v: number) => Math.max(-MAX_PARTIAL, Math.min(MAX_PARTIAL, v));
    if (this.transformed) {
      for (let i = 0; i < p; i++) partials[i] = bounded(u[i]);
      arFromPartials(partials, ar);
      for (let i = 0; i < P; i++) partials[i] = bounded(u[p + q + i]);
      arFromPartials(partials, sar);
    } else {
      for (let i = 0; i < p; i++) ar[i] = u[i];
      for (let i = 0; i < P; i++) sar[i] = u[p + q + i];
    }
    for (let i = 0; i < q; i++) ma[i] = u[p + i];
    for (let i = 0; i < Q; i++) sma[i] = u[p + q + P + i];
    return this.hasMean ? this.meanStart + this.meanScale * u[p + q + P + Q] : 0;
  }
  /** The expanded ARMA for u; its arrays are fresh (callers may keep them). */
  expand(u: ArrayLike<number>): Arma {
    const { ar, ma, sar, sma } = this.buffers;
    const mean = this.decode(u, ar, ma, sar, sma);
    const m = this.order.m;
    return { phi: multiplySeasonalAr(ar, sar, m), theta: multiplySeasonalMa(ma, sma, m), mean };
  }
}

/** Indices and values of the non-zero coefficients (seasonal products are sparse). */
function sparse(c: Float64Array): { idx: Int32Array; val: Float64Array } {
  let k = 0;
  for (const v of c) if (v !== 0) k++;
  const idx = new Int32Array(k);
  const val = new Float64Array(k);
  k = 0;
  for (let i = 0; i < c.length; i++) {
    if (c[i] !== 0) {
      idx[k] = i + 1;
      val[k++] = c[i];
    }
  }
  return { idx, val };
}

/** Conditional sum of squares of w − mean, conditioning on the first phi.length values. */
function cssSsq(w: Float64Array, arma: Arma, resid: Float64Array): { ssq: number; nu: number } {
  const n = w.length;
  const ncond = arma.phi.length;
  const ph = sparse(arma.phi);
  const th = sparse(arma.theta);
  let ssq = 0;
  for (let t = 0; t < Math.min(ncond, n); t++) resid[t] = 0;
  for (let t = ncond; t < n; t++) {
    let v = w[t] - arma.mean;
    for (let k = 0; k < ph.idx.length; k++) v -= ph.val[k] * (w[t - ph.idx[k]] - arma.mean);
    for (let k = 0; k < th.idx.length; k++) {
      const j = t - th.idx[k];
      if (j >= 0) v -= th.val[k] * resid[j];
    }
    resid[t] = v;
    ssq += v * v;
  }
  return { ssq, nu: n - ncond };
}

/**
 * Stationary covariance P of Harvey's state (P = T P Tᵀ + R Rᵀ, σ² = 1) in
 * O(r² + p³) instead of iterating the matrix equation: the first row is
 * Cov(w_t, α_t[k]) = Σ_{l≥k} φ_l γ(l+1−k) + R_l ψ_{l−k} from the ARMA
 * autocovariances γ and ψ-weights, and the equation itself,
 * P_ij = φ_iφ_j P_00 + φ_i P_0,j+1 + φ_j P_i+1,0 + P_i+1,j+1 + R_iR_j,
 * fills the rest diagonal by diagonal from the far corner. Returns undefined
 * for a non-stationary AR part (singular system).
 */
export function stationaryCovariance(phi: Float64Array, theta: Float64Array, r: number): Float64Array | undefined {
  const R = new Float64Array(r + 1);
  R[0] = 1;
  for (let j = 1; j < r; j++) R[j] = j <= theta.length ? theta[j - 1] : 0;
  const ph = (i: number) => (i < phi.length ? phi[i] : 0); // coefficient of lag i+1
  const gamma = arimaAutocovariance(phi, theta, r + 1);
  if (gamma === undefined) return undefined;
  const psi = psiWeights(phi, theta, r + 1);
  const P = new Float64Array(r * r);
  const at = (i: number, j: number) => (i < r && j < r ? P[i * r + j] : 0);
  for (let k = 0; k < r; k++) {
    let v = 0;
    for (let l = k; l < r; l++) v += ph(l) * gamma[l + 1 - k] + R[l] * psi[l - k];
    P[k] = v;
    P[k * r] = v;
  }
  for (let i = r - 1; i >= 1; i--) {
    for (let j = r - 1; j >= i; j--) {
      const v = ph(i) * ph(j) * P[0] + ph(i) * at(0, j + 1) + ph(j) * at(i + 1, 0) + at(i + 1, j + 1) + R[i] * R[j];
      P[i * r + j] = v;
      P[j * r + i] = v;
    }
  }
  return P;
}

/**
 * Autocovariances γ(0..lags−1) of the ARMA with unit innovation variance:
 * the first p+1 from the linear system γ(k) − Σ φ_i γ(|k−i|) = Σ_{j≥k} θ_j ψ_{j−k},
 * the rest by the AR recursion.
 */
export function arimaAutocovariance(phi: Float64Array, theta: Float64Array, lags: number): Float64Array | undefined {
  const p = phi.length;
  const q = theta.length;
  const psi = psiWeights(phi, theta, q + 1);
  const th = (j: number) => (j === 0 ? 1 : j <= q ? theta[j - 1] : 0);
  const rhs = (k: number) => {
    let v = 0;
    for (let j = k; j <= q; j++) v += th(j) * psi[j - k];
    return v;
  };
  const size = p + 1;
  const A = new Float64Array(size * size);
  const b = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    A[k * size + k] += 1;
    for (let i = 1; i <= p; i++) A[k * size + Math.abs(k - i)] -= phi[i - 1];
    b[k] = rhs(k);
  }
  const g = solveDense(A, b, size);
  if (g === undefined || !(g[0] > 0)) return undefined;
  const gamma = new Float64Array(Math.max(lags, size));
  gamma.set(g);
  for (let k = size; k < gamma.length; k++) {
    let v = rhs(k);
    for (let i = 1; i <= p; i++) v += phi[i - 1] * gamma[k - i];
    gamma[k] = v;
  }
  return gamma.subarray(0, lags);
}

/** Gaussian elimination with partial pivoting; undefined when singular. */
function solveDense(A: Float64Array, b: Float64Array, n: number): Float64Array | undefined {
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(A[i * n + c]) > Math.abs(A[piv * n + c])) piv = i;
    if (!(Math.abs(A[piv * n + c]) > 1e-12)) return undefined;
    if (piv !== c) {
      for (let j = 0; j < n; j++) [A[c * n + j], A[piv * n + j]] = [A[piv * n + j], A[c * n + j]];
      [b[c], b[piv]] = [b[piv], b[c]];
    }
    for (let i = c + 1; i < n; i++) {
      const f = A[i * n + c] / A[c * n + c];
      if (f === 0) continue;
      for (let j = c; j < n; j++) A[i * n + j] -= f * A[c * n + j];
      b[i] -= f * b[c];
    }
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let v = b[i];
    for (let j = i + 1; j < n; j++) v -= A[i * n + j] * x[j];
    x[i] = v / A[i * n + i];
  }
  return x;
}

interface KalmanResult {
  ssq: number;
  sumlog: number;
  nu: number;
  /** Filtered state a_{n|n} after the last observation. */
  state: Float64Array;
}

/**
 * Exact Gaussian likelihood pieces of the zero-mean ARMA for w − mean (σ² = 1
 * scale, concentrated out). Once the state covariance has collapsed (the
 * filter has learned the state exactly) the remaining steps take the O(r)
 * innovation recursion, which is what makes long hourly series affordable.
 */
function kalman(w: Float64Array, arma: Arma, innovations?: Float64Array): KalmanResult | undefined {
  const phi = arma.phi;
  const theta = arma.theta;
  const r = Math.max(phi.length, theta.length + 1);
  const P0 = stationaryCovariance(phi, theta, r);
  if (P0 === undefined) return undefined;
  const n = w.length;
  const R = new Float64Array(r);
  R[0] = 1;
  for (let j = 1; j < r; j++) R[j] = j <= theta.length ? theta[j - 1] : 0;
  const ph = new Float64Array(r + 1);
  ph.set(phi.subarray(0, Math.min(phi.length, r)));
  const a = new Float64Array(r);
  const anew = new Float64Array(r);
  const P = new Float64Array((r + 1) * (r + 1)); // padded: row and column r stay 0
  const w1 = r + 1;
  const Pnew = new Float64Array(r * r);
  Pnew.set(P0);
  let ssq = 0;
  let sumlog = 0;
  let fast = false;
  for (let t = 0; t < n; t++) {
    if (t > 0) {
      const a0 = a[0];
      for (let i = 0; i < r; i++) anew[i] = ph[i] * a0 + (i + 1 < r ? a[i + 1] : 0);
    } else {
      anew.fill(0);
    }
    const resid = w[t] - arma.mean - anew[0];
    if (innovations) innovations[t] = resid;
    if (fast) {
      for (let i = 0; i < r; i++) a[i] = anew[i] + R[i] * resid;
      ssq += resid * resid;
      continue;
    }
    if (t > 0) {
      // Pnew = T P Tᵀ + R Rᵀ entry by entry (T is the companion matrix): O(r²), symmetric
      const p00 = P[0];
      for (let i = 0; i < r; i++) {
        const pi = ph[i];
        const pRow = P[(i + 1) * w1];
        for (let j = i; j < r; j++) {
          const v = pi * ph[j] * p00 + pi * P[j + 1] + ph[j] * pRow + P[(i + 1) * w1 + j + 1] + R[i] * R[j];
          Pnew[i * r + j] = v;
          Pnew[j * r + i] = v;
        }
      }
    }
    const gain = Pnew[0];
    if (!(gain > 0)) return undefined;
    ssq += (resid * resid) / gain;
    sumlog += Math.log(gain);
    const scale = resid / gain;
    for (let i = 0; i < r; i++) a[i] = anew[i] + Pnew[i * r] * scale;
    let maxDiag = 0;
    for (let i = 0; i < r; i++) {
      const ki = Pnew[i * r] / gain;
      for (let j = i; j < r; j++) {
        const v = Pnew[i * r + j] - ki * Pnew[j * r];
        P[i * w1 + j] = v;
        P[j * w1 + i] = v;
      }
      if (P[i * w1 + i] > maxDiag) maxDiag = P[i * w1 + i];
    }
    if (maxDiag < 1e-12) fast = true;
  }
  return { ssq, sumlog, nu: n, state: a };
}

const LOG_2PI = Math.log(2 * Math.PI);

/** BFGS as R's arima; Nelder–Mead only if the gradient search cannot start (an infinite neighbour). */
function minimise(f: (u: Float64Array) => number, start: Float64Array, forward = false): Float64Array {
  if (start.length === 0) return start;
  const quasiNewton = bfgs(f, start, { forward });
  if (quasiNewton.evaluations > 2 * start.length + 1) return quasiNewton.x;
  return nelderMead(f, start, { step: 0.1, maxEvals: 150 * start.length + 100, ftol: 1e-10, xtol: 1e-7 }).x;
}

/**
 * Fits the order to y, or returns undefined when the fit fails (too few
 * points, a non-stationary AR part from CSS, a filter that diverges): the
 * order search then treats the model as unavailable, as R's auto.arima does.
 */
export function fitArima(y: Float64Array, order: ArimaOrder, method: ArimaMethod): ArimaFit | undefined {
  const { d, D, m } = order;
  const w = difference(y, d, D, m);
  const N = w.length;
  let wMean = 0;
  for (const v of w) wMean += v;
  wMean /= Math.max(1, N);
  let wVar = 0;
  for (const v of w) wVar += (v - wMean) ** 2;
  const wSd = Math.sqrt(wVar / Math.max(1, N - 1)) || Math.abs(wMean) || 1;
  const params = new Params(order, wMean, (10 * wSd) / Math.sqrt(Math.max(1, N)));
  const k = params.size;
  const pTot = order.p + order.P * m;
  if (N - pTot <= k || N < 2) return undefined;

  const resid = new Float64Array(N);
  const cssObjective = (u: Float64Array) => {
    const { ssq, nu } = cssSsq(w, params.expand(u), resid);
    if (ssq === 0) return -1e300; // an exact fit
    return ssq > 0 && Number.isFinite(ssq) ? 0.5 * Math.log(ssq / nu) : Number.POSITIVE_INFINITY; // R's scale: O(1) gradients
  };
  let u = minimise(cssObjective, new Float64Array(k), false);
  let arma = params.expand(u);
  let usedMethod: ArimaMethod = 'CSS';
  const r = Math.max(arma.phi.length, arma.theta.length + 1);
  if (method === 'CSS-ML' && r <= MAX_ML_STATE) {
    // as R: a non-stationary CSS AR part fails the model; a non-invertible CSS MA part is reflected
    const { p, q, P, Q } = order;
    const arPartials = partialsFromAr(u.subarray(0, p));
    const sarPartials = partialsFromAr(u.subarray(p + q, p + q + P));
    if (arPartials === undefined || sarPartials === undefined) return undefined;
    u = Float64Array.from(u);
    u.set(arPartials, 0);
    u.set(sarPartials, p + q);
    params.transformed = true;
    u.set(invertMa(u.subarray(p, p + q)), p);
    u.set(invertMa(u.subarray(p + q + P, p + q + P + Q)), p + q + P);
    const mlObjective = (v: Float64Array) => {
      const res = kalman(w, params.expand(v));
      if (res === undefined || !(res.ssq > 0)) return Number.POSITIVE_INFINITY;
      return 0.5 * (Math.log(res.ssq / res.nu) + res.sumlog / res.nu);
    };
    const uMl = minimise(mlObjective, u);
    if (Number.isFinite(mlObjective(uMl))) {
      u = uMl;
      arma = params.expand(u);
      usedMethod = 'CSS-ML';
    } else {
      return undefined;
    }
  }
  // the filter's state and innovations: needed for ML scores, and for any fit's fitted values and forecasts
  let filtered: { kal: KalmanResult; innovations: Float64Array } | undefined;
  const filter = () => {
    if (filtered === undefined) {
      const innovations = new Float64Array(N);
      const kal = kalman(w, arma, innovations);
      if (kal === undefined) throw new RangeError(`ARIMA state filter failed for ${JSON.stringify(order)}`);
      filtered = { kal, innovations };
    }
    return filtered;
  };

  const npar = k + 1;
  let loglik: number;
  let sigma2: number;
  // R's residuals are innovations standardised by the filter's gain (ML) or the CSS residuals
  let residualSsq: number;
  if (usedMethod === 'CSS-ML') {
    let kal: KalmanResult;
    try {
      kal = filter().kal;
    } catch {
      return undefined;
    }
    sigma2 = kal.ssq / N;
    residualSsq = kal.ssq;
    loglik = -0.5 * (N * Math.log(sigma2) + kal.sumlog + N + N * LOG_2PI);
  } else {
    const css = cssSsq(w, arma, resid);
    sigma2 = css.ssq / css.nu;
    residualSsq = css.ssq;
    // R's approximation: AIC = N·log σ²_CSS + 2·npar (its constant offset does not change a ranking)
    loglik = -0.5 * N * Math.log(sigma2);
  }
  if (!Number.isFinite(loglik)) return undefined;
  const aic = -2 * loglik + 2 * npar;
  const aicc = N - npar - 1 > 0 ? aic + (2 * npar * (npar + 1)) / (N - npar - 1) : Number.POSITIVE_INFINITY;
  const sigma2Unbiased = residualSsq / Math.max(1, N - k);

  const diffs = d + D * m;
  let fitted: Float64Array | undefined;
  const split = params.split(u);
  const delta = differencingPolynomial(d, D, m);
  const fullAr = multiplyAr(arma.phi, delta);
  return {
    order,
    method: usedMethod,
    ar: split.ar,
    ma: split.ma,
    sar: split.sar,
    sma: split.sma,
    mean: arma.mean,
    coefficients: k,
    sigma2,
    sigma2Unbiased,
    loglik,
    aic,
    aicc,
    get fitted(): Float64Array {
      if (fitted === undefined) {
        const { innovations } = filter();
        fitted = new Float64Array(y.length).fill(Number.NaN);
        for (let t = 0; t < N; t++) fitted[t + diffs] = y[t + diffs] - innovations[t];
      }
      return fitted;
    },
    forecast(h: number, variance = sigma2Unbiased) {
      const finalState = filter().kal.state;
      const mean = new Float64Array(h);
      const rr = finalState.length;
      let a = Float64Array.from(finalState);
      let next = new Float64Array(rr);
      const history = Array.from(y);
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < rr; j++) next[j] = (j < arma.phi.length ? arma.phi[j] : 0) * a[0] + (j + 1 < rr ? a[j + 1] : 0);
        [a, next] = [next, a];
        let x = a[0] + arma.mean;
        for (let j = 0; j < delta.length; j++) x += delta[j] * history[history.length - 1 - j];
        history.push(x);
        mean[i] = x;
      }
      const psi = psiWeights(fullAr, arma.theta, h);
      const sd = new Float64Array(h);
      let acc = 0;
      for (let i = 0; i < h; i++) {
        acc += psi[i] * psi[i];
        sd[i] = Math.sqrt(variance * acc);
      }
      return { mean, sd };
    },
  };
}

/**
 * Above this state dimension the exact likelihood costs too much per
 * evaluation for fleet use (hourly seasonal orders reach 50+); those fits
 * keep their CSS estimates, which for such long series differ from ML by
 * far less than the estimation error.
 */
const MAX_ML_STATE = 30;

/** AR coefficients of (1 − Σ a_i B^i)(1 − Σ b_i B^i). */
function multiplyAr(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  for (let i = 0; i < a.length; i++) out[i] += a[i];
  for (let j = 0; j < b.length; j++) {
    out[j] += b[j];
    for (let i = 0; i < a.length; i++) out[i + j + 1] -= a[i] * b[j];
  }
  return out;
}

/** Partial-autocorrelation coordinates of a fit's AR parts (for tests and restarts). */
export function arIsStationary(ar: Float64Array): boolean {
  return partialsFromAr(ar) !== undefined;
}
