import type { ExhaustionInput } from './exhaustion.js';

/** A forecast seen as usage of a capacity: what headroom and recommendations work on. */
export interface UsageView {
  readonly timestamps: Float64Array;
  /** Expected usage (the point forecast). */
  readonly expected: Float64Array;
  /** Conservative usage: the edge of the 80% band on the exhausting side. */
  readonly conservative: Float64Array;
  readonly capacity: Float64Array;
  readonly usedNow: number;
}

/**
 * Rising resources forecast usage directly; falling ones forecast what is
 * left (free bytes), so usage is capacity minus it and the band flips.
 */
export function usageView(f: ExhaustionInput, capacity: Float64Array, capacityNow: number, direction: 'rising' | 'falling'): UsageView {
  const band = f.intervals.find((i) => Math.abs(i.level - 0.8) < 1e-9) ?? f.intervals[0];
  if (direction === 'rising') {
    return { timestamps: f.timestamps, expected: f.point, conservative: band.upper, capacity, usedNow: f.data.lastSignal };
  }
  return {
    timestamps: f.timestamps,
    expected: f.point.map((v, k) => capacity[k] - v),
    conservative: band.lower.map((v, k) => capacity[k] - v),
    capacity,
    usedNow: capacityNow - f.data.lastSignal,
  };
}
