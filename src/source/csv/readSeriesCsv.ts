import { closeSync, createReadStream, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { DataError } from '../../errors.js';
import { parseTimestamp } from './parseTimestamp.js';

/** One series read from a CSV file, in file order (the forecast layer sorts and de-duplicates). */
export interface CsvSeries {
  readonly id: string;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

const SINGLE = ['timestamp', 'value'];
const LONG = ['series', 'timestamp', 'value'];

/**
 * Reads `timestamp,value` (one series) or `series,timestamp,value` (many) CSV.
 * Timestamps: ISO-8601 (no zone means UTC), or unix seconds/milliseconds.
 * Empty values and `NaN` are gaps. Errors name the file and line.
 */
export async function readSeriesCsv(path: string): Promise<CsvSeries[]> {
  if (!existsSync(path)) throw new DataError(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new DataError(`${path}: is a directory, expected a CSV file`);
  refuseBinary(path);
  return parseSeriesCsvStream(createReadStream(path), path);
}

/**
 * Refuses a file whose first 8 KiB hold NUL bytes or mostly non-text bytes (a
 * database, an image, a gzip): its "header" would otherwise be echoed raw.
 */
function refuseBinary(path: string): void {
  const head = Buffer.alloc(8192);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const bytes = head.subarray(0, n);
  const control = bytes.filter((b) => b < 9 || (b > 13 && b < 32)).length;
  if (bytes.includes(0) || control > n * 0.1) {
    throw new DataError(`${path}: a binary file, not CSV text (expected a header 'timestamp,value' or 'series,timestamp,value')`);
  }
  const text = bytes.toString('utf8');
  const replaced = (text.match(/\uFFFD/g) ?? []).length;
  if (replaced > 16 && replaced > text.length * 0.05) throw new DataError(`${path}: not UTF-8 text (a binary file?); expected CSV`);
}

/** Same as `readSeriesCsv`, from text in memory (`name` is used in messages). */
export function parseSeriesCsv(text: string, name = 'input'): Promise<CsvSeries[]> {
  return parseSeriesCsvStream(Readable.from([text]), name);
}

async function parseSeriesCsvStream(input: Readable, name: string): Promise<CsvSeries[]> {
  const parser = input.pipe(
    parse({ bom: true, skip_empty_lines: true, trim: true, info: true, relax_quotes: false }),
  );
  let layout: 'single' | 'long' | null = null;
  // A one-series file is named after the file: `disk-growth-hourly` reads better than `series`.
  const singleId = basename(name).replace(/\.[^.]*$/, '') || 'series';
  const series = new Map<string, { ts: number[]; vs: number[] }>();
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const { record, info } = rec;
      const line = info.lines;
      if (layout === null) {
        const header = record.map((h) => h.toLowerCase());
        if (header.join(',') === SINGLE.join(',')) layout = 'single';
        else if (header.join(',') === LONG.join(',')) layout = 'long';
        else {
          throw new DataError(
            `${name}:${line}: header '${record.join(',')}' not understood; expected 'timestamp,value' or 'series,timestamp,value'`,
          );
        }
        continue;
      }
      const expected = layout === 'single' ? 2 : 3;
      if (record.length !== expected) {
        throw new DataError(`${name}:${line}: expected ${expected} fields, found ${record.length}`);
      }
      const id = layout === 'single' ? singleId : record[0];
      if (id === '') throw new DataError(`${name}:${line}: empty series name`);
      const tText = record[expected - 2];
      const vText = record[expected - 1];
      const t = parseTimestamp(tText);
      if (t === null) {
        throw new DataError(`${name}:${line}: cannot parse timestamp '${tText}' (expected ISO-8601 like 2026-01-31T12:00:00Z, or unix seconds)`);
      }
      const v = parseValue(vText);
      if (v === null) throw new DataError(`${name}:${line}: value '${vText}' is not a number`);
      let s = series.get(id);
      if (!s) {
        s = { ts: [], vs: [] };
        series.set(id, s);
      }
      s.ts.push(t);
      s.vs.push(v);
    }
  } catch (err) {
    if (err instanceof DataError) throw err;
    const e = err as { code?: string; message?: string; lines?: number };
    if (e.code === 'ENOENT') throw new DataError(`${name}: no such file`);
    if (err instanceof CsvError || e.code?.startsWith('CSV_')) throw new DataError(`${name}: malformed CSV: ${e.message ?? e.code}`);
    throw err;
  }
  if (layout === null) throw new DataError(`${name}: empty file; expected a header 'timestamp,value' or 'series,timestamp,value'`);
  if (series.size === 0) throw new DataError(`${name}: no data rows after the header`);
  return [...series].map(([id, s]) => ({ id, timestamps: Float64Array.from(s.ts), values: Float64Array.from(s.vs) }));
}

function parseValue(text: string): number | null {
  if (text === '' || /^nan$/i.test(text)) return NaN;
  const v = Number(text);
  return Number.isNaN(v) ? null : v;
}
