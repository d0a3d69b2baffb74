import { escapeHtml } from '../report/escape.js';
import type { QueryResult } from '../store/runQuery.js';
import { toLines, type NotebookOutput } from './Notebook.js';

/** Rows shown per result; the rest are counted. Notebooks are for reading: aggregate in SQL. */
export const MAX_ROWS = 100;

/**
 * A query result as a Jupyter `execute_result`: an aligned text table
 * (`text/plain`) and an HTML table (`text/html`, every value escaped) so
 * GitHub and Jupyter both render it.
 */
export function resultOutput(result: QueryResult, executionCount: number, maxRows = MAX_ROWS): NotebookOutput {
  const shown = result.rows.slice(0, maxRows);
  const cells = shown.map((row) => row.map((v, i) => formatValue(v, result.types[i])));
  const numeric = result.columns.map((_, i) => shown.length > 0 && shown.every((r) => typeof r[i] === 'number' || r[i] === null));
  const footer = rowsFooter(result.rows.length, shown.length);
  return {
    output_type: 'execute_result',
    execution_count: executionCount,
    metadata: {},
    data: {
      'text/plain': toLines(plainTable(result.columns, cells, numeric, footer)),
      'text/html': toLines(htmlTable(result.columns, cells, numeric, footer)),
    },
  };
}

function rowsFooter(total: number, shown: number): string {
  const rows = `${total} row${total === 1 ? '' : 's'}`;
  return shown < total ? `${rows}, first ${shown} shown` : rows;
}

/**
 * How a value prints: NULL spelled out, DATEs as YYYY-MM-DD, timestamps as ISO
 * instants (UTC), fractions to 6 significant digits (never rounding the
 * integer part), lists and maps as JSON.
 */
export function formatValue(v: unknown, type: string | undefined): string {
  if (v === null || v === undefined) return 'NULL';
  if (type === 'DATE' && typeof v === 'string') return v.slice(0, 10);
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1e15 || abs < 1e-4) return v.toExponential(5).replace(/\.?0+e/, 'e');
  const intDigits = abs < 1 ? 0 : Math.floor(Math.log10(abs)) + 1;
  const decimals = Math.max(0, 6 - intDigits);
  const text = v.toFixed(decimals);
  return decimals > 0 ? text.replace(/\.?0+$/, '') : text;
}

function plainTable(columns: readonly string[], cells: readonly string[][], numeric: readonly boolean[], footer: string): string {
  const flat = cells.map((r) => r.map((c) => c.replace(/\r?\n/g, '\\n')));
  const widths = columns.map((c, i) => Math.max(c.length, ...flat.map((r) => r[i].length)));
  const line = (vals: readonly string[]) => vals.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '─'.repeat(w)).join('  '), ...flat.map(line), `(${footer})`].join('\n');
}

function htmlTable(columns: readonly string[], cells: readonly string[][], numeric: readonly boolean[], footer: string): string {
  const align = (i: number) => (numeric[i] ? ' style="text-align: right"' : '');
  const out = ['<table>', '<thead>', `<tr>${columns.map((c, i) => `<th${align(i)}>${escapeHtml(c)}</th>`).join('')}</tr>`, '</thead>', '<tbody>'];
  for (const row of cells) out.push(`<tr>${row.map((c, i) => `<td${align(i)}>${escapeHtml(c)}</td>`).join('')}</tr>`);
  out.push('</tbody>', '</table>', `<p>${escapeHtml(footer)}</p>`);
  return out.join('\n');
}
