import type { DuckDBConnection } from '@duckdb/node-api';
import { Store } from '../../src/store/Store.js';

/**
 * capplan's own integrity checks on a database. DuckDB has no
 * `PRAGMA integrity_check`: blocks are checksummed and verified when read, so
 * a CHECKPOINT plus a full scan of every table reads (and verifies) every
 * block; the queries below check what capplan itself promises on top.
 * Each check returns offending rows; an empty list means it holds.
 */
export const CONSISTENCY_CHECKS: Readonly<Record<string, string>> = {
  'no duplicate samples': `SELECT series_id, ts, count(*) AS n FROM samples GROUP BY ALL HAVING count(*) > 1 LIMIT 5`,
  'every sample has its series': `SELECT DISTINCT series_id FROM samples ANTI JOIN series USING (series_id) LIMIT 5`,
  'every sample has its pull': `SELECT DISTINCT pull_id FROM samples ANTI JOIN pulls USING (pull_id) LIMIT 5`,
  'no non-finite samples': `SELECT series_id, ts, value FROM samples WHERE NOT isfinite(value) LIMIT 5`,
  // Resuming reads series.last_ts: an extent that disagrees with the samples would skip or re-pull data.
  'series extents match their samples': `
    SELECT s.series_id, s.first_ts, s.last_ts, x.lo, x.hi
    FROM series s LEFT JOIN (SELECT series_id, min(ts) AS lo, max(ts) AS hi FROM samples GROUP BY ALL) x USING (series_id)
    WHERE s.first_ts IS DISTINCT FROM x.lo OR s.last_ts IS DISTINCT FROM x.hi LIMIT 5`,
  'every series has its resource': `SELECT DISTINCT resource FROM series ANTI JOIN resources USING (resource) LIMIT 5`,
  'finished pulls count what they stored': `
    SELECT p.pull_id, p.sample_count, count(s.ts) AS stored
    FROM pulls p LEFT JOIN samples s USING (pull_id)
    WHERE p.status IN ('ok', 'partial') GROUP BY ALL HAVING p.sample_count <> count(s.ts) LIMIT 5`,
  'pull statuses are known': `SELECT pull_id, status FROM pulls WHERE status NOT IN ('running', 'ok', 'partial', 'failed') LIMIT 5`,
  'every forecast has its run': `SELECT DISTINCT run_id FROM forecasts ANTI JOIN forecast_runs USING (run_id) LIMIT 5`,
  'every forecast has its series': `SELECT DISTINCT series_id FROM forecasts ANTI JOIN series USING (series_id) LIMIT 5`,
  'every forecast point has its forecast': `SELECT DISTINCT run_id, series_id FROM forecast_points ANTI JOIN forecasts USING (run_id, series_id) LIMIT 5`,
  'every exhaustion row has its forecast': `SELECT DISTINCT run_id, series_id FROM exhaustion ANTI JOIN forecasts USING (run_id, series_id) LIMIT 5`,
  'no duplicate forecast points': `SELECT run_id, series_id, ts, level, count(*) FROM forecast_points GROUP BY ALL HAVING count(*) > 1 LIMIT 5`,
  'finished runs hold every series they counted': `
    SELECT r.run_id, r.series_count, count(f.series_id) AS stored
    FROM forecast_runs r LEFT JOIN forecasts f USING (run_id)
    WHERE r.status = 'ok' GROUP BY ALL HAVING r.series_count <> count(f.series_id) LIMIT 5`,
  'finished runs account for every series they expected': `
    SELECT run_id, expected_count, forecast_count, failed_count, skipped_count FROM forecast_runs
    WHERE status = 'ok' AND (expected_count IS DISTINCT FROM forecast_count + failed_count + skipped_count) LIMIT 5`,
  'runs left running are never latest': `
    SELECT DISTINCT f.run_id, r.status FROM latest_forecasts f JOIN forecast_runs r USING (run_id) WHERE r.status <> 'ok' LIMIT 5`,
  'latest exhaustion only from finished runs': `
    SELECT DISTINCT e.run_id FROM latest_exhaustion e JOIN forecast_runs r USING (run_id) WHERE r.status <> 'ok' LIMIT 5`,
};

/** Every user table, for full scans and dumps. */
export const TABLES = ['schema_migrations', 'resources', 'series', 'pulls', 'samples', 'forecast_runs', 'forecasts', 'forecast_points', 'exhaustion'] as const;

export interface ConsistencyReport {
  /** Check name → offending rows (JSON), only for checks that failed. */
  readonly failures: Record<string, string[]>;
  readonly rowCounts: Record<string, number>;
}

/** Runs a CHECKPOINT, a full scan of every table and every consistency check. */
export async function checkConsistency(connection: DuckDBConnection, options: { checkpoint?: boolean } = {}): Promise<ConsistencyReport> {
  if (options.checkpoint !== false) await connection.run('CHECKPOINT');
  const rowCounts: Record<string, number> = {};
  for (const t of TABLES) {
    // hash(*) touches every column of every row, so every block is read and its checksum verified.
    const r = await connection.runAndReadAll(`SELECT count(*)::DOUBLE AS n, bit_xor(hash(t))::VARCHAR AS h FROM ${t} t`);
    rowCounts[t] = Number(r.getRowObjectsJS()[0].n);
  }
  const failures: Record<string, string[]> = {};
  for (const [name, sql] of Object.entries(CONSISTENCY_CHECKS)) {
    const r = await connection.runAndReadAll(sql);
    const rows = r.getRowObjectsJson();
    if (rows.length > 0) failures[name] = rows.map((x) => JSON.stringify(x));
  }
  return { failures, rowCounts };
}

/** Opens the database for writing (as the next cron run would), checks it, and closes it. */
export async function openAndCheck(path: string): Promise<ConsistencyReport> {
  const store = await Store.open(path);
  try {
    return await checkConsistency(store.connection);
  } finally {
    store.close();
  }
}

/** `series_id, epoch ms, value` of every sample, in order: what two pulls are compared by. */
export async function sampleRows(connection: DuckDBConnection): Promise<string[]> {
  const r = await connection.runAndReadAll(`SELECT series_id, epoch_ms(ts)::BIGINT::VARCHAR AS t, value FROM samples ORDER BY ALL`);
  return r.getRowObjectsJS().map((x) => `${String(x.series_id)} ${String(x.t)} ${String(x.value)}`);
}
