import { probit } from 'simple-statistics';
import type { ForecastInterval } from '../models/Forecast.js';
import type { BacktestWindow } from './backtest.js';

/** Calibrated intervals plus the coverage they achieved out of sample. */
export interface Calibrated {
  readonly intervals: ForecastInterval[];
  readonly coverage: { level: number; achieved: number }[];
}

/**
 * Split-conformal intervals from backtest errors. Each error is divided by
 * the model's own 80% half-width at that step (so the band keeps the model's
 * growth with horizon); signed quantiles of those scores, pooled over nearby
 * steps (k/1.5 to 1.5k), scale the final model's half-width. Asymmetric on
 * purpose: sawtooth and saturating series miss on one side.
 *
 * Coverage is measured leave-one-window-out: each window is scored with
 * quantiles learnt from the others, so it is out of sample.
 */
export function conformalIntervals(
  windows: readonly BacktestWindow[],
  point: Float64Array,
  width: Float64Array,
  levels: readonly number[],
): Calibrated {
  const h = point.length;
  const sorted = [...levels].sort((a, b) => a - b);
  const bands = sorted.map((level) => scoreBands(windows, level, h));
  const intervals: ForecastInterval[] = sorted.map((level, i) => {
    const lower = new Float64Array(h);
    const upper = new Float64Array(h);
    for (let k = 0; k < h; k++) {
      const w = Math.max(width[k], tiny(point[k]));
      lower[k] = point[k] + Math.min(0, bands[i].lo[k]) * w;
      upper[k] = point[k] + Math.max(0, bands[i].hi[k]) * w;
    }
    return { level, lower, upper };
  });
  // Beyond the backtest's reach nothing was measured: the band keeps widening at
  // least in proportion to the steps ahead (a slope error of the size seen at the
  // backtest's last step keeps accruing) instead of staying as wide as the model says.
  const reach = windows[0]?.actual.length ?? 0;
  if (reach > 0) {
    for (const iv of intervals) {
      const lo0 = point[reach - 1] - iv.lower[reach - 1];
      const hi0 = iv.upper[reach - 1] - point[reach - 1];
      for (let k = reach; k < h; k++) {
        const grow = ((k + 1) / reach) ** BEYOND_REACH_GROWTH;
        iv.lower[k] = Math.min(iv.lower[k], point[k] - lo0 * grow);
        iv.upper[k] = Math.max(iv.upper[k], point[k] + hi0 * grow);
      }
    }
  }
  // Nesting: a wider level never gives a narrower band.
  for (let i = 1; i < intervals.length; i++) {
    for (let k = 0; k < h; k++) {
      intervals[i].lower[k] = Math.min(intervals[i].lower[k], intervals[i - 1].lower[k]);
      intervals[i].upper[k] = Math.max(intervals[i].upper[k], intervals[i - 1].upper[k]);
    }
  }
  const coverage = sorted.map((level) => ({ level, achieved: leaveOneOutCoverage(windows, level) }));
  return { intervals, coverage };
}

/** Exponent of the band's growth with steps ahead beyond the backtest's reach (1: linear, a persistent slope error). */
const BEYOND_REACH_GROWTH = 1;

const tiny = (v: number) => 1e-9 * (Math.abs(v) + 1);

function scores(w: BacktestWindow): Float64Array {
  const s = new Float64Array(w.actual.length);
  for (let k = 0; k < s.length; k++) s[k] = (w.actual[k] - w.point[k]) / Math.max(w.width[k], tiny(w.point[k]));
  return s;
}

