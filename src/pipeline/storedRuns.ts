import type { Store } from '../store/Store.js';

/** A finished forecast run as stored. */
export interface StoredRun {
  readonly runId: number;
  readonly asOfMs: number;
  readonly horizonEndMs: number;
  readonly scenario: string | null;
}

/**
 * The newest successful run (baseline unless `scenario` is given), or the
 * newest one whose data ended at or before `beforeMs`, or before `beforeRunId`.
 */
export async function findRun(store: Store, q: { scenario?: string | null; beforeMs?: number; beforeRunId?: number } = {}): Promise<StoredRun | null> {
  const reader = await store.connection.runAndReadAll(
    `SELECT run_id, epoch_ms(as_of)::DOUBLE, (epoch_ms(as_of) + horizon_s * 1000)::DOUBLE, scenario FROM forecast_runs
     WHERE status = 'ok' AND scenario IS NOT DISTINCT FROM $1
       AND ($2::BIGINT IS NULL OR epoch_ms(as_of) <= $2::BIGINT)
       AND ($3::INTEGER IS NULL OR run_id < $3::INTEGER)
     ORDER BY run_id DESC LIMIT 1`,
    [q.scenario ?? null, q.beforeMs === undefined ? null : Math.round(q.beforeMs), q.beforeRunId ?? null],
  );
  const row = reader.getRows()[0];
  if (!row) return null;
  return { runId: Number(row[0]), asOfMs: Number(row[1]), horizonEndMs: Number(row[2]), scenario: row[3] === null ? null : String(row[3]) };
}

/** Scenario names that have a successful run. */
export async function scenarioNames(store: Store): Promise<string[]> {
  const reader = await store.connection.runAndReadAll(`SELECT DISTINCT scenario FROM forecast_runs WHERE status = 'ok' AND scenario IS NOT NULL ORDER BY 1`);
  return reader.getRows().map((r) => String(r[0]));
}

/** A run by its id, whatever its scenario; null when there is no such run or it did not finish ok. */
export async function runById(store: Store, runId: number): Promise<(StoredRun & { status: string }) | null> {
  const reader = await store.connection.runAndReadAll(
    `SELECT run_id, epoch_ms(as_of)::DOUBLE, (epoch_ms(as_of) + horizon_s * 1000)::DOUBLE, scenario, status FROM forecast_runs WHERE run_id = $1`,
    [runId],
  );
  const row = reader.getRows()[0];
  if (!row) return null;
  return { runId: Number(row[0]), asOfMs: Number(row[1]), horizonEndMs: Number(row[2]), scenario: row[3] === null ? null : String(row[3]), status: String(row[4]) };
}
