import type { StoredRecommendation } from '../pipeline/headroomTable.js';
import type { StoredRun } from '../store/runs.js';
import type { Period } from '../time/periods.js';

/**
 * Everything a report shows, built once from the store; Markdown, HTML, JSON and
 * CSV are views of this one model, so they can never disagree.
 */
export interface ReportModel {
  readonly title: string;
  readonly generatedAtMs: number;
  readonly timeZone: string;
  /** The period the report is about (a calendar quarter in `timeZone`, or an explicit range). */
  readonly period: ReportPeriod;
  readonly run: RunSummary | null;
  /** Soonest to exhaust first (see `compareRisk`). */
  readonly resources: readonly ResourceReport[];
  /** At risk in this period and the next, soonest first. */
  readonly summary: ExecutiveSummary;
  readonly groups: HeadroomByGroup;
  /** Charts of the top-N at risk, in risk order. */
  readonly charts: readonly ResourceChart[];
  /** Pools at risk (a cluster's disks): members' peaks and forecasts summed against their summed capacity. */
  readonly groupCharts: readonly ResourceChart[];
  /** Compared with the previous baseline forecast run; null when there is none. */
  readonly changes: ChangesSinceLast | null;
  /** Hook: what-if runs side by side with the baseline; empty until computed. */
  readonly scenarios: readonly ScenarioComparison[];
  /** Hook: SLO error budgets; empty until computed. */
  readonly errorBudgets: readonly ErrorBudget[];
  /** Statements about missing data that every view must show (e.g. "no forecast covers 2027-Q3"). */
  readonly notices: readonly string[];
  readonly dataQuality: DataQualitySummary;
  /** Labels of the quarter headroom columns: this quarter and the next three, as `capplan headroom` prints them. */
  readonly quarters: readonly string[];
  /** What to order, by when: stored recommendations to add capacity, and planned changes; soonest order date first. */
  readonly orders: readonly OrderRow[];
  /** Capacity far above need through the horizon, with a right-size suggestion; most reclaimable first. */
  readonly reclaimable: readonly ReclaimRow[];
}

/** One line of "What to order, by when". */
export interface OrderRow {
  readonly seriesId: string;
  readonly shortName: string;
  readonly resource: string;
  readonly unit: string | null;
  /** Capacity to add; 0 when only planned changes are listed. */
  readonly amount: number;
  readonly neededByMs: number | null;
  readonly orderByMs: number | null;
  readonly leadTimeMs: number;
  /** The order-by date has passed: expedite. */
  readonly late: boolean;
  readonly targetHeadroom: number;
  /** Capacity changes the plan already has in the pipeline, with their notes. */
  readonly plannedChanges: readonly PlannedChange[];
}

export interface PlannedChange {
  readonly atMs: number;
  readonly kind: 'add' | 'set';
  readonly amount: number;
  readonly note: string | null;
}

/** A resource whose p90 forecast stays far below capacity through the horizon. */
export interface ReclaimRow {
  readonly seriesId: string;
  readonly shortName: string;
  readonly resource: string;
  readonly unit: string | null;
  readonly capacity: number;
  /** Highest upper-band forecast over the horizon. */
  readonly peakUpper: number;
  /** peakUpper / capacity. */
  readonly peakRatio: number;
  /** Capacity that still keeps the target headroom at that peak. */
  readonly suggestedCapacity: number;
  readonly reclaimable: number;
}

/** The period a report is about (see time/periods.ts). */
export type ReportPeriod = Period;

export interface ExecutiveSummary {
  /** [this period, the next one]: resources whose earliest plausible exhaustion (p10) falls before each end. */
  readonly buckets: readonly RiskBucket[];
  readonly counts: SummaryCounts;
}

/** What the headline and the email subject count: not only "full". */
export interface SummaryCounts {
  /** At capacity already, or full (p10) before the period ends. */
  readonly full: number;
  /** Orders whose order-by date has passed. */
  readonly lateOrders: number;
  /** Orders due (order-by) before the period ends, late ones excluded. */
  readonly ordersDue: number;
  /** Series past their critical threshold, or reaching it (p50) before the period ends. */
  readonly critical: number;
  readonly budgetsSpent: number;
  /** Budgets with a burn-rate alert firing, or running out within the horizon. */
  readonly budgetsBurning: number;
}

export interface RiskBucket {
  readonly label: string;
  readonly startMs: number;
  /** Exclusive end. */
  readonly endMs: number;
  readonly items: readonly SummaryItem[];
}

export interface SummaryItem {
  readonly seriesId: string;
  readonly shortName: string;
  readonly name: string;
  readonly resource: string;
  readonly status: ExhaustionStatus;
  readonly p10Ms: number | null;
  readonly p50Ms: number | null;
  readonly p90Ms: number | null;
  readonly headroomRatio: number | null;
  /** What to do, in one sentence. */
  readonly action: string;
}