/** Per-step signed score quantiles for a level, extended flat beyond the backtest horizon. */
function scoreBands(windows: readonly BacktestWindow[], level: number, h: number): { lo: Float64Array; hi: Float64Array } {
  const all = windows.map(scores);
  const hb = all[0]?.length ?? 0;
  const lo = new Float64Array(h);
  const hi = new Float64Array(h);
  // Quantiles at a few anchor steps, interpolated between: the pools overlap heavily anyway.
  const anchors = anchorSteps(hb);
  const inflate = fewWindowsFactor(windows.length, level);
  const qlo: number[] = [];
  const qhi: number[] = [];
  for (const k of anchors) {
    const from = Math.max(0, Math.floor((k + 1) / 1.5) - 1);
    const to = Math.min(hb - 1, Math.ceil((k + 1) * 1.5) - 1);
    const pool: number[] = [];
    for (const s of all) for (let j = from; j <= to; j++) pool.push(s[j]);
    pool.sort((a, b) => a - b);
    qlo.push(conformalQuantile(pool, (1 - level) / 2, 'lower') * inflate);
    qhi.push(conformalQuantile(pool, (1 + level) / 2, 'upper') * inflate);
  }
  for (let k = 0; k < h; k++) {
    const kk = Math.min(k, hb - 1);
    let a = 0;
    while (a + 1 < anchors.length && anchors[a + 1] <= kk) a++;
    const b = Math.min(a + 1, anchors.length - 1);
    const f = anchors[b] === anchors[a] ? 0 : (kk - anchors[a]) / (anchors[b] - anchors[a]);
    lo[k] = qlo[a] + f * (qlo[b] - qlo[a]);
    hi[k] = qhi[a] + f * (qhi[b] - qhi[a]);
  }
  return { lo, hi };
}

/** Up to ~24 log-spaced steps in [0, hb). */
function anchorSteps(hb: number): number[] {
  const out = new Set<number>([0, hb - 1]);
  for (let i = 0; i < 24; i++) out.add(Math.min(hb - 1, Math.round(Math.exp((Math.log(hb) * i) / 23)) - 1));
  return [...out].filter((k) => k >= 0).sort((a, b) => a - b);
}

/**
 * Errors in one backtest window move together (a wrong slope misses every
 * step the same way), so a few windows are a few samples, however many steps
 * they hold: their spread understates the tails. Widen by the ratio of the
 * Student-t prediction quantile from W samples (t with W − 1 degrees of
 * freedom × √(1 + 1/W)) to the normal one; it tends to 1 as windows grow.
 */
export function fewWindowsFactor(windows: number, level: number): number {
  if (windows < 2) return 1;
  const p = (1 + level) / 2;
  const z = probit(p);
  const nu = windows - 1;
  const t = nu === 1 ? Math.tan(Math.PI * (p - 0.5)) : cornishFisherT(z, nu);
  return Math.max(1, (t * Math.sqrt(1 + 1 / windows)) / z);
}

/** Student-t quantile from the normal one (Cornish–Fisher, accurate to ~1% from 2 degrees of freedom). */
function cornishFisherT(z: number, nu: number): number {
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return z + (z3 + z) / (4 * nu) + (5 * z5 + 16 * z3 + 3 * z) / (96 * nu ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * nu ** 3);
}

/**
 * Finite-sample conformal quantile: the ⌈(m+1)p⌉-th smallest of m scores
 * (mirrored for the lower tail); the extreme score when the pool is too small.
 */
function conformalQuantile(sorted: readonly number[], p: number, tail: 'lower' | 'upper'): number {
  const m = sorted.length;
  if (m === 0) return 0;
  if (tail === 'upper') return sorted[Math.min(m - 1, Math.ceil((m + 1) * p) - 1)];
  return sorted[Math.max(0, Math.floor((m + 1) * p) - 1)];
}

function leaveOneOutCoverage(windows: readonly BacktestWindow[], level: number): number {
  if (windows.length < 2) return NaN;
  let inside = 0;
  let total = 0;
  windows.forEach((w, i) => {
    const others = windows.filter((_, j) => j !== i);
    const band = scoreBands(others, level, w.actual.length);
    const s = scores(w);
    for (let k = 0; k < s.length; k++) {
      if (s[k] >= Math.min(0, band.lo[k]) && s[k] <= Math.max(0, band.hi[k])) inside++;
      total++;
    }
  });
  return inside / total;
}
