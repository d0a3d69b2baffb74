import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { quoteLiteral } from '../../src/store/sql.js';
import { ExitCode } from '../../src/errors.js';
import { Store } from '../../src/store/Store.js';
import { runCli } from '../support/runCli.js';
import { useTempDir } from '../support/tempDir.js';

async function seededDb(dir: string): Promise<string> {
  const db = join(dir, 'x.duckdb');
  const store = await Store.open(db);
  const pull = await store.beginPull({ source: 'test' });
  const t = Float64Array.from({ length: 24 }, (_, i) => Date.UTC(2026, 0, 1) + i * 3_600_000);
  const labels = { instance: 'a,"b"', note: 'line1\nline2' };
  await store.writeSamples(pull, [{ key: { resource: 'disk', metric: 'used', labels }, resolutionS: 3600, timestamps: t, values: t.map((_, i) => i) }]);
  store.close();
  return db;
}

describe('capplan sql', () => {
  const tempDir = useTempDir();

  it('returns the sample count as a table, CSV and JSON', async () => {
    const db = await seededDb(tempDir());
    const table = await runCli(['sql', '--db', db, 'SELECT count(*) AS n FROM samples']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ n\n─+\n24\n\(1 row\)\n$/);
    const csv = await runCli(['sql', '--db', db, '--format', 'csv', `SELECT labels['instance'] AS i, labels['note'] AS n FROM series`]);
    expect(csv.stdout).toBe('i,n\n"a,""b""","line1\nline2"\n');
    const json = await runCli(['sql', '--db', db, '--format', 'json', 'SELECT min(ts) AS first, count(*) AS n, any_value(labels) AS l FROM samples JOIN series USING (series_id)']);
    expect(JSON.parse(json.stdout)).toEqual([{ first: '2026-01-01T00:00:00.000Z', n: 24, l: { instance: 'a,"b"', note: 'line1\nline2' } }]);
    // DATEs are days, not midnight instants.
    const days = await runCli(['sql', '--db', db, '--format', 'csv', 'SELECT day, max_value FROM daily_peaks']);
    expect(days.stdout).toBe('day,max_value\n2026-01-01,23\n');
  });

  it('reads SQL from a file', async () => {
    const dir = tempDir();
    const db = await seededDb(dir);
    writeFileSync(join(dir, 'q.sql'), 'SELECT max(value) AS m FROM samples;');
    const r = await runCli(['sql', '--db', db, '-f', join(dir, 'q.sql'), '--format', 'json']);
    expect(JSON.parse(r.stdout)).toEqual([{ m: 23 }]);
  });

  it('is read-only unless --write is given', async () => {
    const db = await seededDb(tempDir());
    const r = await runCli(['sql', '--db', db, 'DELETE FROM samples']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stderr).toMatch(/read-only; pass --write/);
    expect((await runCli(['sql', '--db', db, '--format', 'json', 'SELECT count(*) AS n FROM samples'])).stdout).toContain('"n": 24');
    const w = await runCli(['sql', '--db', db, '--write', 'DELETE FROM samples WHERE value > 20']);
    expect(w.code).toBe(0);
    expect((await runCli(['sql', '--db', db, '--format', 'json', 'SELECT count(*) AS n FROM samples'])).stdout).toContain('"n": 21');
  });

  it("shows DuckDB's message for bad SQL", async () => {
    const db = await seededDb(tempDir());
    const r = await runCli(['sql', '--db', db, 'SELEC 1']);
    expect(r.code).toBe(ExitCode.failure);
    expect(r.stderr).toMatch(/^capplan: SQL error: Parser Error: syntax error at or near "SELEC"/);
  });

  it('names a missing database instead of creating one', async () => {
    const dir = tempDir();
    const r = await runCli(['sql', '--db', join(dir, 'none.duckdb'), 'SELECT 1']);
    expect(r.code).toBe(ExitCode.store);
    expect(r.stderr).toMatch(/none\.duckdb: no such file/);
  });
});

/** Another process holding the database open for writing, as a cron pull would; released after `holdMs`. */
async function holdWriteLock(db: string, holdMs: number): Promise<ChildProcess> {
  const api = createRequire(import.meta.url).resolve('@duckdb/node-api');
  const script = `
    const { DuckDBInstance } = await import(${JSON.stringify(api)});
    const instance = await DuckDBInstance.create(${JSON.stringify(db)});
    const connection = await instance.connect();
    process.stdout.write('locked\\n');
    setTimeout(() => { connection.closeSync(); instance.closeSync(); process.stdout.write('released\\n'); }, ${holdMs});`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  expect(chunk.toString()).toContain('locked');
  return child;
}

