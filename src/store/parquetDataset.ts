import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DataError } from '../errors.js';
import type { Shard } from '../shard.js';
import { quoteIdentifier, quoteLiteral } from './sql.js';
import type { Store } from './Store.js';
import { VERSION } from '../version.js';

/**
 * Tables a shard writes, one Parquet file each: what the report reads about
 * the shard's series (their samples and pulls too, for headroom now, peaks
 * and data quality) and the shard's forecast runs.
 */
export const DATASET_TABLES = [
  'resources',
  'series',
  'pulls',
  'samples',
  'forecast_runs',
  'forecasts',
  'forecast_points',
  'exhaustion',
  'recommendations',
  'error_budgets',
] as const;

/** Written last into a shard's directory: the shard is complete when this file is there. */
export const MANIFEST = '_capplan_shard.json';

/** What a shard says about itself in its manifest. */
export interface ShardManifest {
  readonly format: 'capplan-shard/1';
  readonly run: string;
  readonly shard: number;
  readonly count: number;
  readonly asOf: string;
  readonly seriesForecast: number;
  readonly seriesFailed: number;
  readonly rows: Readonly<Record<string, number>>;
  readonly capplanVersion: string;
  readonly writtenAt: string;
}

/** A run key as it may appear in a directory name (`run=<key>`): a Job name, a date. */
export function checkRunKey(key: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(key)) {
    throw new DataError(`run key '${key}': use letters, digits, '.', '_' and '-' only (it becomes the directory run=${key})`);
  }
  return key;
}

/** The default run key: the as-of time, `20261130T0100Z`, the same on every shard of one pull. */
export function runKeyOf(asOfMs: number): string {
  return new Date(asOfMs).toISOString().replace(/[-:]/g, '').replace(/\d\d\.\d{3}Z$/, 'Z');
}

/**
 * Writes everything `store` holds (a shard's scratch database) as the shard's
 * part of a Hive-partitioned dataset, `DIR/run=<key>/shard=<I>/<table>.parquet`,
 * for `assembleDataset` (or Spark, Trino, DuckDB) to read back with
 * `read_parquet('DIR/*\/*\/forecasts.parquet', hive_partitioning = true)`.
 * The files go into a hidden directory renamed into place at the end, then the
 * manifest is written, so a killed shard never looks complete.
 */
