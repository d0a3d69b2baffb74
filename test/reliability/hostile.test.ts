import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvError } from 'csv-parse';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapplanError, DataError, ExitCode, PlanError, UsageError } from '../../src/errors.js';
import { parsePlan } from '../../src/plan/loadPlan.js';
import { parseSeriesCsv, readSeriesCsv } from '../../src/source/csv/readSeriesCsv.js';
import { groupQuery, isPlainSelector, parseAggregate, peakQuery, type Aggregate } from '../../src/source/prometheus/peakQuery.js';
import { alignRange, halveWindow, splitRange } from '../../src/source/prometheus/splitRange.js';
import { MS, parseDuration, formatDuration } from '../../src/time/duration.js';
import { LONG } from './childCli.js';

/*
 * Input nobody vetted: CSV files, durations, plan files and PromQL. Whatever
 * arrives, capplan answers with a value or one of its documented errors
 * (DataError exit 6, UsageError/PlanError exit 2), never a crash or an
 * "unexpected error" (exit 1). fast-check runs with a fixed seed per run of
 * the suite; a failure prints the seed and the shrunk counterexample.
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'capplan-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `f`; returns what it threw, or null. */
async function thrown(f: () => unknown): Promise<unknown> {
  try {
    await f();
    return null;
  } catch (err) {
    return err;
  }
}

/** `err` is one of capplan's documented errors with the right exit code, on one line unless the input itself had a line break. */
function expectDocumented(err: unknown, cls: new (...a: never[]) => CapplanError, code: number, input = ''): void {
  expect(err, String(err)).toBeInstanceOf(cls);
  expect((err as CapplanError).exitCode).toBe(code);
  if (!/[\r\n]/.test(input)) expect((err as Error).message).not.toMatch(/\n/);
}

