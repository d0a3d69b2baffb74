import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { parseSeriesCsv, streamSeries } from '../../../src/source/csv/readSeriesCsv.js';
import { parseTimestamp } from '../../../src/source/csv/parseTimestamp.js';

describe('parseSeriesCsv', () => {
  it('reads a single series with ISO timestamps, gaps and a BOM and CRLF', async () => {
    const text = '\uFEFFtimestamp,value\r\n2026-01-01T00:00:00Z,1\r\n2026-01-01T01:00:00Z,\r\n2026-01-01T02:00:00Z,NaN\r\n2026-01-01T03:00:00+01:00,4.5\r\n';
    const [s] = await parseSeriesCsv(text);
    expect(s.id).toBe('input');
    expect(Array.from(s.timestamps)).toEqual([0, 1, 2, 2].map((h) => Date.UTC(2026, 0, 1, h)));
    expect(Array.from(s.values)).toEqual([1, NaN, NaN, 4.5]);
  });

  it('reads long format with quoted series names', async () => {
    const text = 'series,timestamp,value\n"db-7,/data",1767225600,10\nweb,1767225600,3\n"db-7,/data",1767229200,11\n';
    const out = await parseSeriesCsv(text);
    expect(out.map((s) => s.id)).toEqual(['db-7,/data', 'web']);
    expect(Array.from(out[0].values)).toEqual([10, 11]);
    expect(out[0].timestamps[1] - out[0].timestamps[0]).toBe(3_600_000);
  });

  it.each([
    ['time,value\n2026-01-01,1\n', /input:1: header 'time,value' not understood/],
    ['timestamp,value\n2026-01-01,1\nyesterday,2\n', /input:3: cannot parse timestamp 'yesterday'/],
    ['timestamp,value\n2026-01-01,1\n2026-01-02,lots\n', /input:3: value 'lots' is not a number/],
    ['timestamp,value\n2026-02-30,1\n', /input:2: cannot parse timestamp '2026-02-30'/],
    ['series,timestamp,value\na,2026-01-01\n', /input:2: expected 3 fields, found 2|Invalid Record Length/],
    ['', /empty file/],
    ['timestamp,value\n', /no data rows/],
  ])('rejects bad input with the line: %j', async (text, message) => {
    const err = await parseSeriesCsv(text).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(message);
  });
});

describe('parseTimestamp', () => {
  it('reads months, quarters, seconds and milliseconds', () => {
    expect(parseTimestamp('2026-03')).toBe(Date.UTC(2026, 2, 1));
    expect(parseTimestamp('2026-Q3')).toBe(Date.UTC(2026, 6, 1));
    expect(parseTimestamp('1767225600')).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimestamp('1767225600000')).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimestamp('2026-01-01 12:30')).toBe(Date.UTC(2026, 0, 1, 12, 30));
  });

  it('round-trips every ISO instant and never throws', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        expect(parseTimestamp(new Date(ms).toISOString())).toBe(ms);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        const t = parseTimestamp(s);
        expect(t === null || Number.isFinite(t)).toBe(true);
      }),
    );
  });
});

describe('streamSeries', () => {
  /** Chunks handed out one at a time, recording how many were read. */
  function chunked(texts: readonly string[]) {
    const state = { read: 0 };
    const gen = (async function* () {
      for (const t of texts) {
        state.read++;
        yield t;
      }
    })();
    return { gen, state };
  }

  it('hands on each series of a grouped file as soon as its rows end, before the file is read', async () => {
    const { gen, state } = chunked(['series,timestamp,value\na,1700000000,1\na,1700003600,2\n', 'b,1700000000,3\n', 'c,1700000000,4\n']);
    const seen: [string, number, number][] = [];
    for await (const s of streamSeries(gen, 'g.csv')) seen.push([s.id, s.index, state.read]);
    // a is complete once b starts (chunk 2), b once c starts (chunk 3); c at the end.
    expect(seen).toEqual([
      ['a', 0, 2],
      ['b', 1, 3],
      ['c', 2, 3],
    ]);
  });

  it('yields a series whose rows come back again at the end, whole, marked as a replacement', async () => {
    const { gen } = chunked(['series,timestamp,value\na,1,1\nb,1,2\na,2,3\nc,1,4\nb,2,5\n']);
    const out: { id: string; index: number; replaces: boolean; values: number[] }[] = [];
    for await (const s of streamSeries(gen, 'i.csv')) out.push({ id: s.id, index: s.index, replaces: s.replaces, values: [...s.values] });
    expect(out).toEqual([
      { id: 'a', index: 0, replaces: false, values: [1] },
      { id: 'b', index: 1, replaces: false, values: [2] },
      { id: 'a', index: 0, replaces: true, values: [1, 3] },
      { id: 'b', index: 1, replaces: true, values: [2, 5] },
      { id: 'c', index: 2, replaces: false, values: [4] },
    ]);
    // What readSeriesCsv returns: each series once, whole, in order of first appearance.
    const read = await parseSeriesCsv('series,timestamp,value\na,1,1\nb,1,2\na,2,3\nc,1,4\nb,2,5\n');
    expect(read.map((s) => [s.id, [...s.values]])).toEqual([['a', [1, 3]], ['b', [2, 5]], ['c', [4]]]);
  });
});

describe('parseTimestamp, the fixed ISO shape', () => {
  it('agrees with a calendar oracle on valid and invalid dates, with and without milliseconds and Z (fast-check)', () => {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    fc.assert(
      fc.property(
        fc.record({
          y: fc.integer({ min: 1970, max: 2999 }),
          mo: fc.integer({ min: 0, max: 13 }),
          d: fc.integer({ min: 0, max: 32 }),
          h: fc.integer({ min: 0, max: 24 }),
          mi: fc.integer({ min: 0, max: 60 }),
          s: fc.integer({ min: 0, max: 59 }),
          ms: fc.option(fc.integer({ min: 0, max: 999 })),
          sep: fc.constantFrom('T', ' '),
          z: fc.boolean(),
        }),
        ({ y, mo, d, h, mi, s, ms, sep, z }) => {
          const text = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}${sep}${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${ms === null ? '' : `.${pad(ms, 3)}`}${z ? 'Z' : ''}`;
          const utc = Date.UTC(y, mo - 1, d, h, mi, s) + (ms ?? 0);
          const back = new Date(utc);
          const valid = mo >= 1 && mo <= 12 && h <= 23 && mi <= 59 && back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d;
          expect(parseTimestamp(text)).toBe(valid ? utc : null);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
