import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { quoteIdentifier, quoteLiteral } from '../store/sql.js';
import type { Store } from '../store/Store.js';

export interface ParquetExportOptions {
  /**
   * Incremental export into a directory written before: rewrite only the sample
   * partitions from the UTC month containing this instant (ms) on. Every other
   * table is small and always written whole.
   */
  readonly since?: number;
}

export interface ParquetExport {
  /** Every Parquet file under the output directory, absolute, sorted. */
  readonly files: string[];
  /** Rows written per table and view in this export. */
  readonly rows: Record<string, number>;
  /** The analyst views written (`DIR/<view>/<view>.parquet`), as they read at export time. */
  readonly views: string[];
}

/** Tables written whole, one file each: `DIR/<table>/<table>.parquet`. */
const WHOLE_TABLES = ['resources', 'series', 'pulls', 'forecast_runs', 'forecasts', 'forecast_points', 'exhaustion', 'recommendations', 'error_budgets'] as const;

/**
 * Writes the database as Parquet for engines that take over when one machine
 * is not enough (Spark, Trino, BigQuery, DuckDB on object storage):
 *
 *     DIR/samples/resource=disk/month=2026-11/data_0.parquet   (hive partitions)
 *     DIR/series/series.parquet, DIR/forecasts/forecasts.parquet, …
 *     DIR/latest_exhaustion/latest_exhaustion.parquet, …   (every view, as it reads now)
 *
 * Samples carry `resource` and `month` (UTC, YYYY-MM) only in the directory
 * names; read them back with hive partitioning on, e.g. DuckDB's
 * `read_parquet('DIR/samples/**', hive_partitioning = true)`.
 * Timestamps are UTC instants, labels a Parquet MAP, JSON columns strings.
 */
export async function exportParquet(store: Store, outDir: string, options: ParquetExportOptions = {}): Promise<ParquetExport> {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const rows: Record<string, number> = {};

  const samplesDir = join(dir, 'samples');
  const sinceMonth = options.since === undefined ? null : monthOf(options.since);
  if (sinceMonth === null) rmSync(samplesDir, { recursive: true, force: true });
  else removeMonthsFrom(samplesDir, sinceMonth);
  mkdirSync(samplesDir, { recursive: true });
  const where = sinceMonth === null ? '' : `WHERE s.ts >= ${quoteLiteral(`${sinceMonth}-01 00:00:00+00`)}::TIMESTAMPTZ`;
  rows.samples = await copy(
    store,
    `SELECT s.series_id, s.ts, s.value, s.resolution_s, s.pull_id, se.resource, strftime(s.ts AT TIME ZONE 'UTC', '%Y-%m') AS month
     FROM samples s JOIN series se USING (series_id) ${where}
     ORDER BY se.resource, month, s.series_id, s.ts`,
    `${quoteLiteral(samplesDir)} (FORMAT parquet, PARTITION_BY (resource, month), OVERWRITE_OR_IGNORE)`,
  );

  for (const table of WHOLE_TABLES) {
    const tableDir = join(dir, table);
    mkdirSync(tableDir, { recursive: true });
    rows[table] = await copy(store, `SELECT * FROM ${quoteIdentifier(table)} ORDER BY ALL`, `${quoteLiteral(join(tableDir, `${table}.parquet`))} (FORMAT parquet)`);
  }

  // The views answer the common questions (latest_exhaustion, headroom, …); an engine reading
  // the export has no capplan schema to recompute them, so they go out as snapshots too.
  const views = (await store.query(
    `SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' AND database_name = current_database() ORDER BY 1`,
  )).rows.map((r) => String(r[0]));
  for (const view of views) {
    const viewDir = join(dir, view);
    mkdirSync(viewDir, { recursive: true });
    rows[view] = await copy(store, `SELECT * FROM ${quoteIdentifier(view)}`, `${quoteLiteral(join(viewDir, `${view}.parquet`))} (FORMAT parquet)`);
  }
  return { files: listParquet(dir).sort(), rows, views };
}

async function copy(store: Store, query: string, target: string): Promise<number> {
  const result = await store.query(`COPY (${query}) TO ${target}`);
  return Number(result.rows[0]?.[0] ?? 0);
}

function monthOf(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`exportParquet: since must be a time in ms, got ${ms}`);
  return new Date(ms).toISOString().slice(0, 7);
}

/** Removes `samplesDir/resource=*\/month=M` for every M at or after `month`, so they are rewritten whole. */
function removeMonthsFrom(samplesDir: string, month: string): void {
  if (!existsSync(samplesDir)) return;
  for (const r of readdirSync(samplesDir, { withFileTypes: true })) {
    if (!r.isDirectory()) continue;
    for (const m of readdirSync(join(samplesDir, r.name), { withFileTypes: true })) {
      const value = /^month=(\d{4}-\d{2})$/.exec(m.name)?.[1];
      if (m.isDirectory() && value !== undefined && value >= month) rmSync(join(samplesDir, r.name, m.name), { recursive: true, force: true });
    }
  }
}

function listParquet(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.parquet'))
    .map((e) => join(e.parentPath, e.name));
}
