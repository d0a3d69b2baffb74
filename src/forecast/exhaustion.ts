import type { SeriesForecast } from './forecastSeries.js';

/** The parts of a forecast exhaustion needs (a stored forecast works too). */
export type ExhaustionInput = Pick<SeriesForecast, 'timestamps' | 'point' | 'intervals'> & {
  readonly data: Pick<SeriesForecast['data'], 'lastSignal' | 'lastSignalMs'>;
};

export interface ExhaustionQuery {
  readonly capacity: number;
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
  readonly limit: number;
  /** Earliest plausible (the upper band crosses); null when not within the horizon. */
  readonly p10: number | null;
  /** Most likely (the point forecast crosses). */
  readonly p50: number | null;
  /** Latest plausible (the lower band crosses). */
  readonly p90: number | null;
  readonly horizonEndMs: number;
}

/**
 * Dates the first crossing of `threshold × capacity` by the point forecast
 * and by the edges of the `level` band: with an 80% band the upper edge's
 * crossing is the date's 10th percentile and the lower edge's the 90th.
 * Crossing times are interpolated within the step. Falling resources
 * (remaining space) are mirrored: they are exhausted at (1 − threshold) × capacity.
 */
export function exhaustion(f: ExhaustionInput, q: ExhaustionQuery): Exhaustion {
  const level = q.level ?? 0.8;
  const band = f.intervals.find((i) => Math.abs(i.level - level) < 1e-9);
  if (!band) throw new Error(`internal: forecast has no ${level} interval`);
  const rising = q.direction === 'rising';
  const limit = rising ? q.threshold * q.capacity : (1 - q.threshold) * q.capacity;
  const horizonEndMs = f.timestamps.length ? f.timestamps[f.timestamps.length - 1] : f.data.lastSignalMs;
  const reached = (v: number) => (rising ? v >= limit : v <= limit);
  if (reached(f.data.lastSignal)) return { status: 'past', limit, p10: null, p50: null, p90: null, horizonEndMs };
  const start = { t: f.data.lastSignalMs, v: f.data.lastSignal };
  // The edge that reaches the limit first is the upper one for rising series.
  const early = rising ? band.upper : band.lower;
  const late = rising ? band.lower : band.upper;
  const p10 = firstCrossing(f.timestamps, early, start, limit, rising);
  const p50 = firstCrossing(f.timestamps, f.point, start, limit, rising);
  const p90 = firstCrossing(f.timestamps, late, start, limit, rising);
  return { status: p50 === null ? 'beyond_horizon' : 'within', limit, p10, p50, p90, horizonEndMs };
}

function firstCrossing(ts: Float64Array, vs: Float64Array, start: { t: number; v: number }, limit: number, rising: boolean): number | null {
  let prevT = start.t;
  let prevV = start.v;
  for (let k = 0; k < vs.length; k++) {
    const v = vs[k];
    if (rising ? v >= limit : v <= limit) {
      const denom = v - prevV;
      const share = denom === 0 ? 1 : Math.min(1, Math.max(0, (limit - prevV) / denom));
      return prevT + share * (ts[k] - prevT);
    }
    prevT = ts[k];
    prevV = v;
  }
  return null;
}
