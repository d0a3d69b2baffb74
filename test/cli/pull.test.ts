import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Store } from '../../src/store/Store.js';
import { runCli } from '../support/runCli.js';
import { useFakeServer } from '../source/prometheus/fakeServer.js';
import { startPrometheusWithHistory, type RunningPrometheus, type SyntheticSeries } from '../support/prometheus.js';

/*
 * `capplan pull` end to end against a real Prometheus (Debian's 2.42) holding
 * 60 days of 5-minute history that ends this hour: gauges with a trend and a
 * daily cycle, a sawtooth, a constant size, and a counter. Each test compares
 * what capplan stored with what Prometheus itself answers for the same
 * queries, sent by hand.
 */

const M = 60_000;
const H = 60 * M;
const DAY = 24 * H;
const INTERVAL = 5 * M;
// History ends at the start of the current hour, so pulls that use the real clock (the child process) see all of it.
const TO = Math.floor(Date.now() / H) * H;
const FROM = TO - 60 * DAY;
const HOSTS = ['h1', 'h2', 'h3'];
const ROOT = join(import.meta.dirname, '..', '..');

const series: SyntheticSeries[] = HOSTS.flatMap((host, i) => [
  // Trend plus a daily cycle, integer-valued so stored values compare exactly.
  { metric: 'capplan_mem_used_bytes', labels: { host }, value: (t) => 1e9 * (i + 1) + Math.round(((t - FROM) / DAY) * 5e6 + 2e8 * Math.sin((2 * Math.PI * (t % DAY)) / DAY)) },
  // Sawtooth: grows all day, rotated at midnight.
  { metric: 'capplan_disk_used_bytes', labels: { host }, value: (t) => 1e11 + 1e9 * i + Math.floor((t - FROM) / DAY) * 1e8 + ((t % DAY) / INTERVAL) * 1e6 },
  { metric: 'capplan_disk_size_bytes', labels: { host }, value: () => 1e12 },
  { metric: 'capplan_requests_total', labels: { host }, value: (t) => ((t - FROM) / INTERVAL) * (10 + i) },
]);

let prom: RunningPrometheus;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'capplan-pull-'));
  prom = await startPrometheusWithHistory({ dir: work, series, fromMs: FROM, toMs: TO, intervalMs: INTERVAL });
});

afterAll(async () => {
  await prom?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

let dbs = 0;
const newDb = () => join(work, `db-${++dbs}.duckdb`);

interface Points {
  readonly t: number[];
  readonly v: number[];
}

/** What Prometheus answers to a range query, per label set (sorted JSON of the labels, __name__ dropped). */
async function promRange(query: string, startMs: number, endMs: number, stepMs: number): Promise<Map<string, Points>> {
  const out = new Map<string, Points>();
  // In pieces under the 11,000-point limit, exactly as a client must.
  for (let s = startMs; s <= endMs; s += 10_000 * stepMs) {
    const e = Math.min(endMs, s + 9_999 * stepMs);
    const res = await fetch(`${prom.url}/api/v1/query_range`, {
      method: 'POST',
      body: new URLSearchParams({ query, start: String(s / 1000), end: String(e / 1000), step: `${stepMs / 1000}s` }),
    });
    const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
    expect(body.status).toBe('success');
    for (const r of body.data.result) {
      const { __name__: _drop, ...labels } = r.metric;
      const key = labelKey(labels);
      const acc = out.get(key) ?? { t: [], v: [] };
      for (const [ts, val] of r.values) {
        acc.t.push(Math.round(ts * 1000));
        acc.v.push(Number(val));
      }
      out.set(key, acc);
    }
  }
  return out;
}

/** What capplan stored for a resource and metric, keyed like `promRange`. */
async function storedPoints(db: string, resource: string, metric = 'usage'): Promise<Map<string, Points>> {
  const store = await Store.open(db, { readOnly: true });
  try {
    const out = new Map<string, Points>();
    for (const s of await store.listSeries({ resource })) {
      if (s.metric !== metric) continue;
      const r = await store.readSamples(s.seriesId);
      out.set(labelKey(s.labels), { t: Array.from(r.timestamps), v: Array.from(r.values) });
    }
    return out;
  } finally {
    store.close();
  }
}

async function sql(db: string, text: string): Promise<readonly (readonly unknown[])[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    return (await store.query(text)).rows;
  } finally {
    store.close();
  }
}

const floor6h = (t: number) => Math.floor(t / (6 * H)) * 6 * H;

function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/** Same series, same timestamps, same values; and a summary (count, first, last) so a failure reads well. */
function expectSame(stored: Map<string, Points>, expected: Map<string, Points>): void {
  const summary = (m: Map<string, Points>) =>
    [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, p]) => ({ series: k, count: p.t.length, first: p.t[0], last: p.t[p.t.length - 1] }));
  expect(summary(stored)).toEqual(summary(expected));
  for (const [k, p] of expected) expect(stored.get(k)).toEqual(p);
}

