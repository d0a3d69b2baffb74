import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { Store } from '../../src/store/Store.js';
import { ROOT, requireBuiltCli, runCliChild } from '../reliability/childCli.js';
import { runCli } from '../support/runCli.js';
import { useTempDir } from '../support/tempDir.js';

async function emptyDb(dir: string): Promise<string> {
  const db = join(dir, 'x.duckdb');
  (await Store.open(db)).close();
  return db;
}

describe('bad input gives a one-line message, not a crash', () => {
  const tempDir = useTempDir();
  beforeAll(() => requireBuiltCli());

  it('a SQLite file as --db is named as such; DuckDB neither downloads nor installs an extension', async () => {
    const dir = tempDir();
    // A real SQLite 3 database (one table), made by Python's sqlite3.
    const file = join(dir, 'metrics.sqlite');
    copyFileSync(join(ROOT, 'test/fixtures/sqlite/metrics.sqlite'), file);
    const home = join(dir, 'home');
    for (const args of [['sql', '--db', file, 'SELECT 1'], ['headroom', '--db', file], ['forecast', '--db', file, '--horizon', '30d']]) {
      const run = await runCliChild(args, { HOME: home });
      expect(run.code).toBe(ExitCode.store);
      expect(run.stderr).toBe(`capplan: database ${file}: a SQLite file, not a DuckDB database (capplan stores its data in DuckDB; give a .duckdb file or a new path)\n`);
    }
    expect(existsSync(join(home, '.duckdb'))).toBe(false);
    // Even SQL asking DuckDB for an extension-backed reader does not fetch one.
    const db = await emptyDb(dir);
    const scan = await runCliChild(['sql', '--db', db, `SELECT * FROM sqlite_scan('${file}', 't')`], { HOME: home });
    expect(scan.code).toBe(ExitCode.failure);
    expect(scan.stderr).toMatch(/^capplan: SQL error: /);
    expect(existsSync(join(home, '.duckdb'))).toBe(false);
    const settings = await runCli(['sql', '--db', db, '--format', 'csv', "SELECT current_setting('autoinstall_known_extensions') AS i, current_setting('autoload_known_extensions') AS l"]);
    expect(settings.stdout).toBe('i,l\nfalse,false\n');
  });

  it('an unknown flag is named (in one line), not mistaken for a missing required one', async () => {
    const typo = await runCli(['headroom', '--dbb', 'x']);
    expect(typo.code).toBe(ExitCode.usage);
    expect(typo.stderr).toBe("capplan: unknown option '--dbb' (Did you mean --db?)\n");
    const missing = await runCli(['headroom']);
    expect(missing.code).toBe(ExitCode.usage);
    expect(missing.stderr).toBe("capplan: required option '--db <path>' not specified\n");
    const nested = await runCli(['notebook', 'run', 'n.ipynb', '--dbx', 'x']);
    expect(nested.stderr).toMatch(/^capplan: unknown option '--dbx'/);
  });

  it('a misspelt what-if key is named, with the key it probably meant', async () => {
    const db = await emptyDb(tempDir());
    const run = await runCli(['forecast', '--db', db, '--horizon', '90d', '--what-if', 'x:grow=+30%@2027-01-15']);
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toMatch(/unknown key 'grow' in 'grow=\+30%@2027-01-15' \(did you mean "growth"\?\)/);
    expect(run.stderr).not.toMatch(/not a number/);
  });

  it('a binary file as --input is refused with a message, not echoed', async () => {
    const dir = tempDir();
    const file = join(dir, 'data.csv');
    writeFileSync(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe, 0x00, 0x01]));
    const run = await runCli(['forecast', '--input', file, '--horizon', '7d']);
    expect(run.code).toBe(ExitCode.data);
    expect(run.stderr).toBe(`capplan: ${file}: a binary file, not CSV text (expected a header 'timestamp,value' or 'series,timestamp,value')\n`);
    expect(run.stdout).toBe('');
  });

  it('table output holds any number of rows (600,000 here)', async () => {
    const db = await emptyDb(tempDir());
    const run = await runCli(['sql', '--db', db, 'SELECT range AS n, range * 2 AS twice FROM range(600000)']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(600_003);
    expect(lines.at(-2)).toBe('599999  1199998');
    expect(lines.at(-1)).toBe('(600000 rows)');
  });

  it('streamed JSON and CSV of a large result are whole and parse', async () => {
    const db = await emptyDb(tempDir());
    const json = await runCli(['sql', '--db', db, '--format', 'json', "SELECT range AS n, 'x' || range AS s FROM range(25000)"]);
    const rows = JSON.parse(json.stdout) as { n: number; s: string }[];
    expect(rows).toHaveLength(25_000);
    expect(rows[24_999]).toEqual({ n: 24_999, s: 'x24999' });
    const csv = await runCli(['sql', '--db', db, '--format', 'csv', 'SELECT range AS n FROM range(25000)']);
    expect(csv.stdout.split('\n')).toHaveLength(25_002);
    expect(JSON.parse((await runCli(['sql', '--db', db, '--format', 'json', 'SELECT 1 AS a WHERE false'])).stdout)).toEqual([]);
  });

  it('CSV on stdout ends lines with LF only', async () => {
    const db = await emptyDb(tempDir());
    const run = await runCli(['sql', '--db', db, '--format', 'csv', "SELECT 'a' AS x UNION ALL SELECT 'b'"]);
    expect(run.stdout).toBe('x\na\nb\n');
  });

  it('a reader that closes the pipe early (| head -1) ends the command quietly', async () => {
    const db = await emptyDb(tempDir());
    const proc = spawn(process.execPath, [join(ROOT, 'bin/capplan.js'), 'sql', '--db', db, '--format', 'csv', 'SELECT * FROM range(300000)'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let first = '';
    proc.stdout.once('data', (c: Buffer) => {
      first = c.toString().split('\n')[0];
      proc.stdout.destroy();
    });
    const [code] = await once(proc, 'exit');
    expect(first).toBe('range');
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('a reader that goes away mid-run (| head -c 1) does not cut the run short: it completes and the database is closed', async () => {
    const dir = tempDir();
    const db = join(dir, 'demo.duckdb');
    const proc = spawn(process.execPath, [join(ROOT, 'bin/capplan.js'), 'demo', '--size', 'small', '--db', db, '--out', join(dir, 'reports')], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.stdout.once('data', () => proc.stdout.destroy());
    const [code] = await once(proc, 'exit');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // Exiting at the broken pipe left the write-ahead log beside the file, unmerged.
    expect(existsSync(`${db}.wal`)).toBe(false);
    expect(existsSync(join(dir, 'reports'))).toBe(true);
    const store = await Store.open(db, { readOnly: true });
    try {
      const runs = await store.query('SELECT status, expected_count, forecast_count FROM forecast_runs');
      expect(runs.rows.length).toBeGreaterThan(0);
      for (const [status, expected, forecast] of runs.rows) {
        expect(status).toBe('ok');
        expect(Number(forecast)).toBe(Number(expected));
      }
    } finally {
      store.close();
    }
  });
});

