/**
 * Everything a report shows, built once from the store; Markdown, HTML, JSON and
 * CSV are views of this one model, so they can never disagree.
 */
export interface ReportModel {
  readonly title: string;
  readonly generatedAtMs: number;
  readonly timeZone: string;
  readonly run: RunSummary | null;
  /** Soonest to exhaust first (see `compareRisk`). */
  readonly resources: readonly ResourceReport[];
  readonly dataQuality: DataQualitySummary;
}

export interface RunSummary {
  readonly runId: number;
  readonly asOfMs: number;
  readonly horizonEndMs: number;
  readonly levels: readonly number[];
  readonly seriesCount: number;
  readonly failedCount: number;
  /** How many series each model was chosen for. */
  readonly models: readonly { model: string; count: number }[];
}

export type ExhaustionStatus = 'past' | 'within' | 'beyond_horizon';

export interface ThresholdExhaustion {
  readonly threshold: number;
  readonly status: ExhaustionStatus;
  readonly p10Ms: number | null;
  readonly p50Ms: number | null;
  readonly p90Ms: number | null;
}

export interface ResourceReport {
  readonly seriesId: string;
  readonly resource: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly unit: string | null;
  readonly description: string | null;
  readonly capacity: number | null;
  readonly usage: number | null;
  readonly usageAtMs: number | null;
  /** (capacity − usage) / capacity now. */
  readonly headroomRatio: number | null;
  /** Exhaustion per threshold, ascending by threshold; the last is "full". */
  readonly exhaustion: readonly ThresholdExhaustion[];
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
}

const STATUS_ORDER: Record<ExhaustionStatus, number> = { past: 0, within: 1, beyond_horizon: 2 };

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
