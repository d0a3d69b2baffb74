import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/errors.js';
import { CsvScanner } from '../../../src/source/csv/CsvScanner.js';

/** Every record of `chunks` fed in order, as [line, ...fields], or the DataError message. */
function scan(chunks: readonly string[]): (string | number)[][] | string {
  const scanner = new CsvScanner('t.csv');
  const out: (string | number)[][] = [];
  const take = (fields: readonly string[], line: number) => out.push([line, ...fields]);
  try {
    for (const c of chunks) scanner.push(c, take);
    scanner.end(take);
  } catch (err) {
    if (err instanceof DataError) return err.message;
    throw err;
  }
  return out;
}

/** `text` cut at the given fractions of its length. */
function cut(text: string, cuts: readonly number[]): string[] {
  const at = [...new Set(cuts.map((f) => Math.floor(f * text.length)))].sort((a, b) => a - b);
  const parts: string[] = [];
  let from = 0;
  for (const k of at) {
    parts.push(text.slice(from, k));
    from = k;
  }
  parts.push(text.slice(from));
  return parts;
}

describe('CsvScanner', () => {
  it('reads RFC 4180 fields: quotes, doubled quotes, line ends inside quotes, trimmed blanks, empty lines skipped', () => {
    const text = '\uFEFFa,b\r\n "x, y" ,"say ""hi"""\n\n1,"two\r\nlines"\r3,\t4 \n';
    expect(scan([text])).toEqual([
      [1, 'a', 'b'],
      [2, 'x, y', 'say "hi"'],
      [4, '1', 'two\r\nlines'],
      [6, '3', '4'],
    ]);
  });

  it('names the file and line of malformed quoting', () => {
    expect(scan(['a,b\n1,"open\n2,3\n'])).toMatch(/^t\.csv: malformed CSV: the quoted field opened on line 2 is never closed$/);
    expect(scan(['a,b\n1,2\n1,2"\n'])).toMatch(/^t\.csv:3: malformed CSV: stray quote/);
    expect(scan(['a,b\n"1"x,2\n'])).toMatch(/^t\.csv:2: malformed CSV: unexpected 'x' after a closing quote/);
  });

  it('gives the same records and errors however the text is cut into chunks (fast-check)', () => {
    const piece = fc.constantFrom('a', '1', ',', '"', '""', '\n', '\r', '\r\n', ' ', '\t', '\uFEFF', 'é', '2026-01-01T00:00:00Z');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }), (pieces, cuts) => {
        const text = pieces.join('');
        expect(scan(cut(text, cuts))).toEqual(scan([text]));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a quoted field far longer than a chunk', () => {
    const big = 'x'.repeat(4_000_000);
    const text = `a,b\n1,"${big}"\n`;
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += 4096) chunks.push(text.slice(i, i + 4096));
    const records = scan(chunks) as (string | number)[][];
    expect(records[1][2]).toHaveLength(big.length);
  });
});
