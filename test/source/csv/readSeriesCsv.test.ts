import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { parseSeriesCsv } from '../../../src/source/csv/readSeriesCsv.js';
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
