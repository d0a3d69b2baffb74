import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/CliContext.js';
import { registerNotebook } from '../../src/cli/commands/notebook.js';
import { ExitCode } from '../../src/errors.js';
import { readNotebook } from '../../src/notebook/Notebook.js';
import { NotebookError } from '../../src/notebook/NotebookError.js';
import { formatValue } from '../../src/notebook/renderResult.js';
import { runNotebook } from '../../src/notebook/runNotebook.js';
import { splitStatements } from '../../src/notebook/sqlScript.js';
import { Store } from '../../src/store/Store.js';
import { useTempDir } from '../support/tempDir.js';

async function seededDb(dir: string): Promise<string> {
  const db = join(dir, 'x.duckdb');
  const store = await Store.open(db);
  const pull = await store.beginPull({ source: 'test' });
  const t = Float64Array.from({ length: 48 }, (_, i) => Date.UTC(2026, 0, 1) + i * 3_600_000);
  await store.writeSamples(pull, [
    { key: { resource: 'disk', metric: 'used', labels: { host: '<b>db&1</b>' } }, resolutionS: 3600, timestamps: t, values: t.map((_, i) => i + 0.5) },
  ]);
  await store.finishPull(pull, { status: 'ok', seriesCount: 1, sampleCount: 48 });
  store.close();
  return db;
}

const code = (source: string | string[], metadata: Record<string, unknown> = {}) => ({ cell_type: 'code', execution_count: null, metadata, outputs: [], source });
const markdown = (source: string) => ({ cell_type: 'markdown', metadata: {}, source });