export async function writeShardDataset(
  store: Store,
  options: { readonly dir: string; readonly run: string; readonly shard: Shard; readonly asOfMs: number; readonly seriesForecast: number; readonly seriesFailed: number; readonly nowMs: number },
): Promise<{ readonly path: string; readonly manifest: ShardManifest }> {
  const runDir = join(resolve(options.dir), `run=${checkRunKey(options.run)}`);
  mkdirSync(runDir, { recursive: true });
  const final = join(runDir, `shard=${options.shard.index}`);
  const temp = join(runDir, `.shard=${options.shard.index}.tmp-${process.pid}`);
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp);
  const rows: Record<string, number> = {};
  for (const table of DATASET_TABLES) {
    const result = await store.query(`COPY (SELECT * FROM ${quoteIdentifier(table)} ORDER BY ALL) TO ${quoteLiteral(join(temp, `${table}.parquet`))} (FORMAT parquet)`);
    rows[table] = Number(result.rows[0]?.[0] ?? 0);
  }
  rmSync(final, { recursive: true, force: true });
  renameSync(temp, final);
  const manifest: ShardManifest = {
    format: 'capplan-shard/1',
    run: options.run,
    shard: options.shard.index,
    count: options.shard.count,
    asOf: new Date(options.asOfMs).toISOString(),
    seriesForecast: options.seriesForecast,
    seriesFailed: options.seriesFailed,
    rows,
    capplanVersion: VERSION,
    writtenAt: new Date(options.nowMs).toISOString(),
  };
  writeFileSync(join(final, `.${MANIFEST}.tmp`), `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(join(final, `.${MANIFEST}.tmp`), join(final, MANIFEST));
  return { path: final, manifest };
}

/** What `assembleDataset` read. */
export interface AssembledDataset {
  readonly runDir: string;
  readonly run: string;
  readonly shards: number;
  readonly series: number;
  readonly warnings: readonly string[];
}

/**
 * Loads one complete run of a shard dataset into `store` (a fresh database)
 * as if one process had run it: one forecast run per scenario (series and
 * failure counts summed, as-of the latest shard's), pulls deduplicated and
 * renumbered, error budgets from shard 1 (every shard computes the same).
 *
 * `dir` is the dataset (the newest run is taken) or one `run=<key>` directory.
 * A run missing shards, or whose shards disagree on N, horizon or levels, is
 * refused: a report from part of a fleet must never look whole.
 */
export async function assembleDataset(dir: string, store: Store): Promise<AssembledDataset> {
  const runDir = pickRun(dir);
  const manifests = readManifests(runDir);
  const counts = new Set(manifests.map((m) => m.count));
  if (counts.size > 1) throw new DataError(`${runDir}: shards disagree on the shard count (${[...counts].join(' vs ')}); were they written by different Jobs?`);
  const count = manifests[0].count;
  const present = new Set(manifests.map((m) => m.shard));
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !present.has(i));
  if (missing.length > 0) {
    throw new DataError(`${runDir}: ${present.size} of ${count} shards are complete; missing shard ${missing.join(', ')} (still running, or failed: see that pod's log)`);
  }
  const warnings: string[] = [];
  const asOfs = new Set(manifests.map((m) => m.asOf));
  if (asOfs.size > 1) warnings.push(`shards were forecast as of different times (${[...asOfs].sort().join(', ')}); the report uses the latest`);

  const glob = (table: string) => `read_parquet(${quoteLiteral(join(runDir, 'shard=*', `${table}.parquet`))}, hive_partitioning = true, union_by_name = true)`;
  const c = store.connection;
  const shape = await c.runAndReadAll(`SELECT count(DISTINCT horizon_s), count(DISTINCT levels::VARCHAR) FROM ${glob('forecast_runs')}`);
  const [horizons, levels] = shape.getRowsJS()[0] as [bigint | number, bigint | number];
  if (Number(horizons) > 1 || Number(levels) > 1) throw new DataError(`${runDir}: shards were forecast with different horizons or interval levels; rerun them with the same plan`);

  await c.run(
    `CREATE TEMP TABLE run_map AS
     WITH r AS (SELECT shard, run_id, coalesce(scenario, '') AS k FROM ${glob('forecast_runs')}),
          firsts AS (SELECT k, min(run_id) AS first FROM r GROUP BY k)
     SELECT r.shard, r.run_id AS old_id, dense_rank() OVER (ORDER BY f.first, f.k)::INTEGER AS new_id
     FROM r JOIN firsts f USING (k)`,
  );
  await c.run(
    `CREATE TEMP TABLE pull_map AS
     WITH p AS (SELECT * FROM ${glob('pulls')})
     SELECT shard, pull_id AS old_id,
            dense_rank() OVER (ORDER BY pull_id, started_at, source, coalesce(resource, ''), coalesce(query, ''))::INTEGER AS new_id
     FROM p`,
  );
  await c.run(`INSERT INTO resources BY NAME SELECT DISTINCT ON (resource) * EXCLUDE (run, shard) FROM ${glob('resources')} ORDER BY resource, shard`);
  await c.run(`INSERT INTO series BY NAME SELECT DISTINCT ON (series_id) * EXCLUDE (run, shard) FROM ${glob('series')} ORDER BY series_id, shard`);
  await c.run(
    `INSERT INTO pulls BY NAME
     SELECT DISTINCT ON (m.new_id) m.new_id AS pull_id, p.* EXCLUDE (run, shard, pull_id)
     FROM ${glob('pulls')} p JOIN pull_map m ON m.shard = p.shard AND m.old_id = p.pull_id ORDER BY m.new_id, p.shard`,
  );
  await c.run(
    `INSERT INTO samples BY NAME
     SELECT DISTINCT ON (x.series_id, x.ts) x.* EXCLUDE (run, shard, pull_id), m.new_id AS pull_id
     FROM ${glob('samples')} x JOIN pull_map m ON m.shard = x.shard AND m.old_id = x.pull_id`,
  );
  await c.run(
    `INSERT INTO forecast_runs BY NAME
     SELECT m.new_id AS run_id, min(r.started_at) AS started_at,
            CASE WHEN bool_and(r.finished_at IS NOT NULL) THEN max(r.finished_at) END AS finished_at,
            max(r.as_of) AS as_of, any_value(r.horizon_s) AS horizon_s, any_value(r.levels) AS levels, any_value(r.scenario) AS scenario,
            CASE WHEN bool_and(r.status = 'ok') THEN 'ok' ELSE 'failed' END AS status,
            any_value(r.capplan_version) AS capplan_version,
            sum(r.series_count)::INTEGER AS series_count, sum(r.failed_count)::INTEGER AS failed_count,
            sum(r.expected_count)::INTEGER AS expected_count, sum(r.forecast_count)::INTEGER AS forecast_count,
            sum(r.skipped_count)::INTEGER AS skipped_count, string_agg(r.error, '; ' ORDER BY r.shard) AS error,
            any_value(r.plan_file) AS plan_file, any_value(r.plan_sha256) AS plan_sha256, any_value(r.planning) AS planning,
            any_value(r.options) AS options
     FROM ${glob('forecast_runs')} r JOIN run_map m ON m.shard = r.shard AND m.old_id = r.run_id
     GROUP BY m.new_id`,
  );
  for (const table of ['forecasts', 'forecast_points', 'exhaustion', 'recommendations'] as const) {
    await c.run(
      `INSERT INTO ${quoteIdentifier(table)} BY NAME
       SELECT t.* EXCLUDE (run, shard, run_id), m.new_id AS run_id
       FROM ${glob(table)} t JOIN run_map m ON m.shard = t.shard AND m.old_id = t.run_id`,
    );
  }
  await c.run(
    `INSERT INTO error_budgets BY NAME
     SELECT t.* EXCLUDE (run, shard, run_id), m.new_id AS run_id
     FROM ${glob('error_budgets')} t JOIN run_map m ON m.shard = t.shard AND m.old_id = t.run_id WHERE t.shard = 1`,
  );
  await c.run('DROP TABLE run_map');
  await c.run('DROP TABLE pull_map');

  // Every shard's count must be in the assembled run: a lost file is an error, not a smaller fleet.
  const expected = manifests.reduce((n, m) => n + m.seriesForecast, 0);
  const got = await c.runAndReadAll(`SELECT series_count FROM forecast_runs WHERE scenario IS NULL`);
  const seriesCount = Number((got.getRowsJS()[0] ?? [0])[0]);
  const rowsRead = await c.runAndReadAll(`SELECT count(*) FROM forecasts f JOIN forecast_runs r USING (run_id) WHERE r.scenario IS NULL`);
  const forecastRows = Number(rowsRead.getRowsJS()[0][0]);
  if (seriesCount !== expected || forecastRows !== expected) {
    throw new DataError(`${runDir}: the shards' manifests count ${expected} series, but the dataset holds ${forecastRows} forecasts (run says ${seriesCount}); a file is missing or damaged`);
  }
  return { runDir, run: manifests[0].run, shards: count, series: expected, warnings };
}