describe('CSV reader: hostile files', () => {
  it('reads a BOM, CRLF or bare CR line ends, and quoted fields holding commas, quotes and newlines', async () => {
    const crlf = await parseSeriesCsv('\uFEFFtimestamp,value\r\n2026-01-01T00:00:00Z,1\r\n2026-01-01T01:00:00Z,"2.5"\r\n');
    expect(crlf.map((s) => [[...s.timestamps], [...s.values]])).toEqual([[[Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1, 1)], [1, 2.5]]]);
    const cr = await parseSeriesCsv('timestamp,value\r1700000000,1\r1700003600,2\r');
    expect([...cr[0].values]).toEqual([1, 2]);
    const quoted = await parseSeriesCsv('series,timestamp,value\n"db,""7""\nsda",1700000000,3\n"\'); DROP TABLE samples; --",1700000000,4\n');
    expect(quoted.map((s) => s.id)).toEqual(['db,"7"\nsda', "'); DROP TABLE samples; --"]);
  });

  it('refuses wrong columns, unclosed quotes, empty and header-only files with a DataError naming the file (exit 6)', async () => {
    const cases: [string, RegExp][] = [
      ['timestamp,value\n1700000000,1,2\n', /in\.csv.*(line 2|:2)/],
      ['series,timestamp,value\na,1700000000\n', /in\.csv.*(line 2|:2)/],
      ['timestamp,value\n"1700000000,1\n', /in\.csv: .*quote/i],
      ['', /in\.csv: empty file/],
      ['\uFEFF', /in\.csv: empty file/],
      ['timestamp,value\n', /in\.csv: no data rows/],
      ['time,val\n1,2\n', /in\.csv:1: header/],
      ['timestamp,value\nyesterday,1\n', /in\.csv:2: cannot parse timestamp/],
      ['timestamp,value\n1700000000,12 GB\n', /in\.csv:2: value '12 GB' is not a number/],
      ['timestamp,value\n1e400,1\n', /in\.csv:2: cannot parse timestamp/],
    ];
    for (const [text, message] of cases) {
      const err = await thrown(() => parseSeriesCsv(text, 'in.csv'));
      expectDocumented(err, DataError, ExitCode.data);
      expect((err as Error).message, JSON.stringify(text)).toMatch(message);
    }
    expectDocumented(await thrown(() => readSeriesCsv(join(dir, 'missing.csv'))), DataError, ExitCode.data);
    expectDocumented(await thrown(() => readSeriesCsv(dir)), DataError, ExitCode.data);
  });

  // Was a bug (csv-parse errors without a CSV_ code escaped raw, exit 1); fixed in readSeriesCsv.ts by `instanceof CsvError`.
  it('a stray quote inside a field is a DataError, not a raw csv-parse error', async () => {
    for (const text of ['timestamp,value\n17000"00000,1\n', 'timestamp,value\n1700000000,1"\n', 'timestamp,value\n1700000000,"1"x\n']) {
      const err = await thrown(() => parseSeriesCsv(text, 'in.csv'));
      expectDocumented(err, DataError, ExitCode.data);
      expect((err as Error).message).toMatch(/^in\.csv/);
    }
  });

  it('reads back any fleet written as CSV, with or without BOM, CRLF and quoting (fast-check)', async () => {
    const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && s.trim() !== '' && !s.includes('\uFEFF'));
    const fleet = fc.uniqueArray(
      fc.record({
        id,
        points: fc.uniqueArray(
          fc.record({ t: fc.integer({ min: 0, max: 4e9 }), v: fc.double({ noNaN: true, noDefaultInfinity: true }) }),
          { minLength: 1, maxLength: 8, selector: (p) => p.t },
        ),
      }),
      { minLength: 1, maxLength: 5, selector: (s) => s.id },
    );
    await fc.assert(
      fc.asyncProperty(fleet, fc.boolean(), fc.boolean(), fc.boolean(), async (series, bom, crlf, quoteAll) => {
        const eol = crlf ? '\r\n' : '\n';
        const field = (s: string) => (quoteAll || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
        const lines = ['series,timestamp,value'];
        for (const s of series) for (const p of s.points) lines.push([field(s.id), field(String(p.t)), field(String(p.v))].join(','));
        const text = (bom ? '\uFEFF' : '') + lines.join(eol) + eol;
        const read = await parseSeriesCsv(text);
        expect(read.map((s) => s.id)).toEqual(series.map((s) => s.id));
        read.forEach((s, i) => {
          expect([...s.timestamps]).toEqual(series[i].points.map((p) => p.t * 1000));
          // -0 is written as "0": compare as numbers.
          expect([...s.values].map((v) => v + 0)).toEqual(series[i].points.map((p) => p.v + 0));
        });
      }),
      { numRuns: 150 },
    );
  });

  it('throws nothing but DataError on arbitrary text (fast-check)', async () => {
    const csvish = fc
      .array(fc.constantFrom('a', '1', '7', '0', '"', ',', '\n', '\r', ' ', '\uFEFF', 'T', '-', ':', 'Z', '.', 'e', 'x', '\u0000', '\uD800', 'é'), { maxLength: 60 })
      .map((cs) => cs.join(''));
    const header = fc.constantFrom('', 'timestamp,value\n', 'series,timestamp,value\n', '\uFEFFseries,timestamp,value\r\n');
    // Files of plausible and implausible fields, mostly as wide as their header, so many get into the values.
    const field = fc.constantFrom('1700000000', '1700003600', '2026-01-01T00:00:00Z', '2026-02-31', '2026-Q1', '1.5', '-2', '', 'NaN', 'inf', '1e400', 'a', '"q"', '"a,b"', '"x""y"', ' 7 ', '0x1f', 'é', '"');
    const eol = fc.constantFrom('\n', '\r\n', '\r');
    const structured = fc.constantFrom(2, 3).chain((w) =>
      fc
        .tuple(
          fc.constantFrom(w === 2 ? 'timestamp,value' : 'series,timestamp,value', w === 2 ? '\uFEFFTimestamp,Value' : 'series,timestamp,value'),
          eol,
          fc.array(fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.array(field, { minLength: w, maxLength: w }) }, { weight: 1, arbitrary: fc.array(field, { maxLength: 4 }) }), eol), { maxLength: 6 }),
        )
        .map(([h, e, rs]) => h + e + rs.map(([fs, end]) => fs.join(',') + end).join('')),
    );
    const anyText = fc.oneof(header.chain((h) => csvish.map((b) => h + b)), structured, structured, fc.string({ unit: 'binary', maxLength: 80 }));
    let parsed = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(anyText, async (text) => {
        const err = await thrown(() => parseSeriesCsv(text, 'fuzz.csv'));
        if (err === null) return void parsed++;
        expect(err).not.toBeInstanceOf(CsvError);
        expectDocumented(err, DataError, ExitCode.data, text);
        refused++;
      }),
      { numRuns: 1500 },
    );
    console.log(`CSV fuzz: 1500 inputs, ${parsed} read, ${refused} DataErrors, nothing else`);
  });

  it(`streams ${LONG ? '10^7' : '10^6'} rows from a file without holding it`, async () => {
    const rows = LONG ? 10_000_000 : 1_000_000;
    const file = join(dir, 'huge.csv');
    const out = createWriteStream(file);
    out.write('series,timestamp,value\r\n');
    const t0 = 1_600_000_000;
    let buf = '';
    for (let i = 0; i < rows; i++) {
      buf += `host-${i % 4},${t0 + Math.floor(i / 4) * 60},${i % 1000}.5\r\n`;
      if (buf.length > 1 << 20) {
        if (!out.write(buf)) await once(out, 'drain');
        buf = '';
      }
    }
    out.end(buf);
    await once(out, 'finish');
    const size = statSync(file).size;

    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const started = performance.now();
    const series = await readSeriesCsv(file);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(series.map((s) => [s.id, s.timestamps.length])).toEqual([0, 1, 2, 3].map((k) => [`host-${k}`, rows / 4]));
    expect(series[3].timestamps[rows / 4 - 1]).toBe((t0 + (rows / 4 - 1) * 60) * 1000);
    expect(series[2].values[1]).toBe(6.5);
    const growthMb = (peak - before) / 2 ** 20;
    console.log(`CSV: ${rows.toLocaleString('en-US')} rows (${(size / 2 ** 20).toFixed(0)} MiB) in ${seconds.toFixed(1)} s, RSS growth ${growthMb.toFixed(0)} MiB`);
    // Bounded by the parsed rows (16 bytes each, plus the parser's garbage not yet collected), not by the file.
    expect(growthMb).toBeLessThan(256 + (rows * 64) / 2 ** 20);
  }, LONG ? 600_000 : 120_000);
});

