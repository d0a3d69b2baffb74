import { quantileSorted } from 'simple-statistics';
import type { RegularSeries } from './regularize.js';

/** How the planning signal was made from the raw series. */
export type Aggregation =
  | { readonly kind: 'raw'; readonly bucketMs: null }
  | { readonly kind: 'max'; readonly bucketMs: number }
  | { readonly kind: 'quantile'; readonly q: number; readonly bucketMs: number };

/** The envelope: one value per bucket (bucket start timestamps). */
export interface Envelope {
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /** Observed (not interpolated) points behind each bucket. */
  readonly counts: Uint32Array;
}

/**
 * Reduces a regular series to its per-bucket peak or high quantile, aligned
 * to UTC bucket boundaries. Capacity has to hold the peaks, and forecasting
 * the daily peak keeps them while shedding the intra-day cycle. Buckets at
 * either end with less than half their points are dropped: a partial day's
 * peak understates the day.
 */
export function envelope(series: RegularSeries, aggregation: Exclude<Aggregation, { kind: 'raw' }>): Envelope {
  if (series.step.kind !== 'fixed') throw new Error('internal: envelope needs a fixed step');
  const stepMs = series.step.ms;
  const { bucketMs } = aggregation;
  const perBucket = Math.max(1, Math.round(bucketMs / stepMs));
  const ts: number[] = [];
  const vs: number[] = [];
  const cs: number[] = [];
  let bucket = Math.floor(series.timestamps[0] / bucketMs);
  let values: number[] = [];
  let count = 0;
  const flush = () => {
    if (values.length === 0) return;
    ts.push(bucket * bucketMs);
    cs.push(count);
    if (aggregation.kind === 'max') vs.push(Math.max(...values));
    else vs.push(quantileSorted(values.sort((a, b) => a - b), aggregation.q));
  };
  for (let i = 0; i < series.values.length; i++) {
    const b = Math.floor(series.timestamps[i] / bucketMs);
    if (b !== bucket) {
      flush();
      bucket = b;
      values = [];
      count = 0;
    }
    values.push(series.values[i]);
    count += series.observed[i];
  }
  flush();
  const full = (i: number) => cs[i] * 2 >= perBucket;
  let start = 0;
  let end = ts.length;
  if (end - start > 2 && !full(start)) start++;
  if (end - start > 2 && !full(end - 1)) end--;
  return {
    timestamps: Float64Array.from(ts.slice(start, end)),
    values: Float64Array.from(vs.slice(start, end)),
    counts: Uint32Array.from(cs.slice(start, end)),
  };
}