const samplesCount = async (db: string) => Number((await sql(db, 'SELECT count(*) FROM samples'))[0][0]);

function writePlan(resources: string, maxPoints = 500): string {
  const file = join(mkdtempSync(join(work, 'plan-')), 'plan.yaml');
  writeFileSync(file, `sources:\n  prom:\n    url: ${prom.url}\n    type: prometheus\n    maxPoints: ${maxPoints}\nresources:\n${resources}`);
  return file;
}

describe('capplan pull with a plan file', () => {
  it('stores exactly what Prometheus returns for the same queries, and a second run adds nothing', async () => {
    const planFile = writePlan(
      [
        '  - {name: disk, source: prom, usage: capplan_disk_used_bytes, capacity: capplan_disk_size_bytes, step: 1h, lookback: 50d, unit: bytes}',
        '  - {name: mem, source: prom, usage: capplan_mem_used_bytes, aggregate: min, step: 30m, lookback: 20d}',
        '  - {name: rps, source: prom, usage: "rate(capplan_requests_total[1h])", groupBy: [host], step: 6h, lookback: 59d}',
      ].join('\n'),
    );
    const db = newDb();
    const run = await runCli(['pull', '--db', db, '--plan', planFile], { nowMs: TO });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const points = { disk: 50 * 24 + 1, mem: 20 * 48 + 1, rps: 59 * 4 + 1 };
    const total = 3 * (2 * points.disk + points.mem + points.rps);
    expect(run.stdout).toMatch(new RegExp(`^pull #1 disk \\(source prom\\): ok, 6 series, ${(6 * points.disk).toLocaleString('en-US')} new samples, 0 already stored, 0 updated, 0 NaN/stale dropped$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^capplan pull: 3 resources, 12 series, ${total.toLocaleString('en-US')} new samples, 0 already stored, 0 updated, 0 NaN/stale dropped, 0 warnings, \\d+\\.\\d s$`, 'm'));

    expectSame(await storedPoints(db, 'disk'), await promRange('max_over_time(capplan_disk_used_bytes[1h])', TO - 50 * DAY, TO, H));
    expectSame(await storedPoints(db, 'disk', 'capacity'), await promRange('max_over_time(capplan_disk_size_bytes[1h])', TO - 50 * DAY, TO, H));
    expectSame(await storedPoints(db, 'mem'), await promRange('min_over_time(capplan_mem_used_bytes[30m])', TO - 20 * DAY, TO, 30 * M));
    expectSame(
      await storedPoints(db, 'rps'),
      await promRange('max_over_time((sum by (host) (rate(capplan_requests_total[1h])))[6h:])', floor6h(TO) - 59 * DAY, floor6h(TO), 6 * H),
    );
    expect(await samplesCount(db)).toBe(total);

    // Later in the same hour: only the overlap is asked again, all of it already stored.
    const again = await runCli(['pull', '--db', db, '--plan', planFile], { nowMs: TO + 20 * M });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^capplan pull: 3 resources, 12 series, 0 new samples, \d+ already stored, 0 updated, 0 NaN\/stale dropped, 0 warnings/m);
    expect(await samplesCount(db)).toBe(total);
    expect(await sql(db, `SELECT count(*) FROM (SELECT series_id, ts FROM samples GROUP BY ALL HAVING count(*) > 1)`)).toEqual([[0]]);

    // --resource picks one; --full re-reads its whole lookback and still stores nothing twice.
    const full = await runCli(['pull', '--db', db, '--plan', planFile, '--resource', 'mem', '--full'], { nowMs: TO });
    expect(full.code).toBe(0);
    expect(full.stdout).toMatch(new RegExp(`^capplan pull: 1 resource, 3 series, 0 new samples, ${(3 * points.mem).toLocaleString('en-US')} already stored`, 'm'));
    expect(await samplesCount(db)).toBe(total);
  });

  it('exits 2 naming the YAML path of a bad plan, before touching the database', async () => {
    const planFile = writePlan('  - {name: disk, source: prom, usage: capplan_disk_used_bytes, step: hourly}');
    const db = newDb();
    const run = await runCli(['pull', '--db', db, '--plan', planFile]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^capplan: resources\[0\]\.step: expected a duration like 1h, got "hourly" \(at .*plan\.yaml:\d+:\d+\)\n$/);
    expect(existsSync(db)).toBe(false);

    const unknown = await runCli(['pull', '--db', db, '--plan', writePlan('  - {name: disk, source: thanos, usage: x}')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/resources\[0\]\.source: unknown source "thanos" \(defined: prom\)/);
    const resource = await runCli(['pull', '--db', db, '--plan', writePlan('  - {name: disk, source: prom, usage: x}'), '--resource', 'cpu']);
    expect(resource.code).toBe(2);
    expect(resource.stderr).toMatch(/no resource named "cpu" in the plan \(resources: disk\)/);
  });

  it('exits 5 with the server message and the query for bad PromQL, still storing the other resources', async () => {
    const planFile = writePlan(
      '  - {name: broken, source: prom, usage: "sum(capplan_disk_used_bytes", step: 1h, lookback: 2d}\n' +
        '  - {name: disk, source: prom, usage: capplan_disk_used_bytes, step: 1h, lookback: 2d}',
    );
    const db = newDb();
    const run = await runCli(['pull', '--db', db, '--plan', planFile], { nowMs: TO });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(`capplan: broken (source prom) failed: source prom: POST ${prom.url}/api/v1/query_range: HTTP 400: bad_data: `);
    expect(run.stderr).toMatch(/parse error/);
    expect(run.stderr).toContain('  query: max_over_time((sum(capplan_disk_used_bytes)[1h:])');
    expect(run.stdout).toMatch(/^capplan pull: 2 resources, 3 series, 147 new samples, 0 already stored, 0 updated, 0 NaN\/stale dropped, 0 warnings, 1 failed/m);
    expect(await sql(db, `SELECT resource, status FROM pulls ORDER BY resource`)).toEqual([
      ['broken', 'failed'],
      ['disk', 'ok'],
    ]);
  });
});