describe('duration parser: hostile text', () => {
  it('refuses negatives, overflow, zero and junk with a UsageError naming the flag (exit 2)', () => {
    for (const text of ['-5d', '1e309d', '1e3d', '0d', '0', '', ' ', 'd', '5', '5x', '5d-1h', '5 d', 'NaN', 'Infinity', 'Infinityd', '١٢d', '9'.repeat(400) + 'd', '1001y', '+5d', '5D', '0x10d', '5d\n5h', '\u0000']) {
      let err: unknown = null;
      try {
        parseDuration(text, '--horizon');
      } catch (e) {
        err = e;
      }
      expectDocumented(err, UsageError, ExitCode.usage, text);
      expect((err as Error).message, JSON.stringify(text)).toMatch(/^--horizon: /);
    }
  });

  // Fails while the bug stands: src/time/duration.ts accepts fractions of a millisecond ('0.0000001ms',
  // '0.5ms'). No server takes such a step, and as a plan's step it makes splitRange plan ~10^17 points
  // (alignRange on a step of 1e-7 ms): the pull never ends. Fix: after summing, require
  // Number.isInteger(total), e.g. `if (!Number.isInteger(total)) throw new UsageError(...whole milliseconds...)`.
  it('refuses durations that are not whole milliseconds', () => {
    for (const text of ['0.0000001ms', '0.5ms', '1.0001s']) expect(() => parseDuration(text), text).toThrow(UsageError);
  });

  it('returns a positive whole number of ms up to 1000y or throws UsageError, for any text (fast-check)', () => {
    const durationish = fc.array(fc.constantFrom('1', '0', '9', '.', '5', 'ms', 's', 'm', 'h', 'd', 'w', 'y', '-', 'e', ' ', 'x'), { maxLength: 12 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(durationish, fc.string({ unit: 'binary', maxLength: 20 })), (text) => {
        let v: number;
        try {
          v = parseDuration(text);
        } catch (err) {
          expectDocumented(err, UsageError, ExitCode.usage, text);
          return;
        }
        expect(Number.isFinite(v) && v > 0 && v <= 1000 * MS.y).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads every well-formed duration exactly, and formatDuration round-trips (fast-check)', () => {
    const unit = fc.constantFrom(...(Object.keys(MS) as (keyof typeof MS)[]));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 500 }), unit), { minLength: 1, maxLength: 4 }), (parts) => {
        const text = parts.map(([n, u]) => `${n}${u}`).join('');
        const ms = parts.reduce((a, [n, u]) => a + n * MS[u], 0);
        fc.pre(ms <= 1000 * MS.y); // longer is out of range, tested above
        expect(parseDuration(text)).toBe(ms);
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});

const VALID_PLAN = {
  sources: { prom: { url: 'http://prometheus:9090', type: 'prometheus', timeout: '30s', maxPoints: 1000 } },
  resources: [{ name: 'disk', source: 'prom', usage: 'node_filesystem_used_bytes', capacity: 'node_filesystem_size_bytes', step: '1h', lookback: '90d', aggregate: 'p99' }],
};

describe('plan validator: hostile plans', () => {
  function planError(text: string): PlanError {
    let err: unknown = null;
    try {
      parsePlan(text, 'plan.yaml');
    } catch (e) {
      err = e;
    }
    expectDocumented(err, PlanError, ExitCode.usage);
    return err as PlanError;
  }

  it('names the YAML path, file:line:col and what was found for wrong types and values', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ ...VALID_PLAN, sources: { prom: { ...VALID_PLAN.sources.prom, maxPoints: 'lots' } } }, 'sources.prom.maxPoints', /got "lots" \(at plan\.yaml:\d+:\d+\)/],
      [{ ...VALID_PLAN, sources: { prom: { ...VALID_PLAN.sources.prom, maxPoints: 1e300 } } }, 'sources.prom.maxPoints', /got 1e\+300/],
      [{ ...VALID_PLAN, sources: { prom: { ...VALID_PLAN.sources.prom, concurrency: -1 } } }, 'sources.prom.concurrency', /got -1/],
      [{ ...VALID_PLAN, sources: { prom: { ...VALID_PLAN.sources.prom, url: 'file:///etc/passwd' } } }, 'sources.prom.url', /http\(s\) URL/],
      [{ ...VALID_PLAN, resources: [{ ...VALID_PLAN.resources[0], capacity: -5 }] }, 'resources[0].capacity', /got -5/],
      [{ ...VALID_PLAN, resources: [{ ...VALID_PLAN.resources[0], step: '-5d' }] }, 'resources[0].step', /got "-5d"/],
      [{ ...VALID_PLAN, resources: [{ ...VALID_PLAN.resources[0], lookback: '1e309d' }] }, 'resources[0].lookback', /got "1e309d"/],
      [{ ...VALID_PLAN, resources: [{ ...VALID_PLAN.resources[0], aggregate: 'p100' }] }, 'resources[0].aggregate', /got "p100"/],
      [{ ...VALID_PLAN, resources: [{ ...VALID_PLAN.resources[0], groupBy: 'cluster' }] }, 'resources[0].groupBy', /list of label names/],
      [{ ...VALID_PLAN, resources: [{ ...VALID_PLAN.resources[0], source: 'nope' }] }, 'resources[0].source', /unknown source "nope"/],
      [{ ...VALID_PLAN, resources: 'disk' }, 'resources', /got "disk"/],
      [{ ...VALID_PLAN, sources: { prom: { ...VALID_PLAN.sources.prom, auth: { bearerToken: 'hunter2' } } } }, 'sources.prom.auth.bearerToken', /secrets are not written in the plan/],
    ];
    for (const [plan, path, detail] of cases) {
      const err = planError(toYaml(plan));
      expect(err.path).toBe(path);
      expect(err.message).toMatch(detail);
      expect(err.message).not.toContain('hunter2');
    }
    const huge = planError(toYaml({ ...VALID_PLAN, resources: [{ ...VALID_PLAN.resources[0], capacity: 1e309 }] }).replace('Infinity', '1e309'));
    expect(huge.path).toBe('resources[0].capacity');
  });

  it('refuses unknown keys with their path and location', () => {
    const err = planError(toYaml({ ...VALID_PLAN, resources: [{ ...VALID_PLAN.resources[0], agregate: 'max' }] }));
    expect(err.path).toBe('resources[0].agregate');
    expect(err.message).toMatch(/unknown key( \(did you mean "[^"]+"\?\))? \(at plan\.yaml:\d+:\d+\)/);
  });

  // Fails while the validator lacks suggestions: src/plan/loadPlan.ts describeIssue answers 'unknown key'
  // only. Fix: for `unrecognized_keys`, compare the key with the keys the schema object allows
  // (the parent's `shape`) by edit distance (≤ 2, or a case-insensitive match) and append ` (did you mean "aggregate"?)`.
  it('suggests the key that was meant ("did you mean")', () => {
    const cases: [unknown, string][] = [
      [{ ...VALID_PLAN, resources: [{ ...VALID_PLAN.resources[0], agregate: 'max' }] }, 'aggregate'],
      [{ ...VALID_PLAN, resources: [{ ...VALID_PLAN.resources[0], lookBack: '30d' }] }, 'lookback'],
      [{ ...VALID_PLAN, sources: { prom: { ...VALID_PLAN.sources.prom, maxpoints: 10 } } }, 'maxPoints'],
      [{ sources: VALID_PLAN.sources, resource: VALID_PLAN.resources }, 'resources'],
    ];
    for (const [plan, meant] of cases) expect(planError(toYaml(plan)).message).toContain(`did you mean "${meant}"`);
  });

  // Fails while the bug stands: src/plan/loadPlan.ts parsePlan calls doc.toJS({ maxAliasCount: 100 }) outside
  // any try, so an alias bomb throws the yaml library's ReferenceError ("Excessive alias count indicates a
  // resource exhaustion attack") and the CLI exits 1 with "unexpected error". Fix: catch it and throw
  // new PlanError('', `${file}: too many YAML aliases (${message})`).
  it('refuses a YAML alias bomb with a PlanError', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdef'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdef'[i]}`).join(', ')}]`)].join('\n');
    planError(bomb);
  });

  it('leaves Object.prototype alone whatever the keys', () => {
    for (const text of [
      'sources:\n  __proto__:\n    url: http://x:9090\n    type: prometheus\nresources:\n  - {name: d, source: __proto__, usage: up}\n',
      toYaml(VALID_PLAN) + '__proto__: {polluted: yes}\n',
      'sources:\n  constructor:\n    url: http://x:9090\n    type: prometheus\nresources:\n  - {name: d, source: constructor, usage: up}\n',
    ]) {
      try {
        parsePlan(text);
      } catch (err) {
        expectDocumented(err, PlanError, ExitCode.usage);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).url).toBeUndefined();
    }
  });

  it('returns a plan or a PlanError for any YAML document and any mutation of a valid plan (fast-check)', () => {
    const leaf = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.constantFrom('-5d', '1e309d', '0s', 'p100', 'p0', '1.5', 'NaN', '', ' ', 'http://', 'max', 'quantile:1', 1e308, -0, 2 ** 53 + 1, 0.5, null, true),
    );
    // Paths into the valid plan: change one thing at a time, so deep checks are reached.
    const paths = [
      ['sources'],
      ['sources', 'prom'],
      ['sources', 'prom', 'url'],
      ['sources', 'prom', 'type'],
      ['sources', 'prom', 'timeout'],
      ['sources', 'prom', 'maxPoints'],
      ['sources', 'prom', 'concurrency'],
      ['sources', 'prom', 'headers'],
      ['sources', 'prom', 'tls'],
      ['sources', 'prom', 'thanos'],
      ['sources', 'prom', 'auth'],
      ['resources'],
      ['resources', 0],
      ['resources', 0, 'name'],
      ['resources', 0, 'usage'],
      ['resources', 0, 'capacity'],
      ['resources', 0, 'aggregate'],
      ['resources', 0, 'step'],
      ['resources', 0, 'lookback'],
      ['resources', 0, 'groupBy'],
      ['resources', 0, 'direction'],
      ['resources', 0, 'unknownKey'],
    ] as const;
    let plans = 0;
    let errors = 0;
    fc.assert(
      fc.property(fc.oneof(fc.anything({ maxDepth: 3 }).map((v) => ({ doc: v })), fc.record({ path: fc.constantFrom(...paths), value: leaf })), (input) => {
        let doc: unknown;
        if ('doc' in input) doc = input.doc;
        else {
          doc = structuredClone(VALID_PLAN);
          let at = doc as Record<string | number, unknown>;
          for (const seg of input.path.slice(0, -1)) at = at[seg] as Record<string | number, unknown>;
          at[input.path[input.path.length - 1]] = input.value;
        }
        let text: string | undefined;
        try {
          text = toYaml(doc) as string | undefined;
        } catch {
          return; // not representable as YAML (e.g. a symbol): nothing to feed the validator
        }
        if (typeof text !== 'string') return;
        try {
          parsePlan(text, 'fuzz.yaml');
          plans++;
        } catch (err) {
          expectDocumented(err, PlanError, ExitCode.usage, text);
          errors++;
        }
      }),
      { numRuns: 2000 },
    );
    console.log(`plan fuzz: 2000 documents, ${plans} valid plans, ${errors} PlanErrors, nothing else`);
  });

  it('returns a plan or a PlanError for arbitrary text (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        try {
          parsePlan(text, 'fuzz.yaml');
        } catch (err) {
          expectDocumented(err, PlanError, ExitCode.usage, text);
        }
      }),
      { numRuns: 1000 },
    );
  });

  // Fails while the bug stands (see 'refuses durations that are not whole milliseconds'): a step of a
  // fraction of a millisecond passes the validator and makes the pull plan ~10^17 points.
  it('refuses a step too small to pull', () => {
    planError(toYaml({ ...VALID_PLAN, resources: [{ ...VALID_PLAN.resources[0], step: '0.0000001ms' }] }));
  });
});

