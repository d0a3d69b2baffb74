import type { DuckDBValue } from '@duckdb/node-api';
import type { Store } from './Store.js';
import { numberOrNull } from './sqlValues.js';

/**
 * The read side of forecast runs: which run, its summary, the scenario runs
 * made with it. The report, every command and the exports find runs here, so
 * "the latest run" means the same thing everywhere.
 */

/** A forecast run as stored. */
export interface StoredRun {
  readonly runId: number;
  /** End of the data the run forecast from. */
  readonly asOfMs: number;
  readonly horizonEndMs: number;
  /** What-if scenario name; null for a baseline run. */
  readonly scenario: string | null;
  readonly status: 'ok' | 'failed' | 'running';
  /** Interval levels as fractions (0.8). */
  readonly levels: readonly number[];
  readonly seriesCount: number;
  readonly failedCount: number;
}

/** Which run to find: by default the newest successful baseline run. */
export interface RunQuery {
  /** Exactly this run, whatever its status or scenario. */
  readonly runId?: number;
  /** A scenario's newest run instead of the baseline. */
  readonly scenario?: string | null;
  /** The newest run whose data ended at or before this instant. */
  readonly beforeMs?: number;
  /** The newest run older than this one. */
  readonly beforeRunId?: number;
}

const COLUMNS = `run_id, epoch_ms(as_of)::DOUBLE, (epoch_ms(as_of) + horizon_s * 1000)::DOUBLE, scenario, status, levels, series_count, failed_count`;

/** Finds one run (see `RunQuery`); null when there is none. */
export async function findRun(store: Store, q: RunQuery = {}): Promise<StoredRun | null> {
  if (q.runId !== undefined) {
    return (await runs(store, `SELECT ${COLUMNS} FROM forecast_runs WHERE run_id = $1`, [q.runId]))[0] ?? null;
  }
  const found = await runs(
    store,
    `SELECT ${COLUMNS} FROM forecast_runs
     WHERE status = 'ok' AND scenario IS NOT DISTINCT FROM $1
       AND ($2::BIGINT IS NULL OR epoch_ms(as_of) <= $2::BIGINT)
       AND ($3::INTEGER IS NULL OR run_id < $3::INTEGER)
     ORDER BY run_id DESC LIMIT 1`,
    [q.scenario ?? null, q.beforeMs === undefined ? null : Math.round(q.beforeMs), q.beforeRunId ?? null],
  );
  return found[0] ?? null;
}

/** The run a report or diff compares `run` with: the newest successful baseline before it. */
export async function previousRun(store: Store, run: StoredRun): Promise<StoredRun | null> {
  return findRun(store, { beforeRunId: run.runId });
}

/**
 * The scenario runs made together with a baseline run: same data cutoff,
 * started after it and before the next baseline.
 */
export async function scenarioRunsOf(store: Store, baseline: StoredRun): Promise<StoredRun[]> {
  return runs(
    store,
    `SELECT ${COLUMNS} FROM forecast_runs s
     WHERE s.scenario IS NOT NULL AND s.status = 'ok' AND s.as_of = epoch_ms($2::BIGINT)::TIMESTAMPTZ AND s.run_id > $1
       AND NOT EXISTS (SELECT 1 FROM forecast_runs b WHERE b.scenario IS NULL AND b.run_id > $1 AND b.run_id < s.run_id)
     ORDER BY run_id`,
    [baseline.runId, Math.round(baseline.asOfMs)],
  );
}

/** Scenario names that have a successful run. */
export async function scenarioNames(store: Store): Promise<string[]> {
  const reader = await store.connection.runAndReadAll(`SELECT DISTINCT scenario FROM forecast_runs WHERE status = 'ok' AND scenario IS NOT NULL ORDER BY 1`);
  return reader.getRows().map((r) => String(r[0]));
}

/** How many series each model was chosen for in a run, most used first ("(failed)" for failures). */
export async function modelCounts(store: Store, runId: number): Promise<{ model: string; count: number }[]> {
  const reader = await store.connection.runAndReadAll(
    `SELECT coalesce(model, '(failed)'), count(*)::INTEGER FROM forecasts WHERE run_id = $1 GROUP BY ALL ORDER BY 2 DESC, 1`,
    [runId],
  );
  return reader.getRowsJS().map(([model, count]) => ({ model: String(model), count: Number(count) }));
}

/** The newest stored sample's time; null for an empty database. */
export async function latestSampleMs(store: Store): Promise<number | null> {
  const reader = await store.connection.runAndReadAll(`SELECT epoch_ms(max(ts))::DOUBLE FROM samples`);
  return numberOrNull(reader.getRowsJS()[0]?.[0]);
}

/** The scenario definition a scenario run was made with (as stored in its options), or null. */
export async function scenarioDefinition(store: Store, runId: number): Promise<ScenarioDefinition | null> {
  const reader = await store.connection.runAndReadAll(`SELECT options::VARCHAR FROM forecast_runs WHERE run_id = $1`, [runId]);
  const text = reader.getRowsJS()[0]?.[0];
  if (typeof text !== 'string') return null;
  const options = JSON.parse(text) as { scenario?: ScenarioDefinition } | null;
  return options?.scenario ?? null;
}

/** A what-if scenario as stored with its run. */
export interface ScenarioDefinition {
  readonly name: string;
  readonly description: string | null;
  readonly resources: readonly string[] | null;
  readonly changes: readonly (
    | { kind: 'capacity'; at: string; change: 'add' | 'set'; amount: number }
    | { kind: 'growth'; factor: number; from: string; rampMs: number | null }
    | { kind: 'step'; amount: number; at: string }
  )[];
}

async function runs(store: Store, sql: string, params: DuckDBValue[]): Promise<StoredRun[]> {
  const reader = await store.connection.runAndReadAll(sql, params);
  return reader.getRowsJS().map((r) => ({
    runId: Number(r[0]),
    asOfMs: Number(r[1]),
    horizonEndMs: Number(r[2]),
    scenario: r[3] === null ? null : String(r[3]),
    status: String(r[4]) as StoredRun['status'],
    levels: (r[5] as number[] | null) ?? [],
    seriesCount: Number(r[6]),
    failedCount: Number(r[7]),
  }));
}
