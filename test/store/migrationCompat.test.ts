import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { UPDATE_GOLDEN } from '../support/golden.js';
import { describe, expect, it } from 'vitest';
import { initialSchema } from '../../src/store/migrations/001_initial.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/migrations/index.js';
import { Store } from '../../src/store/Store.js';
import { useTempDir } from '../support/tempDir.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/schema-v1/', import.meta.url));
const SEED = readFileSync(join(FIXTURES, 'seed.sql'), 'utf8');
const V1_FILE = join(FIXTURES, 'capplan-v1.duckdb.gz');
const TABLES = ['resources', 'series', 'pulls', 'samples', 'forecast_runs', 'forecasts', 'forecast_points', 'exhaustion'];
const now = () => Date.UTC(2026, 0, 31, 1);

/** A schema-1 database: migration 001 only, then the seed written in plain SQL against the v1 tables. */
async function writeV1(path: string): Promise<void> {
  const store = await Store.open(path, { migrations: [initialSchema], now });
  await store.connection.run(SEED);
  store.close();
}

/** The columns of each table in schema 1; later migrations may add columns, never drop these. */
const V1_COLUMNS: Record<string, string> = {};

/** Every row of every v1 table (v1 columns only), in a stable order. */
async function snapshot(store: Store): Promise<Record<string, readonly unknown[]>> {
  const out: Record<string, readonly unknown[]> = {};
  for (const t of TABLES) out[t] = (await store.query(`SELECT ${V1_COLUMNS[t]} FROM ${t} ORDER BY ALL`)).rows;
  return out;
}

async function readV1(path: string): Promise<Record<string, readonly unknown[]>> {
  const store = await Store.open(path, { readOnly: true, migrations: [initialSchema] });
  try {
    const versions = (await store.query('SELECT version FROM schema_migrations ORDER BY 1')).rows.flat();
    expect(versions).toEqual([1]);
    for (const t of TABLES) {
      const cols = (await store.query(`SELECT column_name FROM duckdb_columns() WHERE table_name = '${t}' ORDER BY column_index`)).rows.flat();
      V1_COLUMNS[t] = cols.map((c) => `"${String(c)}"`).join(', ');
    }
    return await snapshot(store);
  } finally {
    store.close();
  }
}

/** Opens with the current code (migrating), checks versions, data and the new views. */
async function migrateAndCheck(path: string, before: Record<string, readonly unknown[]>): Promise<void> {
  const store = await Store.open(path, { now });
  try {
    const versions = (await store.query('SELECT version FROM schema_migrations ORDER BY 1')).rows.flat();
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
    expect(versions.at(-1)).toBe(SCHEMA_VERSION);
    expect(await snapshot(store)).toEqual(before);

    const q = async (sql: string) => (await store.query(sql)).rows;
    // Version 1 views still answer as before.
    expect(await q(`SELECT series_id, run_id FROM latest_forecasts ORDER BY 1`)).toEqual([
      ['aaaaaaaaaaaaaaa1', 2], ['aaaaaaaaaaaaaaa2', 2], ['aaaaaaaaaaaaaaa3', 2],
    ]);
    // The views of version 2, on the old data.
    expect(await q(`SELECT run_id, previous_run_id, p50_change_days FROM exhaustion_history WHERE series_id = 'aaaaaaaaaaaaaaa1' ORDER BY run_id`)).toEqual([
      [1, null, null],
      [2, 1, -2.5],
    ]);
    expect(await q(`SELECT model, series_count, median_mase, mean_coverage_80 FROM backtest_accuracy`)).toEqual([['linear', 3, 0.5, 0.75]]);
    expect(await q(`SELECT series_id, samples, completeness, data_gaps, partial_pulls, failed_pulls, warnings, pull_errors, source_resolutions FROM data_quality ORDER BY 1`)).toEqual([
      ['aaaaaaaaaaaaaaa1', 720, 1, 0, 1, 0, ['store eu-1 unavailable'], [], ['5m']],
      ['aaaaaaaaaaaaaaa2', 710, 710 / 720, 1, 1, 0, ['store eu-1 unavailable'], [], ['5m']],
      ['aaaaaaaaaaaaaaa3', 720, 1, 0, 0, 1, [], ['connection refused'], ['raw']],
    ]);
    expect(await q(`SELECT samples, max_value FROM daily_peaks WHERE series_id = 'aaaaaaaaaaaaaaa1' AND day = DATE '2026-01-01'`)).toEqual([[24, 411.5]]);
    expect(await q(`SELECT samples, max_value, min_value FROM weekly_peaks WHERE series_id = 'aaaaaaaaaaaaaaa3' AND week = DATE '2026-01-05'`)).toEqual([[168, 9.75, 4]]);
    expect(await q(`SELECT group_by, group_value, series_count, capacity FROM headroom_by_group WHERE resource = 'disk' ORDER BY 1, 2`)).toEqual([
      ['cluster', 'eu-1', 1, 1000],
      ['cluster', 'us-1', 1, 2000],
      ['resource', null, 2, 3000],
    ]);
    // Run 2 points: 928 + 12 n at as_of + n days (n = 1 … 90, as_of 2026-01-30 23:00); Q1's last is n = 60, 2026-03-31 23:00.
    expect(await q(`SELECT strftime(quarter, '%Y-%m-%d'), forecast_peak, headroom FROM headroom_by_quarter WHERE series_id = 'aaaaaaaaaaaaaaa1' ORDER BY quarter`)).toEqual([
      ['2026-01-01', 928 + 12 * 60, 1000 - (928 + 12 * 60)],
      ['2026-04-01', 928 + 12 * 90, 1000 - (928 + 12 * 90)],
    ]);
    // Sequences carry on after the old ids.
    expect(await store.beginPull({ source: 'test' })).toBe(4);
  } finally {
    store.close();
  }
}

describe('compatibility with schema version 1', () => {
  const tempDir = useTempDir();

  it('a database written at version 1 migrates to the latest version and keeps every row', async () => {
    const path = join(tempDir(), 'v1.duckdb');
    await writeV1(path);
    const before = await readV1(path);
    expect(before.samples).toHaveLength(2150);

    // Read-only readers refuse an old schema (they cannot migrate) and leave the file untouched.
    const bytes = readFileSync(path);
    await expect(Store.open(path, { readOnly: true })).rejects.toThrow(/schema version 1 is older than \d+; open it once with a writing command/);
    expect(readFileSync(path).equals(bytes)).toBe(true);

    await migrateAndCheck(path, before);
    // Opening again is a no-op.
    const again = await Store.open(path, { readOnly: true });
    expect((await again.query('SELECT count(*) FROM schema_migrations')).rows[0][0]).toBe(MIGRATIONS.length);
    again.close();
  });

  // The committed file pins what an old capplan actually wrote, DuckDB storage format included.
  // Regenerate (only when seed.sql changes): UPDATE_GOLDEN=1 npx vitest run test/store/migrationCompat.test.ts
  it('the committed version 1 file reads, equals a fresh version 1 database, and migrates', async () => {
    const dir = tempDir();
    if (UPDATE_GOLDEN) {
      const fresh = join(dir, 'fixture.duckdb');
      await writeV1(fresh);
      writeFileSync(V1_FILE, gzipSync(readFileSync(fresh), { level: 9 }));
    }
    const path = join(dir, 'committed.duckdb');
    writeFileSync(path, gunzipSync(readFileSync(V1_FILE)));
    const fresh = join(dir, 'fresh.duckdb');
    await writeV1(fresh);
    const before = await readV1(path);
    expect(before).toEqual(await readV1(fresh));
    await migrateAndCheck(path, before);
  });
});
