import { closeSync, createReadStream, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { DataError } from '../../errors.js';
import { CsvScanner } from './CsvScanner.js';
import { parseTimestamp } from './parseTimestamp.js';

/** One series read from a CSV file, in file order (the forecast layer sorts and de-duplicates). */
export interface CsvSeries {
  readonly id: string;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/** A series as `streamSeriesCsv` yields it. */
export interface StreamedSeries extends CsvSeries {
  /** Place of the series in the file: the order in which the series first appear. */
  readonly index: number;
  /**
   * True when this replaces an earlier yield with the same index: the series'
   * rows were not contiguous, and this is all of them.
   */
  readonly replaces: boolean;
}

const SINGLE = 'timestamp,value';
const LONG = 'series,timestamp,value';

/**
 * Reads `timestamp,value` (one series) or `series,timestamp,value` (many) CSV.
 * Timestamps: ISO-8601 (no zone means UTC), or unix seconds/milliseconds.
 * Empty values and `NaN` are gaps. Errors name the file and line.
 */
export async function readSeriesCsv(path: string): Promise<CsvSeries[]> {
  return collect(streamSeriesCsv(path));
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
  return collect(streamSeries(chunks([text]), name));
}

/**
 * Reads the file as a stream and yields each series as soon as its rows end:
 * a file grouped by series (the usual export) hands the first series on while
 * the rest is still being read. A series whose rows come back later (an
 * interleaved file) is yielded again at the end, whole, with `replaces` set;
 * from the first such return on, series are held until the end of the file.
 */
export function streamSeriesCsv(path: string): AsyncGenerator<StreamedSeries> {
  if (!existsSync(path)) throw new DataError(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new DataError(`${path}: is a directory, expected a CSV file`);
  refuseBinary(path);
  return streamSeries(createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 18 }) as AsyncIterable<string>, path);
}

async function collect(stream: AsyncIterable<StreamedSeries>): Promise<CsvSeries[]> {
  const out: CsvSeries[] = [];
  for await (const s of stream) out[s.index] = { id: s.id, timestamps: s.timestamps, values: s.values };
  return out;
}

async function* chunks(texts: readonly string[]): AsyncGenerator<string> {
  yield* texts;
}

/** A series being read. */
interface Entry {
  readonly id: string;
  readonly index: number;
  timestamps: number[];
  values: number[];
  /** Yielded already (its rows seemed to have ended). */
  yielded: boolean;
  /** Rows came after it was yielded: yield it again, whole, at the end. */
  reopened: boolean;
}

/** `streamSeriesCsv` over text arriving in chunks (`name` is used in messages). */
export async function* streamSeries(input: AsyncIterable<string>, name: string): AsyncGenerator<StreamedSeries> {
  const scanner = new CsvScanner(name);
  // A one-series file is named after the file: `disk-growth-hourly` reads better than `series`.
  const singleId = basename(name).replace(/\.[^.]*$/, '') || 'series';
  let layout: 'single' | 'long' | null = null;
  const entries = new Map<string, Entry>();
  let current: Entry | null = null;
  let interleaved = false;
  const ready: StreamedSeries[] = [];

  const finish = (e: Entry, replaces: boolean): StreamedSeries => ({
    id: e.id,
    index: e.index,
    timestamps: Float64Array.from(e.timestamps),
    values: Float64Array.from(e.values),
    replaces,
  });

  const take = (fields: readonly string[], line: number): void => {
    if (layout === null) {
      const header = fields.join(',').toLowerCase();
      if (header === SINGLE) layout = 'single';
      else if (header === LONG) layout = 'long';
      else throw new DataError(`${name}:${line}: header '${fields.join(',')}' not understood; expected 'timestamp,value' or 'series,timestamp,value'`);
      return;
    }
    const expected = layout === 'single' ? 2 : 3;
    if (fields.length !== expected) throw new DataError(`${name}:${line}: expected ${expected} fields, found ${fields.length}`);
    const id = layout === 'single' ? singleId : fields[0];
    if (id === '') throw new DataError(`${name}:${line}: empty series name`);
    const tText = fields[expected - 2];
    const vText = fields[expected - 1];
    const t = parseTimestamp(tText);
    if (t === null) {
      throw new DataError(`${name}:${line}: cannot parse timestamp '${tText}' (expected ISO-8601 like 2026-01-31T12:00:00Z, or unix seconds)`);
    }
    const v = parseValue(vText);
    if (v === null) throw new DataError(`${name}:${line}: value '${vText}' is not a number`);
    if (current === null || current.id !== id) {
      if (current !== null && !interleaved) {
        // The previous series' rows have ended; hand it on unless the file turns out interleaved.
        ready.push(finish(current, false));
        current.yielded = true;
      }
      let e = entries.get(id);
      if (e === undefined) {
        e = { id, index: entries.size, timestamps: [], values: [], yielded: false, reopened: false };
        entries.set(id, e);
      } else {
        interleaved = true;
        if (e.yielded) e.reopened = true;
      }
      current = e;
    }
    current.timestamps.push(t);
    current.values.push(v);
  };

  try {
    for await (const text of input) {
      scanner.push(text, take);
      yield* ready.splice(0);
    }
    scanner.end(take);
  } catch (err) {
    if (err instanceof DataError) throw err;
    if ((err as { code?: string }).code === 'ENOENT') throw new DataError(`${name}: no such file`);
    throw err;
  }
  if (layout === null) throw new DataError(`${name}: empty file; expected a header 'timestamp,value' or 'series,timestamp,value'`);
  if (entries.size === 0) throw new DataError(`${name}: no data rows after the header`);
  for (const e of entries.values()) {
    if (!e.yielded) ready.push(finish(e, false));
    else if (e.reopened) ready.push(finish(e, true));
  }
  yield* ready.splice(0);
}

/** A number; the empty string and `NaN` (any case) are gaps; null for anything else. */
function parseValue(text: string): number | null {
  if (text === '') return NaN;
  const v = Number(text);
  if (!Number.isNaN(v)) return v;
  return /^nan$/i.test(text) ? NaN : null;
}
