import { firstPassage } from './firstPassage.js';
import type { SeriesForecast } from './forecastSeries.js';

/** The parts of a forecast exhaustion needs (a stored forecast works too). */
export type ExhaustionInput = Pick<SeriesForecast, 'timestamps' | 'point' | 'intervals'> & {
  /** The signal's step-to-step wobble (sd); with it, dates come from sample paths (see firstPassage). */
  readonly noise?: number;
  /** Recent residuals of the signal; the paths' wobble is drawn from them when there are enough. */
  readonly residuals?: Float64Array;
  readonly data: Pick<SeriesForecast['data'], 'lastSignal' | 'lastSignalMs'>;
  /** With a peak envelope, each value is a bucket's peak, stamped at the bucket's start. */
  readonly aggregation?: { readonly bucketMs: number | null };
};

export interface ExhaustionQuery {
  /** Capacity now; a number, or one value per forecast step when capacity changes during the horizon. */
  readonly capacity: number | Float64Array;
  /** Fraction of capacity that counts as exhausted (0.8 warn, 1 full). */
  readonly threshold: number;
  /** `rising`: usage grows into capacity; `falling`: a remaining amount shrinks towards zero. */
  readonly direction: 'rising' | 'falling';
  /** Interval level whose edges give p10/p90 (0.8 gives the 10th and 90th percentiles). */
  readonly level?: number;
}

/** When the limit is reached: a date distribution, or a first-class "already" / "not within the horizon". */
export interface Exhaustion {
  readonly status: 'past' | 'within' | 'beyond_horizon';
  /** The limit now (threshold × current capacity, mirrored for falling resources). */
  readonly limit: number;
  /** Earliest plausible (the upper band crosses); null when not within the horizon. */
  readonly p10: number | null;
  /** Most likely (the point forecast crosses). */
  readonly p50: number | null;
  /** Latest plausible (the lower band crosses). */
  readonly p90: number | null;
  /** Probability the limit is not reached within the horizon (0 or 1 without sample paths, by the point forecast). */
  readonly pNever: number;
  readonly horizonEndMs: number;
}

/**
 * Dates the first crossing of `threshold × capacity` by the point forecast
 * and by the edges of the `level` band: with an 80% band the upper edge's
 * crossing is the date's 10th percentile and the lower edge's the 90th.
 * Crossing times are interpolated within the step. Falling resources
 * (remaining space) are mirrored: they are exhausted at (1 − threshold) × capacity.
 *
 * With the signal's noise known (`noise`, set by forecastSeries), dates are
 * first-passage quantiles over sample paths (see firstPassage): the realized
 * peaks wobble around their course and touch a limit on their first high
 * day, earlier than the smooth band edge would say, and "never within the
 * horizon" gets a probability. Without it (older stored forecasts), the band
 * edges are used: for comonotone paths the first time the q-quantile of
 * usage reaches the limit is exactly the (1 − q)-quantile of the first-passage time.
 * Coverage of both is measured in `npm run bench -- exhaustion`.
 */
export function exhaustion(f: ExhaustionInput, q: ExhaustionQuery): Exhaustion {
  const level = q.level ?? 0.8;
  const band = f.intervals.find((i) => Math.abs(i.level - level) < 1e-9);
  if (!band) throw new Error(`internal: forecast has no ${level} interval`);
  const rising = q.direction === 'rising';
  const h = f.timestamps.length;
  const capacity = typeof q.capacity === 'number' ? new Float64Array(h).fill(q.capacity) : q.capacity;
  if (capacity.length !== h) throw new Error(`internal: ${capacity.length} capacity values for ${h} forecast steps`);
  const limitOf = (c: number) => (rising ? q.threshold * c : (1 - q.threshold) * c);
  const limitNow = limitOf(typeof q.capacity === 'number' ? q.capacity : (q.capacity[0] ?? NaN));
  const limits = capacity.map(limitOf);
  const horizonEndMs = h ? f.timestamps[h - 1] : f.data.lastSignalMs;
  const reached = (v: number, limit: number) => (rising ? v >= limit : v <= limit);
  if (reached(f.data.lastSignal, limitNow)) return { status: 'past', limit: limitNow, p10: null, p50: null, p90: null, pNever: 0, horizonEndMs };
  // The edge that reaches the limit first is the upper one for rising series.
  const early = rising ? band.upper : band.lower;
  const late = rising ? band.lower : band.upper;
  // A bucket's peak is reached somewhere inside the bucket: when day d's peak
  // first crosses, the crossing lies within day d, so interpolate between
  // bucket ends rather than starts (which would date it a day early).
  const shift = f.aggregation?.bucketMs ?? 0;
  const ends = shift ? f.timestamps.map((t) => t + shift) : f.timestamps;
  const start = { t: f.data.lastSignalMs + shift, gap: f.data.lastSignal - limitNow };
  if (f.noise !== undefined && f.noise > 0 && h > 0) {
    // Falling resources are mirrored so the paths always rise into the limit.
    const s = rising ? 1 : -1;
    const flip = (a: Float64Array) => (rising ? a : a.map((v) => -v));
    const paths = firstPassage({
      ends,
      point: flip(f.point),
      lower: flip(rising ? band.lower : band.upper),
      upper: flip(rising ? band.upper : band.lower),
      noise: f.noise,
      residuals: f.residuals && !rising ? f.residuals.map((v) => -v) : f.residuals,
      level,
      limits: flip(limits),
      start: { t: start.t, value: s * f.data.lastSignal },
    });
    return { status: paths.p50 === null ? 'beyond_horizon' : 'within', limit: limitNow, p10: paths.p10, p50: paths.p50, p90: paths.p90, pNever: paths.pNever, horizonEndMs };
  }
  const p10 = firstCrossing(ends, early, limits, start, rising);
  const p50 = firstCrossing(ends, f.point, limits, start, rising);
  const p90 = firstCrossing(ends, late, limits, start, rising);
  return { status: p50 === null ? 'beyond_horizon' : 'within', limit: limitNow, p10, p50, p90, pNever: p50 === null ? 1 : 0, horizonEndMs };
}

/**
 * First time `value − limit` reaches zero (from below for rising series),
 * interpolated linearly within the step. A capacity that jumps at a step
 * moves the limit there, so a crossing is only counted where it holds.
 */
function firstCrossing(ts: Float64Array, vs: Float64Array, limits: Float64Array, start: { t: number; gap: number }, rising: boolean): number | null {
  let prevT = start.t;
  let prevGap = start.gap;
  for (let k = 0; k < vs.length; k++) {
    const gap = vs[k] - limits[k];
    if (rising ? gap >= 0 : gap <= 0) {
      const denom = gap - prevGap;
      const share = denom === 0 ? 1 : Math.min(1, Math.max(0, -prevGap / denom));
      return prevT + share * (ts[k] - prevT);
    }
    prevT = ts[k];
    prevGap = gap;
  }
  return null;
}
