/** A change in the trend's slope (growth that sped up or slowed down), found in the history. */
export interface SlopeChange {
  /** Index of the first point of the new regime. */
  readonly index: number;
  /** Trend per step before and after. */
  readonly slopeBefore: number;
  readonly slopeAfter: number;
  /** Standard error of the new slope (per step): few points since the change mean an uncertain trend. */
  readonly slopeAfterSe: number;
}

/** Where in the series a change may start, as a share of its length: the recent half. */
const RECENT_SHARE = 0.5;

/**
 * Default penalty: a change must cut the residual sum of squares by this many × log(n) noise variances,
 * each variance inflated for the residuals' autocorrelation (see `longRunInflation`) up to
 * `MAX_INFLATION` times. Wandering residuals (usage often wanders, and curvature the one bend cannot draw
 * looks the same) keep the former flat charge of 12 × log(n); nearly independent ones get a lower bar,
 * down to 4 × log(n), where the flat charge missed clear recent bends. On simulated straight lines (30–400
 * points) none of 1,200 with independent noise shows a change, under 1% with AR(1) noise of ρ = 0.3, and
 * from 60 points on about as few as under the flat charge for ρ up to 0.9.
 */
export const SLOPE_CHANGE_PENALTY = 4;

/** The inflation is capped: 4 × 3 is the flat charge of 12 × log(n) that serves wandering and short series. */
const MAX_INFLATION = 3;

/**
 * Finds the one change of slope that best explains the series as a
 * continuous broken line (a hinge: a + b·t + c·max(0, t − τ)), with the
 * seasonal profile removed first. It counts only when it cuts the residual
 * sum of squares by more than `penalty` × log(n) residual variances (a
 * BIC-style charge), each variance inflated by (1 + ρ)/(1 − ρ), at most
 * 3×, for the lag-1 autocorrelation ρ of the broken line's residuals: a
 * wandering series bends by chance far more often than an independent one,
 * so noise is not a changepoint, while a clean bend in independent noise is
 * not held to the wanderer's bar. The new regime must hold at least
 * `minSegment` points. Only the recent half is searched, and a jump (a step
 * the same line explains better) is not a change of slope.
 * O(n) with suffix sums.
 */
export function detectSlopeChange(y: Float64Array, period = 1, penalty = SLOPE_CHANGE_PENALTY, minSegment = 10): SlopeChange | null {
  const n = y.length;
  if (n < Math.max(20, 2 * minSegment)) return null;
  const z = deseasonalise(y, period);
  // Time scaled to [0, 1] keeps the normal equations well conditioned.
  const scale = 1 / (n - 1);
  const suf = { n: new Float64Array(n + 1), t: new Float64Array(n + 1), tt: new Float64Array(n + 1), y: new Float64Array(n + 1), ty: new Float64Array(n + 1) };
  for (let i = n - 1; i >= 0; i--) {
    const t = i * scale;
    suf.n[i] = suf.n[i + 1] + 1;
    suf.t[i] = suf.t[i + 1] + t;
    suf.tt[i] = suf.tt[i + 1] + t * t;
    suf.y[i] = suf.y[i + 1] + z[i];
    suf.ty[i] = suf.ty[i + 1] + t * z[i];
  }
  let yy = 0;
  for (let i = 0; i < n; i++) yy += z[i] * z[i];
  const N = n;
  const St = suf.t[0];
  const Stt = suf.tt[0];
  const Sy = suf.y[0];
  const Sty = suf.ty[0];
  // The straight line (no change).
  const det2 = N * Stt - St * St;
  const b0 = (N * Sty - St * Sy) / det2;
  const a0 = (Sy - b0 * St) / N;
  const rss0 = yy - a0 * Sy - b0 * Sty;
  let best: { rss: number; index: number; a: number; b: number; c: number } | null = null;
  let bestStep = Infinity;
  // The latest regime: changes in the recent half only (older bends are the models' business, and
  // straightening them would hide a saturation's curve from the models that can draw it).
  const from = Math.max(minSegment, Math.floor(n * RECENT_SHARE));
  for (let i = from; i <= n - minSegment; i++) {
    const tau = i * scale;
    const Su = suf.t[i] - tau * suf.n[i];
    const Sut = suf.tt[i] - tau * suf.t[i];
    const Suu = suf.tt[i] - 2 * tau * suf.t[i] + tau * tau * suf.n[i];
    const Suy = suf.ty[i] - tau * suf.y[i];
    const beta = solve3([N, St, Su, St, Stt, Sut, Su, Sut, Suu], [Sy, Sty, Suy]);
    if (!beta) continue;
    const rss = yy - beta[0] * Sy - beta[1] * Sty - beta[2] * Suy;
    if (!best || rss < best.rss) best = { rss, index: i, a: beta[0], b: beta[1], c: beta[2] };
  }
  // The same line with a step instead of a bend, anywhere in the recent half up to the last point:
  // a jump near the end (a cleanup, a migration) is not a new slope.
  for (let i = from; i < n; i++) {
    const Ss = suf.n[i];
    const step = solve3([N, St, Ss, St, Stt, suf.t[i], Ss, suf.t[i], Ss], [Sy, Sty, suf.y[i]]);
    if (step) bestStep = Math.min(bestStep, yy - step[0] * Sy - step[1] * Sty - step[2] * suf.y[i]);
  }
  if (!best || !(best.rss > 0)) return null;
  const variance = best.rss / (n - 4);
  const hinge = best;
  const residuals = Float64Array.from(z, (v, i) => v - hinge.a - hinge.b * i * scale - hinge.c * Math.max(0, (i - hinge.index) * scale));
  if ((rss0 - best.rss) / variance < penalty * Math.log(n) * Math.min(MAX_INFLATION, longRunInflation(residuals))) return null;
  if (bestStep <= best.rss) return null;
  // The new slope rests on the m points since the change: se = σ·sqrt(12 / m³) for a line through them.
  const m = n - best.index;
  return { index: best.index, slopeBefore: best.b * scale, slopeAfter: (best.b + best.c) * scale, slopeAfterSe: Math.sqrt((variance * 12) / (m * m * m)) };
}

