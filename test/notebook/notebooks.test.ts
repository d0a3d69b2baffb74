import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNotebook, writeNotebook, type Notebook, type NotebookOutput } from '../../src/notebook/Notebook.js';
import { runNotebook } from '../../src/notebook/runNotebook.js';
import { UPDATE_GOLDEN } from '../support/golden.js';
import { runCli } from '../support/runCli.js';
import { FROZEN_NOW } from '../support/clock.js';

/** The clock and seed the committed outputs were made with (notebooks/README.md). */
const NOW = FROZEN_NOW;
const DIR = fileURLToPath(new URL('../../notebooks/', import.meta.url));
const NOTEBOOKS = readdirSync(DIR).filter((f) => f.endsWith('.ipynb')).sort();

const text = (o: NotebookOutput | undefined, mime: string): string => {
  const v = o?.data?.[mime];
  return Array.isArray(v) ? v.join('') : (v ?? '');
};
const headers = (o: NotebookOutput | undefined) => [...text(o, 'text/html').matchAll(/<th[^>]*>(.*?)<\/th>/g)].map((m) => m[1]);
const codeCells = (nb: Notebook) => nb.cells.map((c, i) => ({ c, n: i + 1 })).filter(({ c }) => c.cell_type === 'code');

/**
 * Every notebook is re-executed against a demo database rebuilt with the pinned
 * clock. What must hold, and why not byte-for-byte equality everywhere:
 *
 * - every code cell runs, and yields a non-empty table with the column names
 *   committed: a renamed view column or a broken query fails here;
 * - cells tagged `exact` (computed from samples only, which the demo generates
 *   deterministically) reproduce their committed output exactly;
 * - the other cells depend on the forecasting models, which change as models are
 *   improved; their values are not compared, or every model change would "break"
 *   the notebooks. `capplan notebook run --check` compares them all, for when
 *   you want to know.
 *
 * UPDATE_GOLDEN=1 writes the fresh outputs into notebooks/ (that is
 * how the committed outputs are made).
 */
describe('notebooks re-run against the demo database', () => {
  let dir: string;
  let db: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capplan-notebooks-'));
    db = join(dir, 'capplan-demo.duckdb');
    const demo = await runCli(['demo', '--size', 'full', '--seed', '42', '--db', db, '--out', join(dir, 'reports')], { nowMs: NOW, cwd: dir });
    expect(demo.stderr).toBe('');
    expect(demo.code).toBe(0);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the four worked analyses', () => {
    expect(NOTEBOOKS).toEqual([
      'forecast-accuracy.ipynb',
      'request-rate-seasonality-and-growth.ipynb',
      'what-if-large-tenant.ipynb',
      'which-clusters-run-out-first.ipynb',
    ]);
  });

  it.each(NOTEBOOKS)('%s: every cell runs and yields a table like the committed one', async (name) => {
    const path = join(DIR, name);
    const run = await runNotebook(path, db);
    const writing = UPDATE_GOLDEN;
    if (writing) writeNotebook(path, run.notebook);
    const committed = readNotebook(path);

    expect(committed.metadata.kernelspec).toEqual({ display_name: 'DuckDB SQL', language: 'sql', name: 'duckdb' });
    expect(committed.cells.filter((c) => c.cell_type === 'markdown').length).toBeGreaterThanOrEqual(3);
    const fresh = codeCells(run.notebook);
    const old = codeCells(committed);
    expect(fresh.length).toBeGreaterThanOrEqual(4);
    expect(run.executed).toBe(fresh.length);
    expect(old.map((x) => x.n)).toEqual(fresh.map((x) => x.n));

    for (const [k, { c, n }] of fresh.entries()) {
      const where = `${name} cell ${n}`;
      expect(c.execution_count, where).toBe(k + 1);
      expect(c.outputs, where).toHaveLength(1);
      const out = c.outputs?.[0];
      expect(out?.output_type, where).toBe('execute_result');
      expect(text(out, 'text/plain'), where).toMatch(/\n\(\d+ rows?(, first \d+ shown)?\)$/);
      expect(text(out, 'text/plain'), where).not.toMatch(/\(0 rows\)$/);
      expect(text(out, 'text/html'), where).toMatch(/^<table>\n<thead>/);

      const before = old[k].c;
      expect(before.outputs, `${where}: committed without output; run UPDATE_GOLDEN=1 npx vitest run test/notebook`).toHaveLength(1);
      expect(headers(out), where).toEqual(headers(before.outputs?.[0]));
      expect(headers(out).length, where).toBeGreaterThan(0);
      const tags = (before.metadata.tags as string[] | undefined) ?? [];
      if (tags.includes('exact')) expect(out, `${where} is tagged exact`).toEqual(before.outputs?.[0]);
    }
  });
});