describe('query planner: hostile PromQL, aggregates and ranges', () => {
  const aggregate = fc.oneof(
    fc.constantFrom<Aggregate>({ kind: 'max' }, { kind: 'min' }, { kind: 'avg' }, { kind: 'last' }),
    fc.double({ min: 0.001, max: 0.999, noNaN: true }).map((q): Aggregate => ({ kind: 'quantile', q })),
  );
  const promqlish = fc
    .array(fc.constantFrom('up', 'x', '{', '}', '(', ')', '[', ']', '"', "'", '`', '\\', '=', '~', ',', ' ', '\n', 'sum', 'by', '5m', ':', '__name__', '}"'), { maxLength: 20 })
    .map((a) => a.join(''));

  it('parseAggregate answers an aggregate or null for any text or number, never throws (fast-check)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 20 }), fc.double(), fc.constantFrom('p', 'p0', 'p100', 'p99.9999', 'quantile:', 'quantile:1', '.', '0.', 'NONE', ' max ')), (v) => {
        const a = parseAggregate(v);
        if (a?.kind === 'quantile') expect(a.q > 0 && a.q < 1).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('peakQuery and groupQuery wrap any expression without throwing; a plain selector gets a range, anything else a subquery (fast-check)', () => {
    fc.assert(
      fc.property(fc.oneof(promqlish, fc.string({ unit: 'binary', maxLength: 40 })), aggregate, fc.integer({ min: 1, max: 1e10 }), fc.array(fc.constantFrom('a', 'b', 'cluster'), { maxLength: 3 }), (expr, agg, stepMs, by) => {
        const grouped = groupQuery(expr, by);
        const q = peakQuery(grouped, agg, stepMs);
        if (agg.kind === 'last') expect(q).toBe(grouped.trim());
        else if (isPlainSelector(grouped)) expect(q).toContain(`${grouped.trim()}[${formatDuration(stepMs)}]`);
        else expect(q).toContain(`(${grouped.trim()})[${formatDuration(stepMs)}:]`);
      }),
      { numRuns: 3000 },
    );
    // Label values holding PromQL syntax stay one selector.
    expect(isPlainSelector('up{job="a}(b)[5m]", x=~"\\"}"}')).toBe(true);
    expect(isPlainSelector('up{job="unterminated}')).toBe(false);
  });

  it('splitRange covers the aligned range exactly, in windows of at most maxPoints, and halving keeps that (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 4e12 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.constantFrom(1, 1000, 60_000, 3_600_000, 86_400_000, 7_000),
        fc.integer({ min: 1, max: 30_000 }),
        fc.integer({ min: 0, max: 86_399_999 }),
        (start, steps, step, maxPoints, jitter) => {
          // A span of `steps` steps plus an unaligned remainder.
          const span = steps * step + (jitter % step);
          const windows = splitRange(start, start + span, step, maxPoints);
          const aligned = alignRange(start, start + span, step);
          if (!aligned) {
            expect(windows).toEqual([]);
            return;
          }
          // === rather than toBe: -0 and 0 are the same instant.
          expect(windows[0].startMs === aligned.startMs).toBe(true);
          expect(windows[windows.length - 1].endMs === aligned.endMs).toBe(true);
          // Plain checks in the loop (tens of thousands of windows per case), one expect at the end.
          const bad: string[] = [];
          for (const [k, w] of windows.entries()) {
            if (!(w.points > 0 && w.points <= maxPoints) || w.endMs - w.startMs !== (w.points - 1) * step) bad.push(`window ${k}: ${JSON.stringify(w)}`);
            if (k > 0 && w.startMs !== windows[k - 1].endMs + step) bad.push(`seam before ${k}`);
            if (w.points >= 2) {
              const [a, b] = halveWindow(w, step);
              if (a.startMs !== w.startMs || a.endMs + step !== b.startMs || b.endMs !== w.endMs || a.points + b.points !== w.points) bad.push(`halving ${k}`);
            }
            if (bad.length > 3) break;
          }
          expect(bad).toEqual([]);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('every aggregate a plan accepts becomes a query; every other one is a PlanError (fast-check)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 12 }), fc.double({ noNaN: true }), fc.constantFrom('p95', 'p99.9', 'quantile:0.5', '0.9', 'last')), (agg) => {
        const text = toYaml({ ...VALID_PLAN, resources: [{ ...VALID_PLAN.resources[0], aggregate: agg }] });
        try {
          const plan = parsePlan(text);
          expect(peakQuery(plan.resources[0].usage, plan.resources[0].aggregate, plan.resources[0].stepMs)).toContain('node_filesystem_used_bytes');
        } catch (err) {
          expectDocumented(err, PlanError, ExitCode.usage);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
