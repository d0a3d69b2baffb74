import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { ExitCode, StoreError } from '../../src/errors.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { Store } from '../../src/store/Store.js';
import { seriesId, type SeriesKey } from '../../src/store/seriesId.js';
import { useTempDir } from '../support/tempDir.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const key = { resource: 'disk', metric: 'node_filesystem_used_bytes', labels: { instance: 'db-7', mountpoint: '/data' } };

function hourly(n: number, from = T0, f = (i: number) => i * 10) {
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = from + i * HOUR;
    values[i] = f(i);
  }
  return { timestamps, values };
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('Store', () => {
  const tempDir = useTempDir();

  it('round-trips samples exactly, in time order', async () => {
    const db = join(tempDir(), 'a.duckdb');
    const store = await Store.open(db, { now: () => T0 });
    const pull = await store.beginPull({ source: 'test' });
    const s = hourly(5000, T0, (i) => Math.sin(i) * 1e12 + 0.125);
    const res = await store.writeSamples(pull, [{ key, resolutionS: 3600, ...s }]);
    expect(res.inserted).toBe(5000);
    const back = await store.readSamples(seriesId(key));
    expect(Array.from(back.timestamps)).toEqual(Array.from(s.timestamps));
    expect(Array.from(back.values)).toEqual(Array.from(s.values));
    const [row] = await store.listSeries();
    expect(row.labels).toEqual(key.labels);
    expect(row.seriesId).toBe(seriesId(key));
    store.close();
  });

  it('a pull\'s writer keeps each series\' extent across batches: overlaps, updates and a failed batch count right', async () => {
    const store = await Store.open(join(tempDir(), 'w.duckdb'));
    const pull = await store.beginPull({ source: 'test' });
    const writer = store.sampleWriter(pull);
    const other = { ...key, labels: { instance: 'db-8' } };
    expect(await writer.write([{ key, resolutionS: 3600, ...hourly(100) }])).toMatchObject({ inserted: 100, updated: 0, existing: 0 });
    // The next window overlaps the last ten hours, one of them changed; a new series joins.
    const next = hourly(60, T0 + 90 * HOUR, (i) => (i === 5 ? -5 : (90 + i) * 10));
    expect(await writer.write([{ key, resolutionS: 3600, ...next }, { key: other, resolutionS: 3600, ...hourly(3) }])).toMatchObject({
      inserted: 50 + 3,
      updated: 1,
      existing: 9,
    });
    // A batch that fails stores nothing and leaves the writer's view of the store as it was.
    const broken = { key: { ...key, labels: { instance: 'db-9' } }, resolutionS: 3600, timestamps: new Float64Array(2), values: new Float64Array(1) };
    const later = hourly(10, T0 + 150 * HOUR, (i) => (150 + i) * 10);
    await expect(writer.write([{ key, resolutionS: 3600, ...later }, broken])).rejects.toThrow(/2 timestamps but 1 values/);
    expect(await writer.write([{ key, resolutionS: 3600, ...later }])).toMatchObject({ inserted: 10, existing: 0 });
    // The series of the failed batch is new again, and gets its series row.
    expect(await writer.write([{ ...broken, values: new Float64Array(2) }])).toMatchObject({ inserted: 1, existing: 1 });
    await writer.close();
    const back = await store.readSamples(seriesId(key));
    expect(back.values.length).toBe(160);
    expect(back.values[95]).toBe(-5);
    expect(Array.from(back.timestamps)).toEqual(Array.from(hourly(160).timestamps));
    const [{ n }] = (await store.query(`SELECT count(*)::INTEGER AS n FROM series`)).rows.map((r) => ({ n: r[0] }));
    expect(n).toBe(3);
    // A second writer (the next pull) reads the stored extents afresh: a re-read of everything changes nothing.
    const again = store.sampleWriter(await store.beginPull({ source: 'test' }));
    expect(await again.write([{ key, resolutionS: 3600, ...hourly(160, T0, (i) => (i === 95 ? -5 : i * 10)) }])).toMatchObject({
      inserted: 0,
      updated: 0,
      existing: 160,
    });
    await again.close();
    store.close();
  });

  it('stores new samples with their series, exact time (µs), value, resolution and pull, across chunk seams and in any order', async () => {
    const store = await Store.open(join(tempDir(), 'append.duckdb'));
    const p1 = await store.beginPull({ source: 'test' });
    const a = { ...key, labels: { instance: 'a' } };
    const b = { ...key, labels: { instance: 'b' } };
    const c = { ...key, labels: { instance: 'c' } };
    // a: 4,097 in-order hourly samples (two whole 2,048-row chunks and one row); b: before 1970 (negative µs), shuffled,
    // with a repeat and a NaN; c: year 2200 (µs beyond 2^52), extreme values.
    const sa = hourly(4097, T0, (i) => i * 1.5 - 1000);
    const bTimes = [-86_400_000, -3_600_000, -7_200_000, 0, -3_600_000, 1];
    const sb = { timestamps: Float64Array.from(bTimes), values: Float64Array.from([1, 2, 3, 4, 99, NaN]) };
    const future = Date.UTC(2200, 0, 1);
    const sc = { timestamps: Float64Array.from([future, future + 60_000]), values: Float64Array.from([Number.MAX_VALUE, -5e-324]) };
    const first = await store.writeSamples(p1, [
      { key: a, resolutionS: 3600, ...sa },
      { key: b, resolutionS: 60, ...sb },
      { key: c, resolutionS: 300, ...sc },
    ]);
    expect(first).toMatchObject({ inserted: 4097 + 4 + 2, updated: 0, existing: 1, nonFinite: 1 });
    const rows = async (k: SeriesKey) =>
      (
        await store.query(
          `SELECT epoch_us(ts)::DOUBLE AS us, value, resolution_s, pull_id FROM samples WHERE series_id = '${seriesId(k)}' ORDER BY ts`,
        )
      ).rows.map((r) => r.map(Number));
    expect(await rows(a)).toEqual(Array.from(sa.timestamps, (t, i) => [t * 1000, sa.values[i], 3600, p1]));
    // The first delivered of a repeated timestamp wins; in time order.
    expect(await rows(b)).toEqual([
      [-86_400_000_000, 1, 60, p1],
      [-7_200_000_000, 3, 60, p1],
      [-3_600_000_000, 2, 60, p1],
      [0, 4, 60, p1],
    ]);
    expect(await rows(c)).toEqual([
      [future * 1000, Number.MAX_VALUE, 300, p1],
      [(future + 60_000) * 1000, -5e-324, 300, p1],
    ]);

    // The next pull re-reads a's last ten hours (one changed) and brings 3,000 more: only those are new, appended by p2.
    const p2 = await store.beginPull({ source: 'test' });
    const next = hourly(3010, T0 + 4087 * HOUR, (i) => (i === 3 ? -1 : (4087 + i) * 1.5 - 1000));
    expect(await store.writeSamples(p2, [{ key: a, resolutionS: 3600, ...next }])).toMatchObject({ inserted: 3000, updated: 1, existing: 9 });
    const all = await rows(a);
    expect(all).toHaveLength(7097);
    expect(all[4090]).toEqual([(T0 + 4090 * HOUR) * 1000, -1, 3600, p2]);
    expect(all.slice(4097).every(([us, v, r, p], k) => us === (T0 + (4097 + k) * HOUR) * 1000 && v === (4097 + k) * 1.5 - 1000 && r === 3600 && p === p2)).toBe(true);
    store.close();
  });

  it('re-ingesting an overlapping range adds the new samples and updates the values that changed, never duplicating', async () => {
    const store = await Store.open(join(tempDir(), 'b.duckdb'));
    const p1 = await store.beginPull({ source: 'test' });
    expect((await store.writeSamples(p1, [{ key, resolutionS: 3600, ...hourly(100) }])).inserted).toBe(100);
    const p2 = await store.beginPull({ source: 'test' });
    // Overlaps the last 20 hours with different values: the source's newer answer wins.
    const again = hourly(50, T0 + 80 * HOUR, () => -1);
    const res = await store.writeSamples(p2, [{ key, resolutionS: 3600, ...again }]);
    expect(res).toMatchObject({ inserted: 30, updated: 20, existing: 0 });
    const back = await store.readSamples(seriesId(key));
    expect(back.values.length).toBe(130);
    expect(back.values[79]).toBe(790);
    expect(back.values[85]).toBe(-1);
    expect(back.values[120]).toBe(-1);
    // The same answer again changes nothing.
    const p3 = await store.beginPull({ source: 'test' });
    expect(await store.writeSamples(p3, [{ key, resolutionS: 3600, ...again }])).toMatchObject({ inserted: 0, updated: 0, existing: 50 });
    const owners = await store.query(`SELECT pull_id, count(*) FROM samples GROUP BY pull_id ORDER BY pull_id`);
    expect(owners.rows).toEqual([
      [p1, 80],
      [p2, 50],
    ]);
    const dup = await store.query(`SELECT count(*) - count(DISTINCT (series_id, ts)) AS d FROM samples`);
    expect(dup.rows[0][0]).toBe(0);
    store.close();
  });

  it('keeps the first of duplicate timestamps in a batch and drops non-finite values', async () => {
    const store = await Store.open(join(tempDir(), 'c.duckdb'));
    const pull = await store.beginPull({ source: 'test' });
    const timestamps = Float64Array.from([T0 + 2 * HOUR, T0, T0, T0 + HOUR, T0 + 3 * HOUR]);
    const values = Float64Array.from([3, 1, 99, NaN, Infinity]);
    const res = await store.writeSamples(pull, [{ key, resolutionS: 3600, timestamps, values }]);
    expect(res).toMatchObject({ inserted: 2, nonFinite: 2 });
    const back = await store.readSamples(seriesId(key));
    expect(Array.from(back.values)).toEqual([1, 3]);
    store.close();
  });

  it('streams every series in id order without mixing them', async () => {
    const store = await Store.open(join(tempDir(), 'd.duckdb'));
    const pull = await store.beginPull({ source: 'test' });
    const batch = Array.from({ length: 7 }, (_, i) => ({
      key: { ...key, labels: { instance: `db-${i}` } },
      resolutionS: 3600,
      ...hourly(1000 + i, T0, (k) => i * 1e6 + k),
    }));
    await store.writeSamples(pull, batch);
    const seen: string[] = [];
    for await (const s of store.streamSamples()) {
      seen.push(s.seriesId);
      const i = s.values[0] / 1e6;
      expect(s.values.length).toBe(1000 + i);
      expect(s.values[s.values.length - 1]).toBe(i * 1e6 + 999 + i);
    }
    expect(seen).toEqual([...seen].sort());
    expect(seen.length).toBe(7);
    store.close();
  });

  it('keeps every pull with its outcome', async () => {
    const store = await Store.open(join(tempDir(), 'e.duckdb'), { now: () => T0 });
    const a = await store.beginPull({ source: 'demo', resource: 'disk' });
    await store.finishPull(a, { status: 'partial', warnings: ['store eu-2 unavailable'], seriesCount: 3, sampleCount: 10 });
    const b = await store.beginPull({ source: 'demo', resource: 'disk' });
    expect(b).toBe(a + 1);
    const r = await store.query(`SELECT pull_id, status, warnings FROM pulls ORDER BY pull_id`);
    expect(r.rows).toEqual([
      [a, 'partial', ['store eu-2 unavailable']],
      [b, 'running', []],
    ]);
    store.close();
  });
});