export interface HeadroomByGroup {
  /** The label grouped by (e.g. "cluster"); null groups by resource only. */
  readonly label: string | null;
  readonly groups: readonly HeadroomGroup[];
  /** Fleet-wide roll-up per resource kind. */
  readonly total: readonly GroupRollup[];
}

export interface HeadroomGroup {
  /** The label value; "(none)" for series without the label. */
  readonly key: string;
  readonly rollups: readonly GroupRollup[];
}

export interface GroupRollup {
  readonly resource: string;
  /** Conservative headroom ratio per quarter label. */
  readonly quarterHeadroom: readonly { label: string; ratio: number }[];
  readonly unit: string | null;
  readonly seriesCount: number;
  /** Sums over series with a capacity. */
  readonly usage: number | null;
  readonly capacity: number | null;
  /** 1 − usage / capacity of the sums. */
  readonly headroomRatio: number | null;
  readonly minHeadroomRatio: number | null;
  /** Series that exhaust (p50) within the horizon or already have. */
  readonly atRiskCount: number;
  readonly soonestP50Ms: number | null;
  readonly soonestShortName: string | null;
}

export interface ChartPoint {
  readonly tMs: number;
  readonly value: number;
}

export interface ChartForecastPoint {
  readonly tMs: number;
  readonly p50: number;
  readonly lower: number;
  readonly upper: number;
}

export interface ResourceChart {
  readonly seriesId: string;
  readonly shortName: string;
  readonly name: string;
  readonly unit: string | null;
  readonly capacity: number | null;
  /** Interval level of the band (0.8 when the run has it). */
  readonly level: number | null;
  /** Daily peaks of the stored samples (day boundaries in the report's zone). */
  readonly history: readonly ChartPoint[];
  /** Daily peaks of the forecast and its band. */
  readonly forecast: readonly ChartForecastPoint[];
  readonly thresholds: readonly ThresholdExhaustion[];
  /** Capacity as a step line over the chart's days, planned changes included. */
  readonly capacityTimeline: readonly ChartPoint[];
  /** Planned capacity changes drawn as annotated steps. */
  readonly plannedChanges: readonly PlannedChange[];
  /** The chart rendered by Vega as SVG ("" when charts were not rendered). */
  readonly svg: string;
}

export interface ChangesSinceLast {
  readonly previousRunId: number;
  readonly previousAsOfMs: number;
  /** Exhaustion p50 moved by at least a day; `days` > 0 is later (better). */
  readonly moved: readonly MovedRisk[];
  readonly newRisks: readonly ChangedRisk[];
  readonly resolved: readonly ChangedRisk[];
  readonly unchanged: number;
}

export interface MovedRisk {
  readonly seriesId: string;
  readonly shortName: string;
  readonly beforeP50Ms: number;
  readonly afterP50Ms: number;
  readonly days: number;
}

export interface ChangedRisk {
  readonly seriesId: string;
  readonly shortName: string;
  readonly status: ExhaustionStatus | 'absent';
  readonly p50Ms: number | null;
  readonly previousStatus: ExhaustionStatus | 'absent';
  readonly previousP50Ms: number | null;
}

/** A what-if run beside the baseline: what it changes and how it moves each resource's full date. */
export interface ScenarioComparison {
  readonly scenario: string;
  readonly runId: number;
  /** The plan's description, or null. */
  readonly description: string | null;
  /** What the scenario changes, one phrase per change ("growth ×1.3 from 2026-12-24 over 14 d"). */
  readonly changes: readonly string[];
  readonly resources: readonly string[] | null;
  readonly rows: readonly {
    seriesId: string;
    shortName: string;
    baselineP50Ms: number | null;
    scenarioP50Ms: number | null;
    status: ExhaustionStatus;
    baselineStatus: ExhaustionStatus;
    /** scenario − baseline in days (negative: earlier); null unless both are dated. */
    days: number | null;
  }[];
}

/** Hook for SLO error budgets (filled by the error-budget computation). */
export interface ErrorBudget {
  readonly name: string;
  readonly objective: number;
  readonly remainingRatio: number;
  readonly burnRate: number;
  readonly exhaustionMs: number | null;
  readonly status: 'past' | 'within' | 'beyond_horizon';
  /** Burn-rate alerts firing now ("page 14.4×/1h"). */
  readonly firing: readonly string[];
}

/** The run a report is about (store/runs.ts), with how many series each model was chosen for. */
export type RunSummary = Pick<StoredRun, 'runId' | 'asOfMs' | 'horizonEndMs' | 'levels' | 'seriesCount' | 'failedCount'> & {
  readonly models: readonly { model: string; count: number }[];
};

export type ExhaustionStatus = 'past' | 'within' | 'beyond_horizon';

