import type { Store } from '../store/Store.js';
import type { ErrorBudget, ExhaustionStatus, ResourceReport, RunSummary, ScenarioComparison } from './ReportModel.js';

/**
 * The scenario runs made with a baseline run (same data, started right after
 * it), compared series by series at the full threshold: only the series a
 * scenario moves are listed.
 */
export async function readScenarios(store: Store, run: RunSummary, resources: readonly ResourceReport[]): Promise<ScenarioComparison[]> {
  const names = new Map(resources.map((r) => [r.seriesId, r.shortName]));
  const runs = await store.connection.runAndReadAll(
    `SELECT run_id, scenario FROM forecast_runs s
     WHERE s.scenario IS NOT NULL AND s.status = 'ok' AND s.as_of = epoch_ms($2::BIGINT)::TIMESTAMPTZ AND s.run_id > $1
       AND NOT EXISTS (SELECT 1 FROM forecast_runs b WHERE b.scenario IS NULL AND b.run_id > $1 AND b.run_id < s.run_id)
     ORDER BY run_id`,
    [run.runId, Math.round(run.asOfMs)],
  );
  const out: ScenarioComparison[] = [];
  for (const [runId, scenario] of runs.getRows()) {
    const reader = await store.connection.runAndReadAll(
      `SELECT s.series_id, epoch_ms(b.p50)::DOUBLE, epoch_ms(s.p50)::DOUBLE, s.status
       FROM exhaustion s JOIN exhaustion b ON b.series_id = s.series_id AND b.threshold = s.threshold
       WHERE s.run_id = $1 AND b.run_id = $2 AND s.threshold = 1 AND b.p50 IS DISTINCT FROM s.p50
       ORDER BY s.p50 NULLS LAST, b.p50 NULLS LAST, s.series_id`,
      [Number(runId), run.runId],
    );
    out.push({
      scenario: String(scenario),
      runId: Number(runId),
      rows: reader.getRows().map(([id, b, s, status]) => ({
        seriesId: String(id),
        shortName: names.get(String(id)) ?? String(id),
        baselineP50Ms: b === null ? null : Number(b),
        scenarioP50Ms: s === null ? null : Number(s),
        status: String(status) as ExhaustionStatus,
      })),
    });
  }
  return out;
}

/** The SLOs' error budgets stored with a run. */
export async function readErrorBudgets(store: Store, run: RunSummary): Promise<ErrorBudget[]> {
  const reader = await store.connection.runAndReadAll(
    `SELECT slo, objective, remaining, alerts::VARCHAR, epoch_ms(p50)::DOUBLE, status FROM error_budgets WHERE run_id = $1 ORDER BY remaining`,
    [run.runId],
  );
  return reader.getRows().map(([slo, objective, remaining, alerts, p50, status]) => {
    const list = JSON.parse(String(alerts)) as { long_s: number; long_rate: number }[];
    const day = list.find((a) => a.long_s === 86_400);
    return {
      name: String(slo),
      objective: Number(objective),
      remainingRatio: Number(remaining),
      burnRate: day?.long_rate ?? 0,
      exhaustionMs: status === 'past' ? Number.NEGATIVE_INFINITY : p50 === null ? null : Number(p50),
    };
  });
}
