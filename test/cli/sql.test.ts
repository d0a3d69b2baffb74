import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
    expect(csv.stdout).toBe('i,n\r\n"a,""b""","line1\nline2"\r\n');
    const json = await runCli(['sql', '--db', db, '--format', 'json', 'SELECT min(ts) AS first, count(*) AS n, any_value(labels) AS l FROM samples JOIN series USING (series_id)']);
    expect(JSON.parse(json.stdout)).toEqual([{ first: '2026-01-01T00:00:00.000Z', n: 24, l: { instance: 'a,"b"', note: 'line1\nline2' } }]);
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
    expect(r.stderr).toMatch(/expected one of table, csv, json/);
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
