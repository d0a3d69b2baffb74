/** Plain tables as text: aligned for people, CSV (RFC 4180) and JSON for programs. */

export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

export type TableFormat = 'table' | 'csv' | 'json';

export function formatTable(table: Table, format: TableFormat): string {
  switch (format) {
    case 'csv':
      return toCsv(table);
    case 'json':
      return `${JSON.stringify(toObjects(table), jsonReplacer, 2)}\n`;
    case 'table':
      return toAligned(table);
  }
}

/** Rows as objects keyed by column name. */
export function toObjects(table: Table): Record<string, unknown>[] {
  return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c, row[i]])));
}

/**
 * CSV with LF line ends (RFC 4180 says CRLF, but shell pipelines and
 * `$(…)` captures keep a stray `\r`; every CSV reader accepts LF).
 */
export function toCsv(table: Table): string {
  const lines = [table.columns.map(csvField).join(',')];
  for (const r of table.rows) lines.push(r.map((v) => csvField(cellText(v))).join(','));
  return lines.join('\n') + '\n';
}

/**
 * One CSV field, quoted when it holds a comma, quote or line break. Fields a
 * spreadsheet would run as a formula (`=`, `+`, `-`, `@` followed by a non-digit)
 * get a leading apostrophe, since label values come from metrics nobody vetted.
 */
export function csvField(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) && !/^[+-]?\d/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Aligned columns; loops rather than spreads, so any number of rows fits (no argument-count limit). */
function toAligned(table: Table): string {
  const cells = table.rows.map((r) => r.map((v) => oneLine(cellText(v))));
  const widths = table.columns.map((c) => c.length);
  for (const r of cells) for (let i = 0; i < widths.length; i++) if (r[i].length > widths[i]) widths[i] = r[i].length;
  const numeric = table.columns.map((_, i) => table.rows.length > 0 && table.rows.every((r) => typeof r[i] === 'number' || r[i] === null));
  const line = (vals: readonly string[]) =>
    vals.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [line(table.columns), widths.map((w) => '─'.repeat(w)).join('  ')];
  for (const r of cells) out.push(line(r));
  out.push(`(${table.rows.length} row${table.rows.length === 1 ? '' : 's'})`);
  return out.join('\n') + '\n';
}

/** How a value prints in a table or CSV cell. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatNumber(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v, jsonReplacer);
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(12)));
}

/** A cell on one line: line breaks shown as \\n. */
export function oneLine(s: string): string {
  return s.replace(/\r?\n/g, '\\n');
}

/** JSON.stringify replacer: bigints as strings, non-finite numbers as null. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}