function writeNb(path: string, cells: unknown[], language = 'sql'): void {
  const nb = {
    cells,
    metadata: { kernelspec: { display_name: 'DuckDB SQL', language, name: 'duckdb' }, language_info: { name: language } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(path, JSON.stringify(nb, null, 1));
}

describe('runNotebook', () => {
  const tempDir = useTempDir();

  it('runs SQL cells in order and writes aligned text and escaped HTML tables', async () => {
    const dir = tempDir();
    const db = await seededDb(dir);
    const path = join(dir, 'a.ipynb');
    writeNb(path, [
      markdown('# Title'),
      code(['CREATE TEMP TABLE d AS\n', 'SELECT day, max_value FROM daily_peaks;\n', "SET VARIABLE who = 'x';"]),
      code('SELECT labels[\'host\'] AS host, count(*) AS n, max(value) AS top, NULL AS nothing, DATE \'2026-01-02\' AS d FROM samples JOIN series USING (series_id) GROUP BY ALL'),
      code('   '),
      code('SELECT day, max_value, getvariable(\'who\') AS who FROM d ORDER BY day'),
    ]);
    const run = await runNotebook(path, db);
    expect(run.executed).toBe(3);
    expect(run.changed).toEqual([2, 3, 5]);
    const cells = run.notebook.cells;
    expect(cells[0]).toEqual(markdown('# Title'));
    expect(cells.map((c) => c.execution_count ?? null)).toEqual([null, 1, 2, null, 3]);
    expect(cells[3].outputs).toEqual([]);

    const out = cells[2].outputs?.[0];
    expect(out?.output_type).toBe('execute_result');
    expect(out?.execution_count).toBe(2);
    expect((out?.data?.['text/plain'] as string[]).join('')).toBe(
      ['host          n   top  nothing  d', '───────────  ──  ────  ───────  ──────────', '<b>db&1</b>  48  47.5     NULL  2026-01-02', '(1 row)'].join('\n'),
    );
    const html = (out?.data?.['text/html'] as string[]).join('');
    expect(html).toContain('<td>&lt;b&gt;db&amp;1&lt;/b&gt;</td>');
    expect(html).not.toContain('<b>db');
    expect(html).toContain('<th style="text-align: right">n</th>');
    expect((cells[4].outputs?.[0].data?.['text/plain'] as string[]).join('')).toMatch(/^day +max_value +who\n[─ ]+\n2026-01-01 +23.5 +x\n2026-01-02 +47.5 +x\n\(2 rows\)$/);
  });

  it('names the notebook and the cell (counting every cell) when one fails, with DuckDB\'s position', async () => {
    const dir = tempDir();
    const db = await seededDb(dir);
    const path = join(dir, 'broken.ipynb');
    writeNb(path, [markdown('intro'), code('SELECT 1'), markdown('more'), code('SELECT 1;\nSELECT nope\nFROM samples')]);
    const err = await runNotebook(path, db).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotebookError);
    expect((err as NotebookError).cell).toBe(4);
    expect((err as NotebookError).exitCode).toBe(ExitCode.failure);
    expect((err as Error).message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, cell 4: SQL error \\(statement 2 of 2, from line 1\\): Binder Error: Referenced column "nope" not found`));
    expect((err as Error).message).toContain('LINE 2: SELECT nope');
  });

  it('opens the database read-only', async () => {
    const dir = tempDir();
    const db = await seededDb(dir);
    const path = join(dir, 'w.ipynb');
    writeNb(path, [code('DELETE FROM samples')]);
    await expect(runNotebook(path, db)).rejects.toThrow(/w\.ipynb, cell 1: SQL error: .*read-only/);
    const store = await Store.open(db, { readOnly: true });
    expect((await store.query('SELECT count(*) FROM samples')).rows[0][0]).toBe(48);
    store.close();
  });

  it('refuses files that are not SQL notebooks, naming them', async () => {
    const dir = tempDir();
    const db = await seededDb(dir);
    const py = join(dir, 'py.ipynb');
    writeNb(py, [code('print(1)')], 'python');
    await expect(runNotebook(py, db)).rejects.toThrow(`${py}: its code cells are python, not SQL`);
    writeFileSync(join(dir, 'bad.ipynb'), '{ nope');
    await expect(runNotebook(join(dir, 'bad.ipynb'), db)).rejects.toThrow(/bad\.ipynb: not a Jupyter notebook \(invalid JSON/);
    await expect(runNotebook(join(dir, 'none.ipynb'), db)).rejects.toThrow(/none\.ipynb: no such file/);
  });
});

describe('splitStatements', () => {
  it('splits at top-level semicolons only and keeps the start line', () => {
    const sql = "SELECT 'a;b' AS x; -- c;d\nSELECT \"odd;name\" FROM t;\n/* x;\ny */ SELECT $$;$$, E'it\\'s;';\n  ;  -- only a comment\n";
    expect(splitStatements(sql)).toEqual([
      { text: "SELECT 'a;b' AS x", line: 1 },
      { text: ' -- c;d\nSELECT "odd;name" FROM t', line: 1 },
      { text: "\n/* x;\ny */ SELECT $$;$$, E'it\\'s;'", line: 2 },
    ]);
  });
});

describe('formatValue', () => {
  it('keeps integer parts, rounds fractions to 6 significant digits, spells NULL', () => {
    expect(formatValue(1234567.891, 'DOUBLE')).toBe('1234568');
    expect(formatValue(12.3456789, 'DOUBLE')).toBe('12.3457');
    expect(formatValue(0.5, 'DOUBLE')).toBe('0.5');
    expect(formatValue(0.00001234, 'DOUBLE')).toBe('1.234e-5');
    expect(formatValue(-2, 'INTEGER')).toBe('-2');
    expect(formatValue(null, 'DOUBLE')).toBe('NULL');
    expect(formatValue('2026-01-02T00:00:00.000Z', 'DATE')).toBe('2026-01-02');
    expect(formatValue(['a'], 'VARCHAR[]')).toBe('["a"]');
  });
});

describe('capplan notebook run', () => {
  const tempDir = useTempDir();

  async function cli(args: string[], cwd: string): Promise<{ stdout: string; error: unknown }> {
    let stdout = '';
    const ctx: CliContext = {
      stdout: { write: (s) => void (stdout += s), isTTY: false },
      stderr: { write: () => undefined, isTTY: false },
      env: {},
      now: () => Date.UTC(2026, 10, 24),
      cwd,
      setExitCode: () => undefined,
    };
    const program = new Command().exitOverride();
    registerNotebook(program, ctx);
    const error = await program.parseAsync(['node', 'capplan', ...args]).then(
      () => null,
      (e: unknown) => e,
    );
    return { stdout, error };
  }

  it('writes outputs in place, and --check fails once they no longer match the database', async () => {
    const dir = tempDir();
    const db = await seededDb(dir);
    writeNb(join(dir, 'n.ipynb'), [markdown('# n'), code('SELECT count(*) AS n FROM samples')]);

    const first = await cli(['notebook', 'run', 'n.ipynb', '--db', 'x.duckdb'], dir);
    expect(first.error).toBeNull();
    expect(first.stdout).toBe('n.ipynb: 1 cells run, outputs of 1 cells updated\n');
    const written = readFileSync(join(dir, 'n.ipynb'), 'utf8');
    expect(written.endsWith('}\n')).toBe(true);
    expect((readNotebook(join(dir, 'n.ipynb')).cells[1].outputs?.[0].data?.['text/plain'] as string[]).join('')).toBe(' n\n──\n48\n(1 row)');

    const check = await cli(['notebook', 'run', join(dir, 'n.ipynb'), '--db', db, '--check'], dir);
    expect(check.error).toBeNull();
    expect(check.stdout).toBe('n.ipynb: 1 cells run, outputs as committed\n');
    expect(readFileSync(join(dir, 'n.ipynb'), 'utf8')).toBe(written);

    // The data moves on: the committed output has rotted.
    const store = await Store.open(db);
    await store.connection.run('DELETE FROM samples WHERE value > 40');
    store.close();
    const rotted = await cli(['notebook', 'run', 'n.ipynb', '--db', db, '--check'], dir);
    expect(rotted.error).toBeInstanceOf(NotebookError);
    expect((rotted.error as Error).message).toBe(
      'n.ipynb (cell 2): outputs differ from the ones in the file. Re-run without --check to refresh them, and review the diff',
    );
    expect(readFileSync(join(dir, 'n.ipynb'), 'utf8')).toBe(written);
  });

  it('--out writes the executed notebooks elsewhere and leaves the originals untouched', async () => {
    const dir = tempDir();
    await seededDb(dir);
    writeNb(join(dir, 'n.ipynb'), [markdown('# n'), code('SELECT count(*) AS n FROM samples')]);
    const committed = readFileSync(join(dir, 'n.ipynb'), 'utf8');

    const run = await cli(['notebook', 'run', 'n.ipynb', '--db', 'x.duckdb', '--out', 'mine'], dir);
    expect(run.error).toBeNull();
    expect(run.stdout).toBe('n.ipynb: 1 cells run, written to mine/n.ipynb\n');
    expect(readFileSync(join(dir, 'n.ipynb'), 'utf8')).toBe(committed);
    expect((readNotebook(join(dir, 'mine', 'n.ipynb')).cells[1].outputs?.[0].data?.['text/plain'] as string[]).join('')).toBe(' n\n──\n48\n(1 row)');

    // --out pointing at the notebooks' own directory would overwrite them: refused.
    const same = await cli(['notebook', 'run', 'n.ipynb', '--db', 'x.duckdb', '--out', '.'], dir);
    expect((same.error as Error).message).toMatch(/--out \.: would overwrite n\.ipynb itself/);
    expect(readFileSync(join(dir, 'n.ipynb'), 'utf8')).toBe(committed);
  });
});