/** The stored recommendation (pipeline/headroomTable.ts), its planned changes with their notes. */
export type Recommendation = Omit<StoredRecommendation, 'capacityChanges'> & { readonly plannedChanges: readonly PlannedChange[] };

export interface ThresholdExhaustion {
  readonly threshold: number;
  readonly status: ExhaustionStatus;
  readonly p10Ms: number | null;
  readonly p50Ms: number | null;
  readonly p90Ms: number | null;
  /** Probability (0–1) the threshold is not reached within the horizon; null for runs stored before schema 9. */
  readonly pNever: number | null;
}

export interface ResourceReport {
  readonly seriesId: string;
  readonly resource: string;
  readonly name: string;
  /** Label values that tell this series apart, e.g. "db-07 /data". */
  readonly shortName: string;
  readonly direction: 'rising' | 'falling';
  readonly labels: Readonly<Record<string, string>>;
  readonly unit: string | null;
  readonly description: string | null;
  readonly capacity: number | null;
  /** Usage now: the highest peak of the last 7 days, in usage terms when the capacity is known (store/usageNow.ts). */
  readonly usage: number | null;
  readonly usageAtMs: number | null;
  /** (capacity − usage) / capacity now. */
  readonly headroomRatio: number | null;
  /** Conservative headroom ratio per quarter label (see `ReportModel.quarters`), as `capplan headroom` computes it. */
  readonly quarterHeadroom: readonly { label: string; ratio: number; complete: boolean }[];
  /** The run's stored recommendation (forecast/recommend.ts with the plan's target, lead time and risk); null without a capacity. */
  readonly recommendation: Recommendation | null;
  /** Exhaustion per threshold, ascending by threshold; the last is "full". */
  readonly exhaustion: readonly ThresholdExhaustion[];
  /** Highest forecast median and upper band (at the run's first level) over the horizon. */
  readonly forecastPeak: { readonly p50: number | null; readonly upper: number | null };
  readonly model: string | null;
  readonly fallbackReason: string | null;
  readonly error: string | null;
  readonly aggregation: string | null;
  readonly mase: number | null;
  readonly coverage: readonly { level: number; achieved: number }[];
  readonly data: {
    readonly startMs: number | null;
    readonly endMs: number | null;
    readonly points: number | null;
    readonly missing: number | null;
    readonly gaps: number | null;
    readonly resolutionS: number | null;
  };
  /** Warnings of the pulls that delivered this series' samples (e.g. partial responses). */
  readonly pullWarnings: readonly string[];
}

export interface DataQualitySummary {
  readonly pulls: number;
  readonly partialPulls: number;
  readonly failedPulls: number;
  readonly warnings: readonly string[];
  /** Partial and failed pulls with what they said. */
  readonly issues: readonly PullIssue[];
}

export interface PullIssue {
  readonly pullId: number;
  readonly startedAtMs: number;
  readonly source: string;
  readonly resource: string | null;
  readonly status: 'partial' | 'failed';
  readonly warnings: readonly string[];
  readonly error: string | null;
}

const STATUS_ORDER: Record<ExhaustionStatus, number> = { past: 0, within: 1, beyond_horizon: 2 };

/** The critical threshold's row: the one just below full (the plan's `critical`); null with fewer than two thresholds. */
export function criticalExhaustion(r: ResourceReport): ThresholdExhaustion | null {
  return r.exhaustion.length > 1 ? r.exhaustion[r.exhaustion.length - 2] : null;
}

/** The exhaustion row a resource is ranked and headlined by: the highest threshold (full). */
export function headlineExhaustion(r: ResourceReport): ThresholdExhaustion | null {
  return r.exhaustion.length > 0 ? r.exhaustion[r.exhaustion.length - 1] : null;
}

/**
 * Soonest first: already past, then by the earliest plausible date (p10), then
 * median; resources that never exhaust within the horizon, then those with no
 * forecast, each by name.
 */
export function compareRisk(a: ResourceReport, b: ResourceReport): number {
  const ea = headlineExhaustion(a);
  const eb = headlineExhaustion(b);
  const sa = ea ? STATUS_ORDER[ea.status] : 3;
  const sb = eb ? STATUS_ORDER[eb.status] : 3;
  if (sa !== sb) return sa - sb;
  const key = (e: ThresholdExhaustion | null) => e?.p10Ms ?? e?.p50Ms ?? Number.POSITIVE_INFINITY;
  const d = key(ea) - key(eb);
  if (d !== 0 && !Number.isNaN(d)) return d;
  const m = (ea?.p50Ms ?? Infinity) - (eb?.p50Ms ?? Infinity);
  if (m !== 0 && !Number.isNaN(m)) return m;
  const h = (a.headroomRatio ?? Infinity) - (b.headroomRatio ?? Infinity);
  if (h !== 0 && !Number.isNaN(h)) return h;
  return a.name.localeCompare(b.name);
}
