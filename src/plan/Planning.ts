import type { CapacityChange } from '../forecast/capacityTimeline.js';
import type { Scenario } from '../forecast/scenario.js';
import { DAY } from '../time/constants.js';

/** Fractions of capacity at which a resource warns, is critical, and is full. */
export interface Thresholds {
  readonly warn: number;
  readonly critical: number;
  readonly full: number;
}

/** How one resource is planned: thresholds, planned capacity changes, procurement. */
export interface ResourcePlanning {
  readonly thresholds: Thresholds;
  readonly capacityChanges: readonly CapacityChange[];
  readonly leadTimeMs: number;
  /** Fraction of capacity to keep free through the horizon (0.2 keeps 20%). */
  readonly targetHeadroom: number;
  readonly risk: 'conservative' | 'expected';
}

/** Plan-wide planning settings. */
export interface PlanningDefaults extends ResourcePlanning {
  readonly horizonMs: number;
  /** 1 = calendar quarters; 4 = fiscal year starting in April. */
  readonly fiscalYearStartMonth: number;
  /** `--fail-on-risk` fires when a critical threshold is reached (p50) within this window. */
  readonly warningWindowMs: number;
  /** Label to roll headroom up by (e.g. cluster); null for none. */
  readonly groupBy: string | null;
}

/** A service level objective, planned like a resource: its budget is what runs out. */
export interface SloConfig {
  readonly name: string;
  readonly source: string | null;
  /** PromQL for error and total counts per step (or `good` instead of `errors`). */
  readonly errors: string | null;
  readonly good: string | null;
  readonly total: string | null;
  readonly objective: number;
  readonly windowMs: number;
  readonly stepMs: number;
}

/** Everything about planning a plan file can say beyond what to pull. */
export interface PlanningSpec {
  readonly defaults: PlanningDefaults;
  /** Per-resource overrides, by resource name. */
  readonly resources: ReadonlyMap<string, ResourcePlanning>;
  readonly scenarios: readonly Scenario[];
  readonly slos: readonly SloConfig[];
}


export const DEFAULT_PLANNING: PlanningDefaults = {
  thresholds: { warn: 0.8, critical: 0.9, full: 1 },
  capacityChanges: [],
  leadTimeMs: 30 * DAY,
  targetHeadroom: 0.2,
  risk: 'conservative',
  horizonMs: 180 * DAY,
  fiscalYearStartMonth: 1,
  warningWindowMs: 30 * DAY,
  groupBy: null,
};

/** Planning for a resource: its overrides, else the plan's defaults. */
export function planningFor(spec: PlanningSpec | null, resource: string): ResourcePlanning {
  return spec?.resources.get(resource) ?? spec?.defaults ?? DEFAULT_PLANNING;
}

/** Thresholds as the list forecasts are dated against. */
export function thresholdList(t: Thresholds): number[] {
  return [...new Set([t.warn, t.critical, t.full])].sort((a, b) => a - b);
}
