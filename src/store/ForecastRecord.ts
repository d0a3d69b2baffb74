/**
 * What the store keeps of one series' forecast in a run. Defined here, below the
 * forecast layer, so the store does not depend on how forecasts are computed.
 */
export interface ForecastRecord {
  readonly seriesId: string;
  /** Set when the series could not be forecast at all; the other fields are then empty. */
  readonly error: string | null;
  readonly model: string | null;
  readonly fallbackReason: string | null;
  readonly aggregation: string | null;
  readonly stepMs: number | null;
  readonly periods: readonly number[];
  readonly params: unknown;
  readonly candidates: unknown;
  readonly backtest: {
    readonly windows: number;
    readonly horizon: number;
    readonly mase: number | null;
    readonly coverage: readonly { level: number; achieved: number }[];
  } | null;
  readonly data: {
    readonly startMs: number;
    readonly endMs: number;
    readonly points: number;
    readonly missing: number;
    readonly gaps: number;
    readonly resolutionMs: number;
  } | null;
  readonly lastValue: number | null;
  readonly timestamps: Float64Array;
  readonly point: Float64Array;
  readonly intervals: readonly { level: number; lower: Float64Array; upper: Float64Array }[];
  readonly exhaustion: readonly ExhaustionRecord[];
  /** What to add and when; absent when the series has no capacity. */
  readonly recommendation?: RecommendationRecord | null;
}

export interface RecommendationRecord {
  readonly risk: 'conservative' | 'expected';
  readonly targetHeadroom: number;
  readonly action: 'none' | 'add';
  readonly amount: number;
  readonly neededByMs: number | null;
  readonly orderByMs: number | null;
  readonly leadTimeMs: number;
  readonly late: boolean;
  readonly capacityChanges: readonly { atMs: number; kind: 'add' | 'set'; amount: number; note?: string }[];
}

/** An SLO's error-budget state and forecast in a run. */
export interface ErrorBudgetRecord {
  readonly slo: string;
  readonly objective: number;
  readonly windowMs: number;
  readonly asOfMs: number;
  readonly remaining: number;
  readonly errorRatio: number;
  readonly alerts: readonly { severity: string; longMs: number; shortMs: number; factor: number; longRate: number; shortRate: number; firing: boolean }[];
  readonly status: 'past' | 'within' | 'beyond_horizon';
  readonly p10: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
}

export interface ExhaustionRecord {
  /** Fraction of capacity (0.8 = warn at 80%). */
  readonly threshold: number;
  readonly capacity: number;
  readonly status: 'past' | 'within' | 'beyond_horizon';
  readonly p10: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  /** Probability (0–1) the threshold is not reached within the horizon. */
  readonly pNever: number;
  readonly horizonEndMs: number;
}

/** What a forecast run was asked to do. */
export interface ForecastRunInfo {
  readonly asOfMs: number;
  readonly horizonMs: number;
  readonly levels: readonly number[];
  readonly scenario: string | null;
  readonly options: unknown;
  /** The plan file the run was planned with, and the SHA-256 of its bytes. */
  readonly planFile?: string | null;
  readonly planSha256?: string | null;
  /** Planning settings used (JSON-safe). */
  readonly planning?: unknown;
}
