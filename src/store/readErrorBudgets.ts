import type { ErrorBudgetRecord } from './ForecastRecord.js';
import type { Store } from './Store.js';

/**
 * The error budgets of a run, least budget left first, as the record
 * `Store.writeErrorBudgets` stored (pipeline/errorBudgets.ts computes it):
 * what `capplan budget`, the report and the email show.
 */
export async function readErrorBudgets(store: Store, runId: number): Promise<ErrorBudgetRecord[]> {
  const reader = await store.connection.runAndReadAll(
    `SELECT slo, objective, window_s, epoch_ms(as_of)::DOUBLE, remaining, error_ratio, alerts::VARCHAR, status,
            epoch_ms(p10)::DOUBLE, epoch_ms(p50)::DOUBLE, epoch_ms(p90)::DOUBLE
     FROM error_budgets WHERE run_id = $1 ORDER BY remaining, slo`,
    [runId],
  );
  const ms = (v: unknown) => (v === null ? null : Number(v));
  return reader.getRowsJS().map(([slo, objective, windowS, asOf, remaining, ratio, alerts, status, p10, p50, p90]) => ({
    slo: String(slo),
    objective: Number(objective),
    windowMs: Number(windowS) * 1000,
    asOfMs: Number(asOf),
    remaining: Number(remaining),
    errorRatio: Number(ratio),
    alerts: (JSON.parse(String(alerts)) as StoredAlert[]).map((a) => ({
      severity: a.severity, longMs: a.long_s * 1000, shortMs: a.short_s * 1000, factor: a.factor, longRate: a.long_rate, shortRate: a.short_rate, firing: a.firing,
    })),
    status: String(status) as ErrorBudgetRecord['status'],
    p10: ms(p10),
    p50: ms(p50),
    p90: ms(p90),
  }));
}

/** An alert as stored in error_budgets.alerts (JSON, seconds). */
interface StoredAlert {
  readonly severity: string;
  readonly long_s: number;
  readonly short_s: number;
  readonly factor: number;
  readonly long_rate: number;
  readonly short_rate: number;
  readonly firing: boolean;
}