describe('opening databases', () => {
  const tempDir = useTempDir();

  it('migrates a database written by an older schema version, keeping its data', async () => {
    const db = join(tempDir(), 'old.duckdb');
    const v1 = await Store.open(db, { migrations: MIGRATIONS.slice(0, 1) });
    await v1.query(`INSERT INTO pulls (pull_id, started_at, source, status) VALUES (1, now(), 'test', 'ok')`);
    await v1.writeSamples(1, [{ key, resolutionS: 3600, ...hourly(10) }]);
    v1.close();
    const next = { version: MIGRATIONS[MIGRATIONS.length - 1].version + 1, description: 'test: add a column', statements: ['ALTER TABLE series ADD COLUMN team VARCHAR'] };
    const upgraded = await Store.open(db, { migrations: [...MIGRATIONS, next] });
    const versions = await upgraded.query(`SELECT list(version ORDER BY version) FROM schema_migrations`);
    expect(versions.rows[0][0]).toEqual([...MIGRATIONS.map((m) => m.version), next.version]);
    const cols = await upgraded.query(`SELECT count(*) FROM samples`);
    expect(cols.rows[0][0]).toBe(10);
    upgraded.close();
  });

  it('a failing migration rolls back and leaves the older schema usable', async () => {
    const db = join(tempDir(), 'bad.duckdb');
    (await Store.open(db)).close();
    const broken = { version: 99, description: 'broken', statements: ['ALTER TABLE series ADD COLUMN x INTEGER', 'SELECT no_such_column FROM series'] };
    await expect(Store.open(db, { migrations: [...MIGRATIONS, broken] })).rejects.toThrow(/migration 99 \(broken\) failed/);
    const store = await Store.open(db);
    const cols = await store.query(`SELECT count(*) FROM information_schema.columns WHERE table_name = 'series' AND column_name = 'x'`);
    expect(cols.rows[0][0]).toBe(0);
    store.close();
  });

  it('refuses a database written by a newer capplan and leaves it untouched', async () => {
    const db = join(tempDir(), 'new.duckdb');
    const store = await Store.open(db);
    await store.query(`INSERT INTO schema_migrations VALUES (999, 'from the future', now(), '9.0.0')`);
    store.close();
    const before = sha(db);
    const err = await Store.open(db).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toMatch(/newer capplan \(schema version 999/);
    expect(sha(db)).toBe(before);
  });

  it('refuses a file that is not DuckDB and leaves it untouched', async () => {
    const db = join(tempDir(), 'notes.duckdb');
    writeFileSync(db, 'these are my notes\n'.repeat(1000));
    const before = sha(db);
    await expect(Store.open(db)).rejects.toThrow(/not a DuckDB database file/);
    expect(sha(db)).toBe(before);
  });

  it('refuses a DuckDB file that is not capplan\'s', async () => {
    const db = join(tempDir(), 'other.duckdb');
    const inst = await DuckDBInstance.create(db);
    const con = await inst.connect();
    await con.run('CREATE TABLE invoices (id INTEGER)');
    con.closeSync();
    inst.closeSync();
    const before = sha(db);
    await expect(Store.open(db)).rejects.toThrow(/not a capplan database/);
    expect(sha(db)).toBe(before);
  });

  it('names a missing directory', async () => {
    const err = (await Store.open(join(tempDir(), 'nope', 'x.duckdb')).catch((e: unknown) => e)) as StoreError;
    expect(err.message).toMatch(/directory .*nope does not exist/);
    expect(err.exitCode).toBe(ExitCode.store);
  });

  it('reports a database locked by another process with its own exit code', async () => {
    const db = join(tempDir(), 'locked.duckdb');
    (await Store.open(db)).close();
    const holder = spawn(
      process.execPath,
      ['--input-type=module', '-e', `import {DuckDBInstance} from '@duckdb/node-api'; const i = await DuckDBInstance.create(${JSON.stringify(db)}); await i.connect(); console.log('held'); setTimeout(() => {}, 60000);`],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
        holder.on('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
      });
      const err = (await Store.open(db).catch((e: unknown) => e)) as StoreError;
      expect(err).toBeInstanceOf(StoreError);
      expect(err.exitCode).toBe(ExitCode.locked);
      expect(err.message).toMatch(/locked by another process .*PID \d+/);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
