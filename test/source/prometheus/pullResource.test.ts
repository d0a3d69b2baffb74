import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/errors.js';
import { parsePlan } from '../../../src/plan/loadPlan.js';
import type { Plan } from '../../../src/plan/Plan.js';
import { PromClient } from '../../../src/source/prometheus/PromClient.js';
import { pullResource } from '../../../src/source/prometheus/pullResource.js';
import { runPull } from '../../../src/pipeline/runPull.js';
import { clientForSource } from '../../../src/source/prometheus/clientForSource.js';
import { Store } from '../../../src/store/Store.js';
import { useTempDir } from '../../support/tempDir.js';
import { matrixReply, useFakeServer, type FakeReply, type SeenRequest } from './fakeServer.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/thanos/${name}`, import.meta.url), 'utf8'));

function plan(url: string, resources: string, source = 'type: prometheus\n    maxPoints: 24'): Plan {
  return parsePlan(`sources:\n  s:\n    url: ${url}\n    ${source}\nresources:\n${resources}`, 'test.yaml');
}

const noWait = { sleep: async () => undefined, random: () => 0 };

async function rows(store: Store, sql: string): Promise<Record<string, unknown>[]> {
  const r = await store.query(sql);
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])));
}

/** A matrix of two disks whose value is the hour number, optionally failing on some requests. */
function disks(req: SeenRequest): FakeReply {
  const isCapacity = (req.form.get('query') ?? '').includes('size');
  return matrixReply(req.form, [{ __name__: 'x', disk: 'a' }, { disk: 'b' }], (i, t) => (isCapacity ? 1000 : i * 100 + (t - T0) / H));
}

