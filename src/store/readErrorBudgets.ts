import type { Store } from './Store.js';

/** One SLO's error budget as stored with a run (pipeline/errorBudgets.ts computes it). */
export interface StoredErrorBudget {
  readonly slo: string;
  readonly objective: number;
  readonly windowMs: number;
  /** Share of the window's budget left; negative when overspent. */
  readonly remaining: number;
  readonly errorRatio: number;
  readonly alerts: readonly { severity: string; long_s: number; short_s: number; factor: number; long_rate: number; short_rate: number; firing: boolean }[];
  readonly status: 'past' | 'within' | 'beyond_horizon';
  readonly p10Ms: number | null;
  readonly p50Ms: number | null;
  readonly p90Ms: number | null;
}

/** The error budgets of a run, least budget left first: what `capplan budget`, the report and the email show. */
export async function readErrorBudgets(store: Store, runId: number): Promise<StoredErrorBudget[]> {
  const reader = await store.connection.runAndReadAll(
    `SELECT slo, objective, window_s, remaining, error_ratio, alerts::VARCHAR, status,
            epoch_ms(p10)::DOUBLE, epoch_ms(p50)::DOUBLE, epoch_ms(p90)::DOUBLE
     FROM error_budgets WHERE run_id = $1 ORDER BY remaining, slo`,
    [runId],
  );
  const ms = (v: unknown) => (v === null ? null : Number(v));
  return reader.getRowsJS().map(([slo, objective, windowS, remaining, ratio, alerts, status, p10, p50, p90]) => ({
    slo: String(slo),
    objective: Number(objective),
    windowMs: Number(windowS) * 1000,
    remaining: Number(remaining),
    errorRatio: Number(ratio),
    alerts: JSON.parse(String(alerts)) as StoredErrorBudget['alerts'],
    status: String(status) as StoredErrorBudget['status'],
    p10Ms: ms(p10),
    p50Ms: ms(p50),
    p90Ms: ms(p90),
  }));
}
