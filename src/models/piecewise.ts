import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { checkedHorizon, symmetricForecast } from './intervals.js';
import { fitLine, linePredictionSd } from './ols.js';
import { studentTQuantile } from './stats.js';

/** Hard cap on changepoints: serially correlated metrics would otherwise keep splitting under BIC. */
const MAX_CHANGEPOINTS = 10;

/**
 * Shortest segment: 5% of the series (at least 6 points), so the last
 * segment, which drives the forecast, always has enough points for a slope.
 * The price: a change in the last 5% of the history is not detected yet.
 */
function minSegment(n: number): number {
  return Math.max(6, Math.round(0.05 * n));
}

/**
 * Prefix sums of 1, t, t², y, y², t·y with t and y standardised, so that any
 * segment's OLS SSE is O(1) and the sums stay well-conditioned.
 */
class SegmentCost {
  private readonly st: Float64Array;
  private readonly stt: Float64Array;
  private readonly sy: Float64Array;
  private readonly syy: Float64Array;
  private readonly sty: Float64Array;

  constructor(y: Float64Array) {
    const n = y.length;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += y[i] / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (y[i] - mean) ** 2;
    const scale = v > 0 ? Math.sqrt(v / n) : 1;
    this.st = new Float64Array(n + 1);
    this.stt = new Float64Array(n + 1);
    this.sy = new Float64Array(n + 1);
    this.syy = new Float64Array(n + 1);
    this.sty = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
      const t = i / n;
      const z = (y[i] - mean) / scale;
      this.st[i + 1] = this.st[i] + t;
      this.stt[i + 1] = this.stt[i] + t * t;
      this.sy[i + 1] = this.sy[i] + z;
      this.syy[i + 1] = this.syy[i] + z * z;
      this.sty[i + 1] = this.sty[i] + t * z;
    }
  }

  /** SSE (standardised units) of the OLS line through [a, b). */
  sse(a: number, b: number): number {
    const m = b - a;
    const st = this.st[b] - this.st[a];
    const sy = this.sy[b] - this.sy[a];
    const sxx = this.stt[b] - this.stt[a] - (st * st) / m;
    const sxy = this.sty[b] - this.sty[a] - (st * sy) / m;
    const syy = this.syy[b] - this.syy[a] - (sy * sy) / m;
    const sse = sxx > 0 ? syy - (sxy * sxy) / sxx : syy;
    return sse > 0 ? sse : 0;
  }
}

interface Segment {
  readonly start: number;
  readonly end: number;
  readonly sse: number;
  /** Best split point and the SSE of the two halves; split < 0 when too short to split. */
  readonly split: number;
  readonly splitSse: number;
}

function segment(cost: SegmentCost, start: number, end: number, minSeg: number): Segment {
  let split = -1;
  let splitSse = Number.POSITIVE_INFINITY;
  for (let s = start + minSeg; s <= end - minSeg; s++) {
    const v = cost.sse(start, s) + cost.sse(s, end);
    if (v < splitSse) {
      splitSse = v;
      split = s;
    }
  }
  return { start, end, sse: cost.sse(start, end), split, splitSse };
}

/**
 * Changepoints by binary segmentation of a piecewise-linear (discontinuous)
 * fit: repeatedly split the segment whose best split lowers the SSE most,
 * while BIC improves: n·ln(SSE/n) must drop by more than 3·ln(n) per
 * changepoint (a new intercept, slope and location). O(n) per changepoint.
 */
export function detectChangepoints(y: Float64Array): number[] {
  const n = y.length;
  const minSeg = minSegment(n);
  if (n < 2 * minSeg) return [];
  const cost = new SegmentCost(y);
  const segments: Segment[] = [segment(cost, 0, n, minSeg)];
  // SSE floor: an exact fit must not make ln(SSE) run to -Infinity and accept every split
  const floor = 1e-12 * n;
  let total = Math.max(floor, segments[0].sse);
  const penalty = 3 * Math.log(n);
  while (segments.length <= MAX_CHANGEPOINTS) {
    let best = -1;
    let bestGain = 0;
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i];
      if (s.split < 0) continue;
      const gain = s.sse - s.splitSse;
      if (gain > bestGain) {
        bestGain = gain;
        best = i;
      }
    }
    if (best < 0) break;
    const next = Math.max(floor, total - bestGain);
    if (n * Math.log(next / n) + penalty >= n * Math.log(total / n)) break;
    const s = segments[best];
    segments.splice(best, 1, segment(cost, s.start, s.split, minSeg), segment(cost, s.split, s.end, minSeg));
    total = next;
  }
  return segments.slice(1).map((s) => s.start);
}

/**
 * Piecewise: a piecewise-linear trend whose breaks are found by binary
 * segmentation with a BIC penalty; the forecast continues the LAST segment's
 * level and slope only. Choose it for series with regime changes (a
 * migration, a retention-policy change, a new tenant): a step is treated as a
 * new level, not bent into the future trend as a global line would do.
 * Intervals are the last segment's OLS intervals, so a short recent regime
 * honestly gives wide bands.
 */
export const piecewise: Model = {
  alias: 'piecewise',
  minLength: () => 3,
  fit(y: Float64Array, _ctx: FitContext): FittedModel {
    const n = y.length;
    if (n < 3) throw new ModelError('piecewise', `needs at least 3 points, series has ${n}`);
    const changepoints = detectChangepoints(y);
    const bounds = [0, ...changepoints, n];
    const fitted = new Float64Array(n);
    for (let s = 0; s + 1 < bounds.length; s++) {
      const line = fitLine(y, bounds[s], bounds[s + 1]);
      for (let i = bounds[s]; i < bounds[s + 1]; i++) fitted[i] = line.intercept + line.slope * (i - bounds[s]);
    }
    const start = bounds[bounds.length - 2];
    const last = fitLine(y, start, n);
    const w = n - start;
    const dof = w - 2;
    return {
      alias: 'piecewise',
      fitted,
      params: {
        changepoints,
        segmentStart: start,
        slope: last.slope,
        level: last.intercept + last.slope * (w - 1),
        sigma: last.sigma,
      },
      predict(h: number, levels: readonly number[]): Forecast {
        checkedHorizon(h);
        const point = new Float64Array(h);
        const sd = new Float64Array(h);
        for (let k = 0; k < h; k++) {
          point[k] = last.intercept + last.slope * (w + k);
          sd[k] = linePredictionSd(last, w + k);
        }
        return symmetricForecast(point, sd, levels, (p) => studentTQuantile(p, dof));
      },
    };
  },
};