describe('pullResource against a fake server', () => {
  const tmp = useTempDir();
  const serve = useFakeServer();
  const open = () => Store.open(join(tmp(), 'p.duckdb'), { now: () => T0 });

  it('pulls the lookback in windows, then only the overlap, idempotently', async () => {
    const srv = await serve(disks);
    const p = plan(srv.url, '  - {name: disk, source: s, usage: disk_used, capacity: disk_size, step: 1h, lookback: 4d, unit: bytes}');
    const store = await open();
    const client = clientForSource(p.sources.s, noWait);
    const first = await pullResource(store, p.resources[0], { client, source: p.sources.s, nowMs: T0 + 4 * 24 * H + 1234 });
    // 97 hourly points per query at ≤24 per window: 5 windows each for usage and capacity.
    expect(srv.requests).toHaveLength(10);
    expect(srv.requests[0].form.get('query')).toBe('max_over_time(disk_used[1h])');
    expect(srv.requests[5].form.get('query')).toBe('max_over_time(disk_size[1h])');
    expect(first).toMatchObject({ status: 'ok', series: 4, inserted: 4 * 97, existing: 0, warnings: [] });

    const series = await rows(store, `SELECT metric, labels['disk'] AS disk, unit, epoch_ms(first_ts) AS f, epoch_ms(last_ts) AS l FROM series ORDER BY metric, disk`);
    expect(series).toEqual([
      { metric: 'capacity', disk: 'a', unit: 'bytes', f: T0, l: T0 + 96 * H },
      { metric: 'capacity', disk: 'b', unit: 'bytes', f: T0, l: T0 + 96 * H },
      { metric: 'usage', disk: 'a', unit: 'bytes', f: T0, l: T0 + 96 * H },
      { metric: 'usage', disk: 'b', unit: 'bytes', f: T0, l: T0 + 96 * H },
    ]);
    const a = await rows(store, `SELECT epoch_ms(ts) AS t, value FROM samples JOIN series USING (series_id) WHERE metric = 'usage' AND labels['disk'] = 'a' ORDER BY ts`);
    expect(a.map((r) => r.t)).toEqual(Array.from({ length: 97 }, (_, k) => T0 + k * H));
    expect(a.map((r) => r.value)).toEqual(Array.from({ length: 97 }, (_, k) => k));

    srv.requests.length = 0;
    const second = await pullResource(store, p.resources[0], { client, source: p.sources.s, nowMs: T0 + 4 * 24 * H + 3 * H });
    // Resumes two steps before the stored end: 96h-2h .. 99h is 6 points per series, 3 of them new.
    expect(srv.requests).toHaveLength(2);
    expect(Number(srv.requests[0].form.get('start')) * 1000).toBe(T0 + 94 * H);
    expect(second).toMatchObject({ inserted: 4 * 3, existing: 4 * 3 });
    const pulls = await rows(store, `SELECT pull_id, status, series_count, sample_count, step_s, resolution, epoch_ms(range_start) AS s FROM pulls ORDER BY pull_id`);
    expect(pulls).toEqual([
      { pull_id: 1, status: 'ok', series_count: 4, sample_count: 388, step_s: 3600, resolution: 'raw', s: T0 },
      { pull_id: 2, status: 'ok', series_count: 4, sample_count: 12, step_s: 3600, resolution: 'raw', s: T0 + 94 * H },
    ]);

    const again = await pullResource(store, p.resources[0], { client, source: p.sources.s, nowMs: T0 + 4 * 24 * H + 3 * H, full: true });
    // The lookback now ends 3h later: 97 points per series, all stored already.
    expect(again).toMatchObject({ inserted: 0, existing: 4 * 97 });
    store.close();
  });

  it('stores a constant capacity on the usage series and groups inside the peak', async () => {
    const srv = await serve(disks);
    const p = plan(srv.url, '  - {name: disk, source: s, usage: disk_used, capacity: 5e12, groupBy: [cluster], aggregate: p95, lookback: 2h}');
    const store = await open();
    await pullResource(store, p.resources[0], { client: clientForSource(p.sources.s, noWait), source: p.sources.s, nowMs: T0 + 2 * H });
    expect(srv.requests.map((r) => r.form.get('query'))).toEqual(['quantile_over_time(0.95, (sum by (cluster) (disk_used))[1h:])']);
    expect(await rows(store, `SELECT metric, capacity FROM series ORDER BY name`)).toEqual([
      { metric: 'usage', capacity: 5e12 },
      { metric: 'usage', capacity: 5e12 },
    ]);
    store.close();
  });

  it('leaves whole windows behind when killed mid-pull, and the next pull resumes after them', async () => {
    let failFrom = Infinity;
    const srv = await serve((req) => {
      if (Number(req.form.get('start')) * 1000 >= failFrom) return { status: 400, body: { status: 'error', errorType: 'bad_data', error: 'store gateway went away' } };
      return disks(req);
    });
    const p = plan(srv.url, '  - {name: disk, source: s, usage: disk_used, lookback: 4d}', 'type: prometheus\n    maxPoints: 24\n    concurrency: 1');
    const store = await open();
    const client = clientForSource(p.sources.s, noWait);
    failFrom = T0 + 48 * H;
    const err = await pullResource(store, p.resources[0], { client, source: p.sources.s, nowMs: T0 + 96 * H }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    const [failed] = await rows(store, `SELECT status, error, sample_count FROM pulls`);
    expect(failed).toMatchObject({ status: 'failed', sample_count: 2 * 48 });
    expect(String(failed.error)).toMatch(/HTTP 400: bad_data: store gateway went away/);
    expect(await rows(store, `SELECT count(*) AS n, epoch_ms(max(ts)) AS last FROM samples`)).toEqual([{ n: 96, last: T0 + 47 * H }]);

    failFrom = Infinity;
    srv.requests.length = 0;
    const resumed = await pullResource(store, p.resources[0], { client, source: p.sources.s, nowMs: T0 + 96 * H });
    expect(Number(srv.requests[0].form.get('start')) * 1000).toBe(T0 + 45 * H);
    expect(resumed).toMatchObject({ status: 'ok', inserted: 2 * 49, existing: 2 * 3 });
    const gaps = await rows(
      store,
      `SELECT count(*) AS n, count(DISTINCT ts) AS distinct_ts, epoch_ms(min(ts)) AS lo, epoch_ms(max(ts)) AS hi FROM samples JOIN series USING (series_id) WHERE labels['disk'] = 'a'`,
    );
    expect(gaps).toEqual([{ n: 97, distinct_ts: 97, lo: T0, hi: T0 + 96 * H }]);
    store.close();
  });
});

describe('series that join a query later', () => {
  const tmp = useTempDir();
  const serve = useFakeServer();
  const open = () => Store.open(join(tmp(), 'late.duckdb'), { now: () => T0 });

  it('holds a new series back until its earlier history is stored, so a failed backfill is retried in full', async () => {
    let withC = false;
    let failOld = false;
    const srv = await serve((req) => {
      const start = Number(req.form.get('start')) * 1000;
      if (failOld && start < T0 + 90 * H) return { status: 400, body: { status: 'error', errorType: 'bad_data', error: 'store gateway went away' } };
      const hosts = withC ? [{ disk: 'a' }, { disk: 'b' }, { disk: 'c' }] : [{ disk: 'a' }, { disk: 'b' }];
      return matrixReply(req.form, hosts, (i, t) => i * 100 + (t - T0) / H);
    });
    const p = plan(srv.url, '  - {name: disk, source: s, usage: disk_used, lookback: 4d}', 'type: prometheus\n    maxPoints: 24\n    concurrency: 1');
    const store = await open();
    const client = clientForSource(p.sources.s, noWait);
    const pull = (full = false) => pullResource(store, p.resources[0], { client, source: p.sources.s, nowMs: T0 + 96 * H, full });
    await pull();

    // Disk c appears with four days of history; fetching its older span fails.
    withC = true;
    failOld = true;
    const err = await pull().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    const c = `SELECT count(*) AS n FROM samples JOIN series USING (series_id) WHERE labels['disk'] = 'c'`;
    // Nothing of c was stored: its recent samples waited for its history.
    expect(await rows(store, c)).toEqual([{ n: 0 }]);

    failOld = false;
    srv.requests.length = 0;
    const resumed = await pull();
    expect(resumed).toMatchObject({ status: 'ok', inserted: 97, backfilled: 1 });
    expect(await rows(store, c)).toEqual([{ n: 97 }]);
    // The main range is the overlap only; the backfill asks for the rest of the lookback.
    expect(Number(srv.requests[0].form.get('start')) * 1000).toBe(T0 + 94 * H);
    expect(Math.min(...srv.requests.map((r) => Number(r.form.get('start')) * 1000))).toBe(T0);

    srv.requests.length = 0;
    const quiet = await pull();
    expect(quiet).toMatchObject({ inserted: 0, backfilled: 0 });
    expect(srv.requests).toHaveLength(1);
    store.close();
  });

  it('does not let a series that stopped reporting hold every pull back, and fills its gap when it returns', async () => {
    let bAlive = (t: number) => t < T0 + 48 * H;
    const srv = await serve((req) => {
      const reply = matrixReply(req.form, [{ disk: 'a' }, { disk: 'b' }], (i, t) => i * 100 + (t - T0) / H);
      // Drop b's points where it was not reporting.
      const body = reply.body as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
      const b = body.data.result[1];
      b.values = b.values.filter(([sec]) => bAlive(sec * 1000));
      if (b.values.length === 0) body.data.result.pop();
      return reply;
    });
    const p = plan(srv.url, '  - {name: disk, source: s, usage: disk_used, lookback: 20d}', 'type: prometheus\n    maxPoints: 1000');
    const store = await open();
    const client = clientForSource(p.sources.s, noWait);
    const pull = (nowMs: number) => pullResource(store, p.resources[0], { client, source: p.sources.s, nowMs });
    const now = T0 + 10 * 24 * H;
    await pull(now);
    srv.requests.length = 0;
    // b stopped 8 days ago, beyond the 7-day late-data window: only a's overlap is asked for.
    await pull(now + H);
    expect(srv.requests.map((r) => Number(r.form.get('start')) * 1000)).toEqual([now - 2 * H]);

    // b comes back with its whole gap filled (late data): its gap is fetched from its own last sample.
    bAlive = () => true;
    srv.requests.length = 0;
    const back = await pull(now + 2 * H);
    expect(back).toMatchObject({ backfilled: 1 });
    // The main range is a's overlap; b's gap is asked for from two steps before its last sample (hour 47).
    expect(srv.requests.map((r) => Number(r.form.get('start')) * 1000)).toEqual([now - H, T0 + 45 * H]);
    const b = await rows(store, `SELECT count(*) AS n, count(DISTINCT ts) AS d, epoch_ms(min(ts)) AS lo, epoch_ms(max(ts)) AS hi FROM samples JOIN series USING (series_id) WHERE labels['disk'] = 'b'`);
    // Every hour of the 20-day lookback up to now + 2h, once.
    expect(b).toEqual([{ n: 20 * 24 + 3, d: 20 * 24 + 3, lo: now - 20 * 24 * H, hi: now + 2 * H }]);
    store.close();
  });

  it('after a failed pull, finishes its range even where the data is older than the late-data window', async () => {
    let failFrom = Infinity;
    const srv = await serve((req) => {
      if (Number(req.form.get('start')) * 1000 >= failFrom) return { status: 503, body: { status: 'error', errorType: 'unavailable', error: 'gone' } };
      const reply = matrixReply(req.form, [{ disk: 'a' }, { disk: 'b' }], (i, t) => i * 100 + (t - T0) / H);
      // The history ends 20 days before the pull: all of it is older than the 7-day window.
      const body = reply.body as { data: { result: { values: [number, string][] }[] } };
      for (const r of body.data.result) r.values = r.values.filter(([sec]) => sec * 1000 >= T0 && sec * 1000 < T0 + 10 * 24 * H);
      // As Prometheus does, a series with no point in the range is not in the answer.
      body.data.result = body.data.result.filter((r) => r.values.length > 0);
      return reply;
    });
    const p = plan(srv.url, '  - {name: disk, source: s, usage: disk_used, lookback: 30d}', 'type: prometheus\n    maxPoints: 48\n    concurrency: 1');
    const store = await open();
    const client = clientForSource(p.sources.s, { ...noWait, backoff: { retries: 0 } });
    const now = T0 + 30 * 24 * H;
    failFrom = T0 + 5 * 24 * H;
    await expect(pullResource(store, p.resources[0], { client, source: p.sources.s, nowMs: now })).rejects.toBeInstanceOf(SourceError);
    failFrom = Infinity;
    const resumed = await pullResource(store, p.resources[0], { client, source: p.sources.s, nowMs: now });
    expect(resumed.status).toBe('ok');
    expect(await rows(store, `SELECT count(*) AS n, count(DISTINCT (series_id, ts)) AS d FROM samples`)).toEqual([{ n: 2 * 240, d: 2 * 240 }]);
    store.close();
  });

  it('does not take series of other shards for new ones on every pull', async () => {
    const srv = await serve((req) => matrixReply(req.form, Array.from({ length: 8 }, (_, i) => ({ disk: `d${i}` })), (i, t) => i + (t - T0) / H));
    const p = plan(srv.url, '  - {name: disk, source: s, usage: disk_used, lookback: 4d}');
    const store = await open();
    const client = clientForSource(p.sources.s, noWait);
    const shard = { index: 1, count: 2 };
    const first = await pullResource(store, p.resources[0], { client, source: p.sources.s, nowMs: T0 + 96 * H, shard });
    expect(first.series).toBeGreaterThan(0);
    expect(first.series).toBeLessThan(8);
    srv.requests.length = 0;
    const second = await pullResource(store, p.resources[0], { client, source: p.sources.s, nowMs: T0 + 97 * H, shard });
    expect(second).toMatchObject({ backfilled: 0, inserted: first.series });
    expect(srv.requests).toHaveLength(1);
    store.close();
  });
});

describe('recorded Thanos responses', () => {
  const tmp = useTempDir();
  const serve = useFakeServer();

  /** Serves the fixtures: build info, the partial matrix cut to the asked range, a point-limit error over `limit` points. */
  async function thanos(limit = Infinity) {
    const partial = fixture('query_range_partial.json') as { data: { result: { metric: object; values: [number, string][] }[] } };
    return serve((req) => {
      if (req.path === '/api/v1/status/buildinfo') return { body: fixture('buildinfo.json') };
      const start = Number(req.form.get('start'));
      const end = Number(req.form.get('end'));
      if ((end - start) / 3600 + 1 > limit) return { status: 400, body: fixture('point_limit_error.json') };
      const result = partial.data.result.map((s) => ({ ...s, values: s.values.filter(([t]) => t >= start && t <= end) }));
      return { body: { ...partial, data: { ...partial.data, result } } };
    });
  }

  const thanosSource = 'type: thanos\n    thanos: {dedup: true, replicaLabels: [prometheus_replica], partialResponse: warn}';
  const resource = '  - {name: disk, source: s, usage: \'node_filesystem_size_bytes{job="node"} - node_filesystem_avail_bytes{job="node"}\', step: 1h, lookback: 6h}';

  it('identifies Thanos from its build info', async () => {
    const srv = await thanos();
    expect(await new PromClient({ url: srv.url }).buildInfo()).toMatchObject({ version: '0.34.1', backend: 'thanos' });
  });

  it('records a partial response: warning stored, status partial, data kept', async () => {
    const srv = await thanos();
    const p = plan(srv.url, resource, thanosSource);
    const store = await Store.open(join(tmp(), 't.duckdb'));
    const result = await runPull(p, store, { nowMs: T0 + 6 * H, clientOptions: noWait });
    expect(result.failures).toEqual([]);
    const [summary] = result.pulls;
    expect(summary.status).toBe('partial');
    expect(summary.warnings[0]).toMatch(/^receive series from Addr: thanos-store-2/);
    expect(summary.inserted).toBe(7 + 6);

    const f = srv.requests[0].form;
    expect(f.get('query')).toBe('max_over_time((node_filesystem_size_bytes{job="node"} - node_filesystem_avail_bytes{job="node"})[1h:])');
    expect(f.get('max_source_resolution')).toBe('5m');
    expect(f.get('dedup')).toBe('true');
    expect(f.getAll('replicaLabels[]')).toEqual(['prometheus_replica']);
    expect(f.get('partial_response')).toBe('true');

    const [pull] = (await store.query(`SELECT status, warnings, resolution, series_count, sample_count FROM pulls`)).rows;
    expect(pull[0]).toBe('partial');
    expect((pull[1] as string[])[0]).toContain('connect: connection refused');
    expect(pull.slice(2)).toEqual(['5m', 2, 13]);
    const db2 = await rows(store, `SELECT count(*) AS n, max(value) AS peak FROM samples JOIN series USING (series_id) WHERE labels['instance'] = 'db-2.eu-1:9100'`);
    expect(db2).toEqual([{ n: 6, peak: 645922414592 + 6 * 52428800 }]);
    store.close();
  });

  it('halves on the point-limit error and still stores every point once', async () => {
    const srv = await thanos(4);
    const p = plan(srv.url, resource, thanosSource);
    const store = await Store.open(join(tmp(), 't.duckdb'));
    const { pulls } = await runPull(p, store, { nowMs: T0 + 6 * H, clientOptions: noWait });
    // 7 points refused, then 4 + 3.
    expect(srv.requests.map((r) => (Number(r.form.get('end')) - Number(r.form.get('start'))) / 3600 + 1)).toEqual([7, 4, 3]);
    expect(pulls[0]).toMatchObject({ status: 'partial', inserted: 13, existing: 0, warnings: [expect.any(String) as string] });
    store.close();
  });

  it('keeps going when one resource fails, and says which', async () => {
    const srv = await serve((req) =>
      req.form.get('query')?.includes('broken') ? { status: 400, body: { status: 'error', errorType: 'bad_data', error: '1:7: parse error: unexpected ")"' } } : disks(req),
    );
    const p = plan(srv.url, '  - {name: good, source: s, usage: disk_used, lookback: 3h}\n  - {name: bad, source: s, usage: "broken)", lookback: 3h, aggregate: last}');
    const store = await Store.open(join(tmp(), 't.duckdb'));
    const { pulls, failures } = await runPull(p, store, { nowMs: T0 + 3 * H, clientOptions: noWait });
    expect(pulls.map((x) => [x.resource, x.status, x.inserted])).toEqual([['good', 'ok', 8]]);
    expect(failures.map((x) => [x.resource, x.error.status, x.error.serverMessage])).toEqual([['bad', 400, '1:7: parse error: unexpected ")"']]);
    expect(await rows(store, `SELECT resource, status FROM pulls ORDER BY resource`)).toEqual([
      { resource: 'bad', status: 'failed' },
      { resource: 'good', status: 'ok' },
    ]);
    await expect(runPull(p, store, { resources: ['nope'] })).rejects.toThrow(/no resource named "nope" in the plan \(resources: good, bad\)/);
    store.close();
  });
});
