import { cellText, csvField, jsonReplacer, oneLine, type TableFormat } from './tabular.js';

/** Rows aligned on the widths of this many first rows; later, wider cells just run longer. */
const ALIGN_ON = 10_000;

/**
 * Writes a table arriving in batches, as `formatTable` would write it whole,
 * without holding every row: CSV and JSON row by row, the aligned table on
 * the widths of its first 10,000 rows (a result that fits in them prints
 * exactly as `formatTable` prints it).
 */
export async function writeTableStream(
  columns: readonly string[],
  batches: AsyncIterable<readonly (readonly unknown[])[]>,
  format: TableFormat,
  write: (text: string) => void,
  /** Awaited after each batch: lets a slow reader drain the output, so rows do not pile up in memory. */
  afterBatch: () => Promise<void> = () => Promise.resolve(),
): Promise<number> {
  let count = 0;
  if (format === 'csv') {
    write(`${columns.map(csvField).join(',')}\n`);
    for await (const rows of batches) {
      if (rows.length === 0) continue;
      write(`${rows.map((r) => r.map((v) => csvField(cellText(v))).join(',')).join('\n')}\n`);
      count += rows.length;
      await afterBatch();
    }
    return count;
  }
  if (format === 'json') {
    const object = (r: readonly unknown[]) => `  ${JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, r[i]])), jsonReplacer, 2).replace(/\n/g, '\n  ')}`;
    for await (const rows of batches) {
      if (rows.length === 0) continue;
      write(`${count === 0 ? '[\n' : ',\n'}${rows.map(object).join(',\n')}`);
      count += rows.length;
      await afterBatch();
    }
    write(count === 0 ? '[]\n' : '\n]\n');
    return count;
  }
  // Aligned: hold the first rows to size the columns, then stream the rest.
  const head: (readonly unknown[])[] = [];
  let line: ((vals: readonly string[]) => string) | null = null;
  const start = () => {
    const cells = head.map((r) => r.map((v) => oneLine(cellText(v))));
    const widths = columns.map((c) => c.length);
    for (const r of cells) for (let i = 0; i < widths.length; i++) if (r[i].length > widths[i]) widths[i] = r[i].length;
    const numeric = columns.map((_, i) => head.length > 0 && head.every((r) => typeof r[i] === 'number' || r[i] === null));
    const fmt = (vals: readonly string[]) => vals.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
    write(`${fmt(columns)}\n${widths.map((w) => '─'.repeat(w)).join('  ')}\n`);
    if (cells.length > 0) write(`${cells.map(fmt).join('\n')}\n`);
    return fmt;
  };
  for await (const rows of batches) {
    if (line === null) {
      head.push(...rows);
      if (head.length >= ALIGN_ON) line = start();
      continue;
    }
    if (rows.length > 0) write(`${rows.map((r) => (line as (v: readonly string[]) => string)(r.map((v) => oneLine(cellText(v))))).join('\n')}\n`);
    count += rows.length;
    await afterBatch();
  }
  if (line === null) start();
  count += head.length;
  write(`(${count} row${count === 1 ? '' : 's'})\n`);
  return count;
}