/** `dir` itself when it is a `run=` directory, else its newest run (by the latest manifest written). */
function pickRun(dir: string): string {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new DataError(`${dir}: no such directory (expected a capplan shard dataset written with --out-parquet)`);
  if (/^run=/.test(basename(abs))) return abs;
  const runs = readdirSync(abs, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name.startsWith('run='));
  if (runs.length === 0) throw new DataError(`${dir}: no run=… directories (expected a capplan shard dataset written with --out-parquet)`);
  let best: { path: string; at: string } | null = null;
  for (const r of runs) {
    const path = join(abs, r.name);
    const at = readManifests(path, false).reduce((m, x) => (x.writtenAt > m ? x.writtenAt : m), '');
    if (best === null || at > best.at || (at === best.at && path > best.path)) best = { path, at };
  }
  return (best as { path: string }).path;
}

function readManifests(runDir: string, required = true): ShardManifest[] {
  const out: ShardManifest[] = [];
  for (const e of readdirSync(runDir, { withFileTypes: true })) {
    if (!e.isDirectory() || !/^shard=\d+$/.test(e.name)) continue;
    const file = join(runDir, e.name, MANIFEST);
    if (!existsSync(file)) continue;
    let m: ShardManifest;
    try {
      m = JSON.parse(readFileSync(file, 'utf8')) as ShardManifest;
    } catch (err) {
      throw new DataError(`${file}: not a capplan shard manifest (${(err as Error).message})`);
    }
    if (m.format !== 'capplan-shard/1' || `shard=${m.shard}` !== e.name) throw new DataError(`${file}: not a capplan shard manifest for ${e.name}`);
    out.push(m);
  }
  if (required && out.length === 0) throw new DataError(`${runDir}: no complete shard (no ${MANIFEST} under shard=…/); the Job may still be running or have failed`);
  return out.sort((a, b) => a.shard - b.shard);
}
