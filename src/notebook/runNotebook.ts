import { SqlError } from '../store/runQuery.js';
import { Store } from '../store/Store.js';
import { cellSource, readNotebook, type Notebook, type NotebookCell } from './Notebook.js';
import { NotebookError } from './NotebookError.js';
import { MAX_ROWS, resultOutput } from './renderResult.js';
import { runScript } from './sqlScript.js';

export interface NotebookRunOptions {
  /** Rows shown per cell output. */
  readonly maxRows?: number;
}

export interface NotebookRun {
  readonly path: string;
  /** The notebook with fresh outputs (not written: see `writeNotebook`). */
  readonly notebook: Notebook;
  /** Code cells executed. */
  readonly executed: number;
  /** Cells (1-based, counting every cell) whose outputs differ from the ones the file held. */
  readonly changed: readonly number[];
}

/**
 * Executes every SQL code cell of a Jupyter notebook, in order, against the
 * database opened read-only on a connection of its own (temporary tables and
 * variables live for one notebook), and returns the notebook with each cell's
 * result as its output. One thread, so every aggregate adds up in the same
 * order and outputs are reproducible to the last digit.
 */
export async function runNotebook(path: string, dbPath: string, options: NotebookRunOptions = {}): Promise<NotebookRun> {
  const notebook = readNotebook(path);
  const store = await Store.open(dbPath, { readOnly: true });
  try {
    await store.connection.run('SET threads = 1');
    const cells: NotebookCell[] = [];
    const changed: number[] = [];
    let executed = 0;
    for (const [index, cell] of notebook.cells.entries()) {
      if (cell.cell_type !== 'code') {
        cells.push(cell);
        continue;
      }
      const sql = cellSource(cell);
      let next: NotebookCell;
      if (sql.trim() === '') {
        next = { ...cell, execution_count: null, outputs: [] };
      } else {
        executed++;
        const result = await runScript(store.connection, sql).catch((err: unknown) => {
          const message = err instanceof SqlError ? err.message : `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
          throw new NotebookError(path, index + 1, message);
        });
        next = { ...cell, execution_count: executed, outputs: [resultOutput(result, executed, options.maxRows ?? MAX_ROWS)] };
      }
      if (canonical([cell.execution_count ?? null, cell.outputs ?? []]) !== canonical([next.execution_count, next.outputs])) changed.push(index + 1);
      cells.push(next);
    }
    return { path, notebook: { ...notebook, cells }, executed, changed };
  } finally {
    store.close();
  }
}

/** JSON with keys sorted and multi-line strings joined, so a notebook re-saved by Jupyter compares equal. */
function canonical(value: unknown): string {
  const norm = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) return key !== undefined && key.includes('/') && v.every((x) => typeof x === 'string') ? v.join('') : v.map((x) => norm(x));
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, norm((v as Record<string, unknown>)[k], k)]),
      );
    }
    return v;
  };
  return JSON.stringify(norm(value));
}