describe('capplan pull ad hoc', () => {
  it('stores exactly what Prometheus returns; a second run adds nothing', async () => {
    const db = newDb();
    const args = ['pull', '--db', db, '--url', prom.url, '--query', 'capplan_mem_used_bytes', '--name', 'mem', '--since', '30d', '--step', '1h', '--aggregate', 'max'];
    const run = await runCli(args, { nowMs: TO });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const expected = await promRange('max_over_time(capplan_mem_used_bytes[1h])', TO - 30 * DAY, TO, H);
    expectSame(await storedPoints(db, 'mem'), expected);
    expect(run.stdout).toMatch(/^pull #1 mem \(source adhoc\): ok, 3 series, 2,163 new samples, 0 already stored, 0 updated, 0 NaN\/stale dropped$/m);
    expect(await sql(db, `SELECT source, query, resolution, step_s, status FROM pulls`)).toEqual([
      ['adhoc', 'max_over_time(capplan_mem_used_bytes[1h])', 'raw', 3600, 'ok'],
    ]);

    const again = await runCli(args, { nowMs: TO });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^capplan pull: 1 resource, 3 series, 0 new samples, 9 already stored/m);
    expect(await samplesCount(db)).toBe(3 * (30 * 24 + 1));
  });

  it('pulls an explicit --start/--end range with p95 and a constant capacity', async () => {
    const db = newDb();
    const start = new Date(TO - 10 * DAY).toISOString();
    const end = String((TO - 5 * DAY) / 1000);
    const run = await runCli(
      ['pull', '--db', db, '--url', `${prom.url}/`, '--query', 'capplan_disk_used_bytes{host="h2"}', '--name', 'disk', '--start', start, '--end', end, '--step', '6h', '--aggregate', 'p95', '--capacity', '1e12', '--resolution', 'auto'],
      { nowMs: TO },
    );
    expect(run.code).toBe(0);
    // Step instants inside [start, end]: the first multiple of 6h at or after the start, the last at or before the end.
    const first = Math.ceil((TO - 10 * DAY) / (6 * H)) * 6 * H;
    expectSame(await storedPoints(db, 'disk'), await promRange('quantile_over_time(0.95, capplan_disk_used_bytes{host="h2"}[6h])', first, floor6h(TO - 5 * DAY), 6 * H));
    expect(await sql(db, `SELECT DISTINCT capacity FROM series`)).toEqual([[1e12]]);
  });

  it('refuses usage mistakes with exit 2', async () => {
    const db = newDb();
    const cases: [string[], RegExp][] = [
      [['--url', prom.url, '--name', 'x'], /--query: required with --url/],
      [['--url', prom.url, '--query', 'up'], /--name: required/],
      [['--url', prom.url, '--query', 'up', '--name', 'x', '--since', '1d', '--start', '2026-01-01'], /either --since or --start\/--end/],
      [['--url', prom.url, '--query', 'up', '--name', 'x', '--header', 'Authorization: Bearer abc'], /Authorization is not accepted on the command line/],
      [['--url', 'http://user:pw@127.0.0.1:1', '--query', 'up', '--name', 'x'], /credentials in the URL are not allowed/],
      [['--url', prom.url, '--query', 'up', '--name', 'x', '--resolution', '2h'], /expected one of auto, raw, 5m, 1h/],
      [['--plan', 'p.yaml', '--url', prom.url], /either --plan FILE or --url URL/],
      [['--plan', 'p.yaml', '--query', 'up'], /--query: only for ad-hoc pulls/],
      [[], /give --plan FILE, or --url URL --query PROMQL --name NAME/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(['pull', '--db', db, ...args]);
      expect([args, run.code]).toEqual([args, 2]);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toContain('abc');
    }
  });

  it('exits 5 naming the URL when the server is unreachable', { timeout: 30_000 }, async () => {
    const db = newDb();
    const url = 'http://127.0.0.1:9';
    const run = await runCli(['pull', '--db', db, '--url', url, '--query', 'up', '--name', 'x']);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(`${url}/api/v1/status/buildinfo: ECONNREFUSED`);
    // With the type given there is no detection: the pull itself fails, and is recorded.
    const typed = await runCli(['pull', '--db', db, '--url', url, '--query', 'up', '--name', 'x', '--type', 'prometheus']);
    expect(typed.code).toBe(5);
    expect(typed.stderr).toContain(`capplan: x (source adhoc) failed: source adhoc: POST ${url}/api/v1/query_range: ECONNREFUSED`);
    expect(await sql(db, `SELECT status FROM pulls`)).toEqual([['failed']]);
  });
});

describe('capplan pull output', () => {
  const serve = useFakeServer();

  it('draws a progress bar (windows, series, points, requests, ETA) when stderr is a terminal', async () => {
    const db = newDb();
    let stderr = '';
    let stdout = '';
    const code = await main(
      ['node', 'capplan', 'pull', '--db', db, '--url', prom.url, '--query', 'capplan_disk_used_bytes', '--name', 'disk', '--since', '20d', '--step', '1h', '--max-points', '48'],
      {
        stdout: { write: (t) => void (stdout += t), isTTY: false },
        stderr: { write: (t) => void (stderr += t), isTTY: true, columns: 160 },
        env: {},
        now: () => TO,
        cwd: work,
        setExitCode: () => undefined,
      },
    );
    expect(code).toBe(0);
    expect(stderr).toMatch(/pulling \[[=-]+\] \d+\/11 windows \| \d+ series \| [\d,]+ points \| \d+ requests \| ETA \d+s/);
    expect(stderr).toContain('pulling [========================] 11/11 windows | 3 series | 1,443 points | 11 requests');
    expect(stdout).toMatch(/^capplan pull: 1 resource, 3 series, 1,443 new samples/m);
  });

  it('keeps a Thanos partial response, prints its warning, and exits 0', async () => {
    const partial = readFileSync(new URL('../fixtures/thanos/query_range_partial.json', import.meta.url), 'utf8');
    const srv = await serve((req) => (req.path === '/api/v1/query_range' ? { body: partial } : { body: { status: 'success', data: { version: '0.34.1' } } }));
    const db = newDb();
    const run = await runCli(
      ['pull', '--db', db, '--url', srv.url, '--query', 'disk_used', '--name', 'disk', '--start', '1767225600', '--end', '1767247200', '--resolution', '1h'],
      { nowMs: TO },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^pull #1 disk \(source adhoc\): partial, 2 series, 13 new samples, 0 already stored, 0 updated, \d+ NaN\/stale dropped, 1 warning$/m);
    expect(run.stderr).toMatch(/^capplan: warning: disk \(source adhoc\): receive series from Addr: thanos-store-2/m);
    expect(srv.requests.find((r) => r.path === '/api/v1/query_range')?.form.get('max_source_resolution')).toBe('1h');
    expect(await sql(db, `SELECT status, len(warnings) FROM pulls`)).toEqual([['partial', 1]]);
  });

  it('detects Thanos from its build info and sends the resolution chosen from the step', async () => {
    const buildinfo = readFileSync(new URL('../fixtures/thanos/buildinfo.json', import.meta.url), 'utf8');
    const srv = await serve((req) =>
      req.path === '/api/v1/status/buildinfo' ? { body: buildinfo } : { body: { status: 'success', data: { resultType: 'matrix', result: [] } } },
    );
    const run = await runCli(['pull', '--db', newDb(), '--url', srv.url, '--query', 'disk_used', '--name', 'disk', '--since', '30d', '--step', '6h'], { nowMs: TO });
    expect(run.code).toBe(0);
    expect(srv.requests.filter((r) => r.path === '/api/v1/query_range').map((r) => r.form.get('max_source_resolution'))).toEqual(['1h']);
  });
});

describe('capplan pull as a process', () => {
  const bin = join(ROOT, 'bin', 'capplan.js');
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'commands', 'pull.js'))) throw new Error('dist/ has no pull command: run `npm run build` first (npm test does)');
  });

  /** query_range requests Prometheus has served so far, from its own metrics. */
  async function queryRangeRequests(): Promise<number> {
    const text = await (await fetch(`${prom.url}/metrics`)).text();
    const m = /^prometheus_http_requests_total\{code="200",handler="\/api\/v1\/query_range"\} (\d+)/m.exec(text);
    return m ? Number(m[1]) : 0;
  }

  it('killed midway (SIGKILL) leaves a consistent database, and the next run completes it to equal a clean pull', { timeout: 120_000 }, async () => {
    const db = newDb();
    // 70 days back covers all the history whatever the clock says; 5m steps at 60 points a request make ~350 requests.
    const args = ['pull', '--db', db, '--url', prom.url, '--query', 'capplan_disk_used_bytes', '--name', 'disk', '--since', '70d', '--step', '5m', '--aggregate', 'last', '--max-points', '60', '--concurrency', '1'];
    const before = await queryRangeRequests();
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CAPPLAN_BEARER_TOKEN: '' } });
    let childErr = '';
    child.stderr?.on('data', (c: Buffer) => (childErr += c.toString()));
    const exited = once(child, 'exit');
    // Kill once a good part of the ~350 windows has been served, well before the end.
    const deadline = Date.now() + 60_000;
    while ((await queryRangeRequests()) - before < 120) {
      if (child.exitCode !== null) throw new Error(`the pull ended before it could be killed (exit ${child.exitCode}): ${childErr}`);
      if (Date.now() > deadline) throw new Error('the pull made too few requests in 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    const [, signal] = await exited;
    expect(signal).toBe('SIGKILL');

    // The database opens, holds whole windows with no duplicate (series, ts), and says the pull never finished.
    const half = await samplesCount(db);
    expect(half).toBeGreaterThan(0);
    expect(half % 3).toBe(0);
    expect(await sql(db, `SELECT count(*) FROM (SELECT series_id, ts FROM samples GROUP BY ALL HAVING count(*) > 1)`)).toEqual([[0]]);
    expect(await sql(db, `SELECT status, finished_at IS NULL FROM pulls`)).toEqual([['running', true]]);
    // Each series' recorded extent is what it holds, so the next pull resumes from the right place.
    expect(
      await sql(db, `SELECT count(*) FROM series s JOIN (SELECT series_id, max(ts) AS hi, min(ts) AS lo FROM samples GROUP BY ALL) x USING (series_id) WHERE s.last_ts <> x.hi OR s.first_ts <> x.lo`),
    ).toEqual([[0]]);

    const nowMs = Date.now();
    const resumed = await runCli(args, { nowMs });
    expect(resumed.code).toBe(0);
    const clean = newDb();
    expect((await runCli(args.map((a) => (a === db ? clean : a)), { nowMs })).code).toBe(0);

    const dump = `SELECT s.labels['host'] AS host, epoch_ms(ts) AS t, value FROM samples JOIN series s USING (series_id) ORDER BY host, t`;
    const got = await sql(db, dump);
    expect(got.length).toBe(3 * (60 * 24 * 12 + 1));
    expect(got).toEqual(await sql(clean, dump));
    expect(await sql(db, `SELECT status, coalesce(error LIKE 'interrupted:%', false) FROM pulls ORDER BY pull_id`)).toEqual([
      ['failed', true],
      ['ok', false],
    ]);
    // The resumed run started where the killed one stopped, not from the beginning.
    expect(resumed.stdout).toMatch(new RegExp(`^pull #2 disk \\(source adhoc\\): ok, 3 series, ${(got.length - half).toLocaleString('en-US')} new samples, `, 'm'));
  });

  it('exits 4 when another process holds the database', { timeout: 30_000 }, async () => {
    const db = newDb();
    const store = await Store.open(db);
    try {
      const r = spawnSync(process.execPath, [bin, 'pull', '--db', db, '--url', prom.url, '--query', 'up', '--name', 'x', '--type', 'prometheus'], { encoding: 'utf8' });
      expect(r.status).toBe(4);
      expect(r.stderr).toMatch(/locked by another process/);
    } finally {
      store.close();
    }
  });
});