/**
 * How much autocorrelation inflates the variance of sums of residuals,
 * (1 + ρ)/(1 − ρ) for lag-1 autocorrelation ρ (an AR(1) approximation). ρ is
 * corrected for its small-sample bias, (1 + 3ρ)/n (Kendall, 1954), as fitted
 * residuals understate it in short series, and capped at 0.95.
 */
export function longRunInflation(residuals: Float64Array): number {
  const n = residuals.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    den += residuals[i] * residuals[i];
    if (i > 0) num += residuals[i] * residuals[i - 1];
  }
  if (!(den > 0)) return 1;
  const raw = Math.max(0, num / den);
  const rho = Math.min(0.95, raw + (1 + 3 * raw) / n);
  return (1 + rho) / (1 - rho);
}

/**
 * Re-slopes the history before the change so it continues the new regime
 * backwards: the models then see one trend, today's, with the seasonality and
 * noise of the whole history intact (as level-shift removal does for steps).
 */
export function applyLatestSlope(y: Float64Array, change: SlopeChange): Float64Array {
  const out = y.slice();
  const c = change.slopeAfter - change.slopeBefore;
  for (let i = 0; i < change.index; i++) out[i] += c * (i - change.index);
  return out;
}

/** y minus its mean profile by phase (after a moving-average detrend); y itself without a period. */
function deseasonalise(y: Float64Array, period: number): Float64Array {
  const n = y.length;
  if (period < 2 || n < 2 * period) return y;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + y[i];
  const half = Math.floor(period / 2);
  const sums = new Float64Array(period);
  const counts = new Float64Array(period);
  for (let i = 0; i < n; i++) {
    const start = Math.min(Math.max(0, i - half), n - period);
    sums[i % period] += y[i] - (prefix[start + period] - prefix[start]) / period;
    counts[i % period]++;
  }
  let mean = 0;
  for (let p = 0; p < period; p++) mean += sums[p] / counts[p] / period;
  return Float64Array.from(y, (v, i) => v - (sums[i % period] / counts[i % period] - mean));
}

/** Solves a symmetric 3×3 system (row-major) by Cramer's rule; null when singular. */
function solve3(m: number[], r: number[]): [number, number, number] | null {
  const [a, b, c, d, e, f, g, h, k] = m;
  const det = a * (e * k - f * h) - b * (d * k - f * g) + c * (d * h - e * g);
  if (!(Math.abs(det) > 1e-300)) return null;
  const x = (r[0] * (e * k - f * h) - b * (r[1] * k - f * r[2]) + c * (r[1] * h - e * r[2])) / det;
  const y = (a * (r[1] * k - f * r[2]) - r[0] * (d * k - f * g) + c * (d * r[2] - r[1] * g)) / det;
  const z = (a * (e * r[2] - r[1] * h) - b * (d * r[2] - r[1] * g) + r[0] * (d * h - e * g)) / det;
  return [x, y, z];
}

/**
 * Widens a band for the uncertainty of the new slope: at step k ahead, the
 * slope's error adds k·se in quadrature to the calibrated half-widths
 * (the backtest, run on the re-sloped history, cannot see it).
 */
export function widenForSlope(point: Float64Array, lower: Float64Array, upper: Float64Array, z: number, slopeSe: number): void {
  for (let k = 0; k < point.length; k++) {
    const extra = z * slopeSe * (k + 1);
    lower[k] = point[k] - Math.hypot(point[k] - lower[k], extra);
    upper[k] = point[k] + Math.hypot(upper[k] - point[k], extra);
  }
}
