import type { ForecastInterval } from '../models/Forecast.js';
import type { CapacityChange } from './capacityTimeline.js';

/** One change a what-if scenario makes to a forecast. */
export type ScenarioChange =
  /** Usage × `factor` from a date ("traffic +30% from 2027-01-15" is 1.3), phased in over `rampMs`. */
  | { readonly kind: 'growth'; readonly factor: number; readonly fromMs: number; readonly rampMs?: number }
  /** Usage + `amount` from a date (a tenant migrated in; negative moves one out). */
  | { readonly kind: 'step'; readonly amount: number; readonly atMs: number }
  /** Capacity added, removed or set at a date. */
  | { readonly kind: 'capacity'; readonly change: CapacityChange };

/** A named what-if, applied to some resources (all when `resources` is absent). */
export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly resources?: readonly string[];
  readonly changes: readonly ScenarioChange[];
}

/** The part of a forecast a scenario rewrites. */
export interface ForecastPaths {
  readonly timestamps: Float64Array;
  readonly point: Float64Array;
  readonly intervals: readonly ForecastInterval[];
}

/**
 * Applies a scenario to a baseline forecast: usage changes rewrite the point
 * and every interval edge alike (the scenario is assumed, not uncertain);
 * capacity changes are returned to be added to the capacity timeline.
 */
export function applyScenario<F extends ForecastPaths>(f: F, scenario: Scenario): { forecast: F; capacityChanges: CapacityChange[] } {
  const h = f.timestamps.length;
  const factor = new Float64Array(h).fill(1);
  const offset = new Float64Array(h);
  const capacityChanges: CapacityChange[] = [];
  for (const c of scenario.changes) {
    if (c.kind === 'capacity') {
      capacityChanges.push(c.change);
      continue;
    }
    for (let k = 0; k < h; k++) {
      const t = f.timestamps[k];
      if (c.kind === 'growth' && t >= c.fromMs) {
        const phase = c.rampMs && c.rampMs > 0 ? Math.min(1, (t - c.fromMs) / c.rampMs) : 1;
        factor[k] *= 1 + (c.factor - 1) * phase;
      } else if (c.kind === 'step' && t >= c.atMs) {
        offset[k] += c.amount;
      }
    }
  }
  const map = (a: Float64Array) => a.map((v, k) => v * factor[k] + offset[k]);
  const forecast = {
    ...f,
    point: map(f.point),
    intervals: f.intervals.map((i) => {
      const lower = map(i.lower);
      const upper = map(i.upper);
      // A factor below 1 must not swap the edges.
      return { level: i.level, lower: lower.map((v, k) => Math.min(v, upper[k])), upper: upper.map((v, k) => Math.max(v, lower[k])) };
    }),
  };
  return { forecast, capacityChanges };
}