describe('capplan sql: Parquet, positions and locking', () => {
  const tempDir = useTempDir();

  it('writes the result as Parquet that DuckDB reads back', async () => {
    const dir = tempDir();
    const db = await seededDb(dir);
    const out = join(dir, 'peaks.parquet');
    const r = await runCli(['sql', '--db', db, '--format', 'parquet', '--out', out, "SELECT 1 AS ignored; SELECT series_id, ts, value FROM samples WHERE value >= 10 -- the last statement is written"]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote 14 rows to ${out}\n`);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const rows = (await connection.runAndReadAll(`SELECT count(*)::INTEGER, sum(value)::INTEGER, min(ts) = TIMESTAMPTZ '2026-01-01 10:00:00+00' FROM read_parquet(${quoteLiteral(out)})`)).getRowsJS();
    connection.closeSync();
    instance.closeSync();
    expect(rows).toEqual([[14, 231, true]]);

    const missing = await runCli(['sql', '--db', db, '--format', 'parquet', 'SELECT 1']);
    expect(missing.code).toBe(ExitCode.usage);
    expect(missing.stderr).toMatch(/--format parquet writes a file: give it with --out FILE/);
  });

  it('writes other formats to --out instead of standard output', async () => {
    const dir = tempDir();
    const db = await seededDb(dir);
    const r = await runCli(['sql', '--db', db, '--format', 'csv', '--out', join(dir, 'n.csv'), 'SELECT count(*) AS n FROM samples']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, 'n.csv'))).toBe(true);
  });

  it('shows the position of an error, in the whole script, for any statement', async () => {
    const dir = tempDir();
    const db = await seededDb(dir);
    const one = await runCli(['sql', '--db', db, 'SELECT nope FROM samples']);
    expect(one.code).toBe(ExitCode.failure);
    expect(one.stderr).toContain('SQL error: Binder Error: Referenced column "nope" not found');
    expect(one.stderr).toContain('LINE 1: SELECT nope FROM samples\n               ^');
    writeFileSync(join(dir, 'q.sql'), "SELECT 1 AS a;\n-- the count\nSELECT count(*)\n  FROM samples WHERE vaule > 1;\n");
    const script = await runCli(['sql', '--db', db, '-f', join(dir, 'q.sql')]);
    expect(script.code).toBe(ExitCode.failure);
    expect(script.stderr).toContain(`SQL error in ${join(dir, 'q.sql')} (statement 2 of 2, from line 1): Binder Error: Referenced column "vaule" not found`);
    expect(script.stderr).toContain('LINE 4:   FROM samples WHERE vaule > 1\n                             ^');
    const parse = await runCli(['sql', '--db', db, 'SELECT 1;\nSELECT FROM WHERE;']);
    expect(parse.stderr).toMatch(/SQL error: Parser Error: syntax error at or near "WHERE"\n\nLINE 2: SELECT FROM WHERE;/);
  });

  it('names the statement that needs --write', async () => {
    const db = await seededDb(tempDir());
    for (const sql of ['DELETE FROM samples', 'CREATE TABLE notes (t VARCHAR)', "UPDATE series SET name = 'x'"]) {
      const r = await runCli(['sql', '--db', db, sql]);
      expect(r.code).toBe(ExitCode.usage);
      expect(r.stderr).toMatch(/opened read-only; pass --write to run statements that modify it \(the SQL has an? (DELETE|CREATE|UPDATE) statement\)/);
    }
  });

  it('waits for a writer to finish, then gives up naming the file and the PID', async () => {
    const dir = tempDir();
    const db = await seededDb(dir);
    const holder = await holdWriteLock(db, 30_000);
    try {
      const started = performance.now();
      const r = await runCli(['sql', '--db', db, '--wait', '0.6', 'SELECT count(*) FROM samples']);
      const waited = performance.now() - started;
      expect(r.code).toBe(ExitCode.locked);
      expect(r.stderr).toContain(`database ${db}: process ${holder.pid} `);
      expect(r.stderr).toMatch(/holds it for writing; gave up after waiting 0\.6 s \(--wait 0\.6\)/);
      expect(waited).toBeGreaterThanOrEqual(550);
      expect(waited).toBeLessThan(5000);
      const now = await runCli(['sql', '--db', db, '--wait', '0', 'SELECT 1']);
      expect(now.code).toBe(ExitCode.locked);
    } finally {
      holder.kill();
      await once(holder, 'exit').catch(() => undefined);
    }

    const brief = await holdWriteLock(db, 700);
    try {
      const r = await runCli(['sql', '--db', db, '--format', 'json', 'SELECT count(*) AS n FROM samples']);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual([{ n: 24 }]);
    } finally {
      brief.kill();
    }
  });
});

describe('usage errors', () => {
  it('rejects an unknown command with a suggestion', async () => {
    const r = await runCli(['dmeo']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stderr).toMatch(/unknown command 'dmeo'/);
    expect(r.stderr).toMatch(/Did you mean demo\?/);
  });

  it('rejects an unknown flag', async () => {
    const r = await runCli(['sql', '--db', 'x.duckdb', '--fromat', 'csv', 'SELECT 1']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stderr).toMatch(/unknown option '--fromat'/);
  });

  it('rejects a bad choice', async () => {
    const r = await runCli(['sql', '--db', 'x.duckdb', '--format', 'xml', 'SELECT 1']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stderr).toMatch(/expected one of table, csv, json, parquet/);
  });

  it('prints help and version with exit 0', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: capplan/);
    expect(help.stdout).toMatch(/demo/);
    const sub = await runCli(['sql', '--help']);
    expect(sub.stdout).toMatch(/read-only unless --write/);
    const v = await runCli(['--version']);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
