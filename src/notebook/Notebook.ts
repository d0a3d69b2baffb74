import { readFileSync, writeFileSync } from 'node:fs';
import { NotebookError } from './NotebookError.js';

/** A Jupyter output; capplan writes only `execute_result`, but keeps whatever it reads. */
export interface NotebookOutput {
  readonly output_type: string;
  readonly execution_count?: number | null;
  readonly data?: Record<string, string | string[]>;
  readonly metadata?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface NotebookCell {
  readonly cell_type: 'code' | 'markdown' | 'raw';
  readonly source: string | string[];
  readonly metadata: Record<string, unknown>;
  readonly id?: string;
  readonly outputs?: readonly NotebookOutput[];
  readonly execution_count?: number | null;
  readonly [key: string]: unknown;
}

/** The parts of an nbformat 4 notebook capplan reads; every other field is kept as it was. */
export interface Notebook {
  readonly nbformat: number;
  readonly nbformat_minor: number;
  readonly metadata: {
    readonly kernelspec?: { readonly name?: string; readonly language?: string; readonly display_name?: string };
    readonly language_info?: { readonly name?: string };
    readonly [key: string]: unknown;
  };
  readonly cells: readonly NotebookCell[];
}

/** Reads a Jupyter notebook whose code cells are SQL; errors name the file. */
export function readNotebook(path: string): Notebook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new NotebookError(path, null, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new NotebookError(path, null, `not a Jupyter notebook (invalid JSON: ${(err as Error).message})`);
  }
  const nb = raw as Partial<Notebook>;
  if (!nb || typeof nb !== 'object' || !Array.isArray(nb.cells) || typeof nb.metadata !== 'object') {
    throw new NotebookError(path, null, 'not a Jupyter notebook (no cells or metadata)');
  }
  if (nb.nbformat !== 4) throw new NotebookError(path, null, `nbformat ${String(nb.nbformat)} is not supported; save it as nbformat 4`);
  const language = nb.metadata?.language_info?.name ?? nb.metadata?.kernelspec?.language;
  if (String(language).toLowerCase() !== 'sql') {
    throw new NotebookError(path, null, `its code cells are ${language ?? 'of no stated language'}, not SQL (set metadata.language_info.name to "sql")`);
  }
  nb.cells.forEach((c, i) => {
    if (!c || !['code', 'markdown', 'raw'].includes(c.cell_type) || !(typeof c.source === 'string' || Array.isArray(c.source))) {
      throw new NotebookError(path, i + 1, 'not a valid nbformat 4 cell');
    }
  });
  return nb as Notebook;
}

export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/** Multi-line text as nbformat stores it: one string per line, each but the last ending in a newline. */
export function toLines(text: string): string[] {
  const lines = text.split('\n');
  const out = lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l));
  return out[out.length - 1] === '' ? out.slice(0, -1) : out;
}

/** As Jupyter writes notebooks: one-space indent, keys in the order given, a final newline. */
export function serializeNotebook(nb: Notebook): string {
  return `${JSON.stringify(nb, null, 1)}\n`;
}

export function writeNotebook(path: string, nb: Notebook): void {
  writeFileSync(path, serializeNotebook(nb));
}
