import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMatrixBody, MatrixStreamDecoder } from '../../../src/source/prometheus/fastMatrix.js';
import { decodeMatrix } from '../../../src/source/prometheus/matrix.js';

/*
 * The byte-level range decoder must give exactly what JSON.parse followed by
 * decodeMatrix gives (the reference), or decline (null) so the client falls
 * back to it.
 */

const bytes = (text: string) => new TextEncoder().encode(text);

function reference(text: string) {
  const body = JSON.parse(text) as { data: unknown; warnings?: string[] };
  return { series: decodeMatrix(body.data), warnings: body.warnings ?? [] };
}

function plain(r: { series: readonly { labels: unknown; timestamps: Float64Array; values: Float64Array }[]; warnings: readonly string[] }) {
  return { series: r.series.map((s) => ({ labels: s.labels, t: Array.from(s.timestamps), v: Array.from(s.values) })), warnings: [...r.warnings] };
}

describe('decodeMatrixBody', () => {
  it('decodes the recorded Thanos partial response like JSON.parse does, warnings included', () => {
    const text = readFileSync(new URL('../../fixtures/thanos/query_range_partial.json', import.meta.url), 'utf8');
    const fast = decodeMatrixBody(bytes(text));
    expect(fast).not.toBeNull();
    expect(plain(fast!)).toEqual(plain(reference(text)));
    expect(fast!.warnings[0]).toMatch(/thanos-store-2/);
  });

  it('handles special values, escapes, unicode, other keys and whitespace', () => {
    const text = `{ "status" : "success", "data": {"result": [
      {"metric": {"__name__": "x", "path": "C:\\\\data \\"q\\"", "ünï": "cödé"}, "values": [[1700000000.5, "NaN"], [1700000001, "+Inf"], [1700000002.123, "-Inf"], [1700000003, "-0"], [1700000004, "1e3"], [1700000005, "0.1"], [1700000006, "123456789012345678"], [1700000007, "-2.5E-7"], [1700000008, "0.30000000000000004"]]},
      {"metric": {}, "values": [], "histograms": [[1700000000, {"count": "1", "buckets": [[0, "1", "2", "3"]]}]]}
    ], "resultType": "matrix"}, "infos": ["x"], "warnings": []}`;
    const fast = decodeMatrixBody(bytes(text));
    expect(fast).not.toBeNull();
    expect(plain(fast!)).toEqual(plain(reference(text)));
    expect(Object.is(fast!.series[0].values[3], -0)).toBe(true);
  });

  it('declines what it does not decode: errors, vectors, truncated or invalid bodies', () => {
    expect(decodeMatrixBody(bytes('{"status":"error","errorType":"bad_data","error":"parse error"}'))).toBeNull();
    expect(decodeMatrixBody(bytes('{"status":"success","data":{"resultType":"vector","result":[]}}'))).toBeNull();
    expect(decodeMatrixBody(bytes('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"]'))).toBeNull();
    expect(decodeMatrixBody(bytes('<html>bad gateway</html>'))).toBeNull();
    expect(decodeMatrixBody(bytes(''))).toBeNull();
    expect(decodeMatrixBody(bytes('{"status":"success","data":{"resultType":"matrix","result":[]}} trailing'))).toBeNull();
  });

  it('equals JSON.parse + decodeMatrix on arbitrary values and timestamps', () => {
    const value = fc.oneof(
      fc.double({ noNaN: false }).map((x) => (Number.isNaN(x) ? 'NaN' : x === Infinity ? '+Inf' : x === -Infinity ? '-Inf' : String(x))),
      fc.integer({ min: -1e15, max: 1e15 }).map(String),
      fc.tuple(fc.integer({ min: 0, max: 99999999 }), fc.integer({ min: 0, max: 8 })).map(([m, k]) => (m / 10 ** k).toFixed(k)),
      // Mantissas of 15 to 17 digits around 2^53 (the fast path's edge), with a decimal point anywhere, leading zeros and exponents.
      fc
        .tuple(
          fc.bigInt({ min: 10n ** 14n, max: 10n ** 17n - 1n }),
          fc.nat(17),
          fc.constantFrom('', '0', '000'),
          fc.constantFrom('', 'e5', 'E-7', 'e+22', 'e-22', 'e23', 'e'),
          fc.boolean(),
        )
        .map(([m, dot, zeros, exp, neg]) => {
          const digits = zeros + m.toString();
          const at = Math.min(dot, digits.length);
          return `${neg ? '-' : ''}${digits.slice(0, at) || '0'}${at < digits.length ? '.' + digits.slice(at) : ''}${exp}`;
        }),
      fc.constantFrom('9007199254740991', '9007199254740992', '9007199254740993', '900719925474099.3', '0.9007199254740993', '1e22', '1e-22', '.5', '5.', '-.5e1'),
    );
    const ts = fc.oneof(
      fc.integer({ min: 0, max: 4e9 }).map(String),
      fc.tuple(fc.integer({ min: 0, max: 4e9 }), fc.integer({ min: 0, max: 999 })).map(([s, ms]) => `${s}.${String(ms).padStart(3, '0').replace(/0+$/, '') || '0'}`),
      fc.double({ min: 0, max: 4e9, noNaN: true }).map(String),
    );
    fc.assert(
      fc.property(fc.array(fc.array(fc.tuple(ts, value), { maxLength: 20 }), { maxLength: 4 }), (series) => {
        const text = JSON.stringify({
          status: 'success',
          data: { resultType: 'matrix', result: series.map((pts, i) => ({ metric: { i: String(i) }, values: pts.map(([t, v]) => [0, v, t]) })) },
        }).replace(/\[0,("[^"]*"),"([^"]*)"\]/g, '[$2,$1]');
        const fast = decodeMatrixBody(bytes(text));
        expect(fast).not.toBeNull();
        expect(plain(fast!)).toEqual(plain(reference(text)));
      }),
      { numRuns: 300 },
    );
  });
});

/** Feeds `text` to a streaming decoder in pieces cut at `cuts` (byte offsets), then ends it. */
function streamed(text: string, cuts: readonly number[], expectedPoints?: number) {
  const all = bytes(text);
  const decoder = new MatrixStreamDecoder(expectedPoints);
  let from = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    decoder.push(all.subarray(from, Math.max(from, Math.min(c, all.length))));
    from = Math.max(from, Math.min(c, all.length));
  }
  decoder.push(all.subarray(from));
  return decoder.end();
}

describe('MatrixStreamDecoder', () => {
  const special = `{"status":"success","data":{"resultType":"matrix","result":[
    {"metric":{"__name__":"x","path":"C:\\\\data \\"q\\"","ünï":"cödé"},"values":[[1700000000.5,"NaN"],[1700000001,"+Inf"],[1700000002.123,"-Inf"],[1700000003,"-0"],[1700000004,"1e3"],[1700000005,"0.1"],[1700000006,"123456789012345678"],[1700000007,"-2.5E-7"],[1700000008,"0.30000000000000004"]]},
    {"metric":{},"values":[],"histograms":[[1700000000,{"count":"1","buckets":[[0,"1","2","3"]]}]]},
    {"metric":{"i":"2"},"values":[[1700000000,"12345.678"],[1700000060.001,"9"]]}
  ]},"warnings":["store thanos-store-2 unavailable"],"infos":["ignored"]}`;

  it('gives JSON.parse + decodeMatrix values with the body cut at every byte', () => {
    const want = plain(reference(special));
    // Every single cut point: inside numbers, strings, keys, escapes, multi-byte characters, between tokens.
    for (let c = 0; c <= bytes(special).length; c++) {
      const got = streamed(special, [c]);
      expect(got, `cut at byte ${c}`).not.toBeNull();
      expect(plain(got!)).toEqual(want);
    }
    expect(Object.is(streamed(special, [10])!.series[0].values[3], -0)).toBe(true);
    expect(streamed(special, [])!.warnings).toEqual(['store thanos-store-2 unavailable']);
  });

  it('gives the same values fed one byte at a time, whatever the expected points per series', () => {
    const everyByte = Array.from({ length: bytes(special).length }, (_, k) => k);
    for (const expected of [1, 2, 9, 1024]) expect(plain(streamed(special, everyByte, expected)!)).toEqual(plain(reference(special)));
  });

  it('equals JSON.parse + decodeMatrix on arbitrary series cut into arbitrary chunks', () => {
    const value = fc.oneof(
      fc.double({ noNaN: false }).map((x) => (Number.isNaN(x) ? 'NaN' : x === Infinity ? '+Inf' : x === -Infinity ? '-Inf' : String(x))),
      fc.integer({ min: -1e15, max: 1e15 }).map(String),
    );
    const ts = fc.oneof(fc.integer({ min: 0, max: 4e9 }).map(String), fc.double({ min: 0, max: 4e9, noNaN: true }).map(String));
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(ts, value), { maxLength: 12 }), { maxLength: 4 }),
        fc.array(fc.nat(2000), { maxLength: 8 }),
        fc.integer({ min: 1, max: 20 }),
        (series, cuts, expected) => {
          const text = JSON.stringify({
            status: 'success',
            data: { resultType: 'matrix', result: series.map((pts, i) => ({ metric: { i: String(i) }, values: pts.map(([t, v]) => [0, v, t]) })) },
          }).replace(/\[0,("[^"]*"),"([^"]*)"\]/g, '[$2,$1]');
          const got = streamed(text, cuts, expected);
          expect(got).not.toBeNull();
          expect(plain(got!)).toEqual(plain(reference(text)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('declines error bodies, other result types, truncated and trailing bodies however they are cut', () => {
    const declined = [
      '{"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries"}',
      '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"2"]}]}}',
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"]',
      '{"status":"success","data":{"resultType":"matrix","result":[]}} trailing',
      '{"status":"success","data":{"resultType":"matrix","result":[]},"warnings":"not a list"}',
      '<html>bad gateway</html>',
      '',
    ];
    for (const text of declined) for (const c of [0, 1, 7, 30, 60]) expect(streamed(text, [c]), `${text} cut at ${c}`).toBeNull();
  });

  it('parses a value spanning many chunks without rescanning it for each (a long warning list)', () => {
    const warnings = Array.from({ length: 20_000 }, (_, k) => `warning ${k}`);
    const text = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] }, warnings });
    const cuts = Array.from({ length: Math.ceil(text.length / 64) }, (_, k) => k * 64);
    expect(streamed(text, cuts)!.warnings).toEqual(warnings);
  });
});
