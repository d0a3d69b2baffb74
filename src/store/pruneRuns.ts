import { quoteIdentifier } from './sql.js';
import type { Store } from './Store.js';

export interface PruneCriteria {
  /** Keep this many of the newest successful baseline runs (with the scenario runs made beside them). */
  readonly keep?: number;
  /** Prune runs started before this instant (ms UTC). */
  readonly olderThanMs?: number;
  /** Count what would go, delete nothing. */
  readonly dryRun?: boolean;
}

export interface PruneResult {
  /** Run ids pruned (or that would be, with dryRun), ascending. */
  readonly runIds: number[];
  /** Rows deleted per table (forecast_runs included). */
  readonly rows: Record<string, number>;
  /** The newest successful baseline run, never pruned; null when there is none. */
  readonly latestRunId: number | null;
  /** Runs left after pruning. */
  readonly kept: number;
}

/**
 * Deletes old forecast runs and every row that belongs to them (forecasts,
 * points, exhaustion, recommendations, error budgets: any table with a
 * `run_id`), in one transaction. Never touches samples, series or pulls, and
 * never the newest successful baseline run nor any run after it. With both
 * criteria a run goes only when both say so (older than D *and* not among
 * the newest N). Scenario runs go with the baseline they were made beside:
 * `keep` counts baseline runs, and a run is kept when its id is at least the
 * oldest kept baseline's.
 */
export async function pruneRuns(store: Store, criteria: PruneCriteria): Promise<PruneResult> {
  const c = store.connection;
  const baselines = (await c.runAndReadAll(`SELECT run_id FROM forecast_runs WHERE status = 'ok' AND scenario IS NULL ORDER BY run_id DESC`)).getRows().map((r) => Number(r[0]));
  const latestRunId = baselines[0] ?? null;
  // Nothing is pruned before the first successful baseline exists: the history may be all there is.
  const protectFrom = latestRunId ?? -Infinity;
  const keepFrom = criteria.keep === undefined ? Infinity : (baselines[criteria.keep - 1] ?? -Infinity);
  const candidates = await c.runAndReadAll(
    `SELECT run_id FROM forecast_runs
     WHERE run_id < $1::DOUBLE AND run_id < $2::DOUBLE
       AND ($3::BIGINT IS NULL OR started_at < epoch_ms($3::BIGINT)::TIMESTAMPTZ)
     ORDER BY run_id`,
    [latestRunId === null ? -1 : protectFrom, keepFrom === Infinity ? Number.MAX_SAFE_INTEGER : keepFrom, criteria.olderThanMs === undefined ? null : Math.round(criteria.olderThanMs)],
  );
  const runIds = candidates.getRows().map((r) => Number(r[0]));
  const tables = (await c.runAndReadAll(
    `SELECT table_name FROM duckdb_columns() c JOIN duckdb_tables() t USING (database_name, schema_name, table_name)
     WHERE c.column_name = 'run_id' AND c.schema_name = 'main' AND c.database_name = current_database() AND table_name <> 'forecast_runs'
     ORDER BY table_name`,
  )).getRows().map((r) => String(r[0]));
  const rows: Record<string, number> = {};
  const ids = `[${runIds.join(',')}]::INTEGER[]`;
  if (!criteria.dryRun && runIds.length > 0) await c.run('BEGIN TRANSACTION');
  try {
    for (const table of [...tables, 'forecast_runs']) {
      const sql = criteria.dryRun || runIds.length === 0
        ? `SELECT count(*) FROM ${quoteIdentifier(table)} WHERE list_contains(${ids}, run_id)`
        : `DELETE FROM ${quoteIdentifier(table)} WHERE list_contains(${ids}, run_id)`;
      rows[table] = runIds.length === 0 ? 0 : Number((await c.runAndReadAll(sql)).getRows()[0]?.[0] ?? 0);
    }
    if (!criteria.dryRun && runIds.length > 0) await c.run('COMMIT');
  } catch (err) {
    if (!criteria.dryRun && runIds.length > 0) await c.run('ROLLBACK');
    throw err;
  }
  if (!criteria.dryRun && runIds.length > 0) await c.run('CHECKPOINT');
  const kept = Number((await c.runAndReadAll(`SELECT count(*) FROM forecast_runs`)).getRows()[0][0]) - (criteria.dryRun ? runIds.length : 0);
  return { runIds, rows, latestRunId, kept };
}
