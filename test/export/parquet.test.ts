import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportParquet } from '../../src/export/parquet.js';
import { ingestDemo } from '../../src/demo/ingestDemo.js';
import { forecastStore } from '../../src/pipeline/forecastStore.js';
import { quoteLiteral } from '../../src/store/sql.js';
import { Store } from '../../src/store/Store.js';
import { FROZEN_NOW } from '../support/clock.js';

const NOW = FROZEN_NOW;
const END = Date.UTC(2026, 10, 24, 9);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Runs SQL on a fresh in-memory DuckDB, as an analyst reading the export would. */
async function readBack(sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`SET TimeZone = 'UTC'`);
    return (await connection.runAndReadAll(sql)).getRowsJson() as unknown[][];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('exportParquet on the demo database', () => {
  let dir: string;
  let store: Store;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capplan-parquet-'));
    store = await Store.open(join(dir, 'demo.duckdb'), { now: () => NOW });
    await ingestDemo(store, { endMs: END, seed: 42, size: 'small' });
    await forecastStore(store, { asOfMs: END, horizonMs: 90 * DAY, levels: [0.8, 0.95], thresholds: [0.8, 1], workers: 1 });
  });

  afterAll(() => {
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const source = async (sql: string) => (await store.connection.runAndReadAll(sql)).getRowsJson() as unknown[][];

  it('writes every table, samples partitioned by resource and month, and reads back equal', async () => {
    const out = join(dir, 'export');
    const result = await exportParquet(store, out);

    const sampleFiles = result.files.filter((f) => relative(out, f).startsWith('samples'));
    const partitions = sampleFiles.map((f) => relative(join(out, 'samples'), f).split('/').slice(0, 2).join('/'));
    const expectedPartitions = (await source(
      `SELECT DISTINCT 'resource=' || se.resource || '/month=' || strftime(s.ts, '%Y-%m') FROM samples s JOIN series se USING (series_id) ORDER BY 1`,
    )).flat();
    expect([...new Set(partitions)].sort()).toEqual(expectedPartitions);
    expect(expectedPartitions).toContain('resource=disk/month=2026-11');
    for (const t of ['resources', 'series', 'pulls', 'forecast_runs', 'forecasts', 'forecast_points', 'exhaustion']) {
      expect(result.files).toContain(join(out, t, `${t}.parquet`));
    }

    // Samples: count, sum, extent and the per-partition split match the source.
    const glob = quoteLiteral(join(out, 'samples', '**'));
    const [back] = await readBack(
      `SELECT count(*), sum(value::DECIMAL(38, 4)), count(DISTINCT series_id), min(ts)::VARCHAR, max(ts)::VARCHAR, sum(pull_id) FROM read_parquet(${glob}, hive_partitioning = true)`,
    );
    const [src] = await source(`SELECT count(*), sum(value::DECIMAL(38, 4)), count(DISTINCT series_id), min(ts)::VARCHAR, max(ts)::VARCHAR, sum(pull_id) FROM samples`);
    // Sums in DECIMAL: exact whatever order the rows are added in.
    expect(back.map(String)).toEqual(src.map(String));
    expect(result.rows.samples).toBe(Number(src[0]));
    const byPartition = await readBack(
      `SELECT resource, month, count(*), sum(value::DECIMAL(38, 4)) FROM read_parquet(${glob}, hive_partitioning = true) GROUP BY ALL ORDER BY ALL`,
    );
    const srcByPartition = await source(
      `SELECT se.resource, strftime(s.ts, '%Y-%m'), count(*), sum(s.value::DECIMAL(38, 4)) FROM samples s JOIN series se USING (series_id) GROUP BY ALL ORDER BY ALL`,
    );
    expect(byPartition.map((r) => r.map(String))).toEqual(srcByPartition.map((r) => r.map(String)));

    // The other tables, row for row (rendered as text so types compare across the round trip).
    for (const t of ['resources', 'series', 'pulls', 'forecast_runs', 'forecasts', 'forecast_points', 'exhaustion']) {
      const file = quoteLiteral(join(out, t, `${t}.parquet`));
      const a = await readBack(`SELECT count(*), md5(string_agg(x::VARCHAR, '|' ORDER BY x::VARCHAR)) FROM (SELECT COLUMNS(*)::VARCHAR FROM read_parquet(${file})) x`);
      const b = await source(`SELECT count(*), md5(string_agg(x::VARCHAR, '|' ORDER BY x::VARCHAR)) FROM (SELECT COLUMNS(*)::VARCHAR FROM ${t}) x`);
      expect({ table: t, rows: Number(a[0][0]), digest: a[0][1] }).toEqual({ table: t, rows: Number(b[0][0]), digest: b[0][1] });
      expect(result.rows[t]).toBe(Number(b[0][0]));
    }
    expect(result.rows.forecast_points).toBeGreaterThan(0);

    // Labels stay a MAP: filter by a label in the export as in the database.
    const [[disks]] = await readBack(`SELECT count(*) FROM read_parquet(${quoteLiteral(join(out, 'series', 'series.parquet'))}) WHERE labels['cluster'] = 'us-east'`);
    const [[srcDisks]] = await source(`SELECT count(*) FROM series WHERE labels['cluster'] = 'us-east'`);
    expect(Number(disks)).toBe(Number(srcDisks));
    expect(Number(disks)).toBeGreaterThan(0);

    // Every analyst view goes out too, as it reads at export time.
    expect(result.views).toEqual(expect.arrayContaining(['latest_exhaustion', 'latest_recommendations', 'headroom', 'data_quality', 'daily_peaks']));
    for (const v of result.views) {
      const file = quoteLiteral(join(out, v, `${v}.parquet`));
      const a = await readBack(`SELECT count(*), md5(string_agg(x::VARCHAR, '|' ORDER BY x::VARCHAR)) FROM (SELECT COLUMNS(*)::VARCHAR FROM read_parquet(${file})) x`);
      const b = await source(`SELECT count(*), md5(string_agg(x::VARCHAR, '|' ORDER BY x::VARCHAR)) FROM (SELECT COLUMNS(*)::VARCHAR FROM ${v}) x`);
      expect({ view: v, rows: Number(a[0][0]), digest: a[0][1] }).toEqual({ view: v, rows: Number(b[0][0]), digest: b[0][1] });
    }
    expect(result.rows.latest_exhaustion).toBeGreaterThan(0);
  });

  it('with since, rewrites only the sample months from that instant on', async () => {
    const out = join(dir, 'incremental');
    await exportParquet(store, out);
    const october = join(out, 'samples', 'resource=disk', 'month=2026-10', 'data_0.parquet');
    const before = statSync(october).mtimeMs;

    // A week more of one series, into December.
    const [s] = await store.listSeries({ resource: 'cpu' });
    const t = Float64Array.from({ length: 10 * 24 }, (_, i) => END + (i + 1) * HOUR);
    const pull = await store.beginPull({ source: 'test' });
    await store.writeSamples(pull, [{ key: { resource: s.resource, metric: s.metric, labels: s.labels }, resolutionS: 3600, timestamps: t, values: t.map(() => 1) }]);
    await store.finishPull(pull, { status: 'ok', seriesCount: 1, sampleCount: t.length });

    await new Promise((r) => setTimeout(r, 20));
    const result = await exportParquet(store, out, { since: END });
    const [[novDec]] = await source(`SELECT count(*) FROM samples WHERE ts >= TIMESTAMPTZ '2026-11-01 00:00:00+00'`);
    expect(result.rows.samples).toBe(Number(novDec));
    expect(statSync(october).mtimeMs).toBe(before);
    expect(result.files).toContain(join(out, 'samples', `resource=cpu`, 'month=2026-12', 'data_0.parquet'));

    const back = await readBack(`SELECT count(*), sum(value::DECIMAL(38, 4)) FROM read_parquet(${quoteLiteral(join(out, 'samples', '**'))}, hive_partitioning = true)`);
    const src = await source(`SELECT count(*), sum(value::DECIMAL(38, 4)) FROM samples`);
    expect(back.map((r) => r.map(String))).toEqual(src.map((r) => r.map(String)));
  });
});
