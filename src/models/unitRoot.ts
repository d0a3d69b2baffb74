import { mstl, seasonalStrength } from './stl.js';

/**
 * How many differences a series needs before an ARMA fits it, decided as R's
 * forecast::ndiffs / nsdiffs do by default: repeated KPSS tests for first
 * differences, the MSTL seasonal-strength heuristic for a seasonal one.
 */

/** R's is.constant: every value equal to the first within all.equal's relative 1.5e-8. */
export function isConstant(y: ArrayLike<number>): boolean {
  if (y.length === 0) return true;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < y.length; i++) {
    diff += Math.abs(y[i] - y[0]);
    scale += Math.abs(y[0]);
  }
  return scale > 0 ? diff / scale < 1.5e-8 : diff < 1.5e-8;
}

/**
 * KPSS level-stationarity statistic (Kwiatkowski et al. 1992) with a
 * Bartlett-weighted long-run variance over `lags` lags, as urca::ur.kpss
 * type "mu".
 */
export function kpssStatistic(y: ArrayLike<number>, lags: number): number {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) e[i] = y[i] - mean;
  let s = 0;
  let eta = 0;
  for (let i = 0; i < n; i++) {
    s += e[i];
    eta += s * s;
  }
  eta /= n * n;
  let lrv = 0;
  for (let i = 0; i < n; i++) lrv += e[i] * e[i];
  for (let l = 1; l <= lags; l++) {
    let c = 0;
    for (let t = l; t < n; t++) c += e[t] * e[t - l];
    lrv += 2 * (1 - l / (lags + 1)) * c;
  }
  lrv /= n;
  return lrv > 0 ? eta / lrv : 0;
}

/** KPSS 5% critical value for level stationarity (Kwiatkowski et al. 1992, Table 1). */
const KPSS_CRITICAL_5PCT = 0.463;

/** Number of first differences (0..maxD) until KPSS no longer rejects stationarity at 5%. */
export function ndiffs(y: ArrayLike<number>, maxD = 2): number {
  let x = Float64Array.from(y);
  let d = 0;
  if (isConstant(x)) return d;
  const rejects = (v: Float64Array) => v.length > 1 && kpssStatistic(v, Math.trunc((3 * Math.sqrt(v.length)) / 13)) > KPSS_CRITICAL_5PCT;
  let dodiff = rejects(x);
  while (dodiff && d < maxD) {
    d++;
    const next = new Float64Array(x.length - 1);
    for (let t = 0; t < next.length; t++) next[t] = x[t + 1] - x[t];
    x = next;
    if (isConstant(x)) return d;
    dodiff = rejects(x);
  }
  return d;
}

/** Seasonal strength above which R's nsdiffs takes a seasonal difference (Wang, Smith & Hyndman 2006). */
const SEASONAL_STRENGTH_THRESHOLD = 0.64;

/** 1 when the STL seasonal strength at period m exceeds 0.64, else 0 (R nsdiffs, test "seas", max.D 1). */
export function nsdiffs(y: Float64Array, m: number): number {
  if (m < 2 || isConstant(y) || y.length <= 2 * m) return 0;
  const fit = mstl(y, [m]);
  if (fit.seasonals.length === 0) return 0;
  return seasonalStrength(fit)[0] > SEASONAL_STRENGTH_THRESHOLD ? 1 : 0;
}
