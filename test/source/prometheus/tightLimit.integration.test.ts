import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlan } from '../../../src/plan/loadPlan.js';
import { PromClient } from '../../../src/source/prometheus/PromClient.js';
import { PullQueryError, type PullProgress } from '../../../src/source/prometheus/pullResource.js';
import { runPull } from '../../../src/pipeline/runPull.js';
import { WindowRefusedError } from '../../../src/source/prometheus/splitRange.js';
import { Store } from '../../../src/store/Store.js';
import { startPrometheusWithHistory, type RunningPrometheus, type SyntheticSeries } from '../../support/prometheus.js';

/*
 * A real Prometheus started with --query.max-samples=50000 --query.timeout=2s
 * and 20 series of 60 days at 5 minutes: a subquery resource
 * (max_over_time(x[1d:5m]) at 1h steps) needs about 240 samples per step plus
 * a day of history per series, so the server refuses any window much longer
 * than a week (HTTP 422, "query processing would load too many samples").
 */

const M = 60_000;
const H = 60 * M;
const DAY = 24 * H;
const FROM = Date.UTC(2026, 0, 1);
const END = FROM + 60 * DAY;

const series: SyntheticSeries[] = Array.from({ length: 20 }, (_, i) => ({
  metric: 'capplan_tight_used',
  labels: { host: `h${String(i).padStart(2, '0')}` },
  value: (t: number) => i * 1000 + Math.floor((t - FROM) / H),
}));

let prom: RunningPrometheus;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'capplan-tight-'));
  prom = await startPrometheusWithHistory({
    dir: work,
    series,
    fromMs: FROM,
    toMs: END,
    intervalMs: 5 * M,
    extraArgs: ['--query.max-samples=50000', '--query.timeout=2s'],
  });
});

afterAll(async () => {
  await prom?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function plan(usage: string, maxPoints: number, concurrency = 2) {
  return parsePlan(
    `sources:\n  prom:\n    url: ${prom.url}\n    type: prometheus\n    maxPoints: ${maxPoints}\n    concurrency: ${concurrency}\n` +
      `resources:\n  - {name: sub, source: prom, usage: '${usage}', step: 1h, lookback: 60d}\n`,
    'tight.yaml',
  );
}

/** The server's own count of query_range answers with this status code. */
async function refusals(): Promise<number> {
  const text = await (await fetch(`${prom.url}/metrics`)).text();
  const re = /^prometheus_http_requests_total\{code="422",handler="\/api\/v1\/query_range"\} (\d+)/m;
  return Number(re.exec(text)?.[1] ?? 0);
}

async function openStore(): Promise<Store> {
  return Store.open(join(mkdtempSync(join(work, 'db-')), 'capplan.duckdb'), { now: () => END });
}

describe('splitting under --query.max-samples', () => {
  it('halves until the server accepts, keeps that size for the rest of the range, and stores exactly the answer', async () => {
    const store = await openStore();
    const events: PullProgress[] = [];
    const refusedBefore = await refusals();
    const result = await runPull(plan('max_over_time(capplan_tight_used[1d:5m])', 11_000), store, {
      nowMs: END,
      onProgress: (e) => events.push(e),
      clientOptions: { sleep: async () => undefined },
    });
    expect(result.failures).toEqual([]);
    const refused = (await refusals()) - refusedBefore;
    const requests = events.reduce((n, e) => n + e.requests, 0);
    // One window of 1,441 points: refused at each halving until a size the server accepts (tens of points), then the
    // rest of the window is cut at that size: one refusal per halving, never one per piece.
    expect(refused).toBeGreaterThanOrEqual(3);
    expect(refused).toBeLessThanOrEqual(Math.ceil(Math.log2(1441)));
    const accepted = requests - refused;
    const size = Math.ceil(1441 / 2 ** refused);
    // At most one short remainder piece per halving level besides the pieces of the size that worked.
    expect(accepted).toBeGreaterThanOrEqual(Math.ceil(1441 / size));
    expect(accepted).toBeLessThanOrEqual(Math.ceil(1441 / size) + refused);

    const client = new PromClient({ url: prom.url });
    const stored = await store.query(`SELECT count(*), count(DISTINCT (series_id, ts)) FROM samples`);
    expect(stored.rows).toEqual([[20 * 1441, 20 * 1441]]);
    // The last two days against the server's own answer, asked 8 points at a time (a size it accepts).
    const expected = new Map<string, [number, number][]>();
    for (let t = END - 2 * DAY + H; t <= END; t += 8 * H) {
      const part = await client.queryRange({ query: 'max_over_time((max_over_time(capplan_tight_used[1d:5m]))[1h:])', startMs: t, endMs: t + 7 * H, stepMs: H });
      for (const s of part.series) expected.set(s.labels.host, [...(expected.get(s.labels.host) ?? []), ...Array.from(s.timestamps, (x, k) => [x, s.values[k]] as [number, number])]);
    }
    client.close();
    expect(expected.size).toBe(20);
    for (const [host, points] of expected) {
      const r = await store.query(
        `SELECT epoch_ms(ts)::DOUBLE, value FROM samples JOIN series USING (series_id) WHERE labels['host'] = '${host}' AND ts > epoch_ms(${END - 2 * DAY})::TIMESTAMPTZ ORDER BY ts`,
      );
      expect(r.rows).toEqual(points);
    }
    store.close();
  });

  it('with a small --max-points, later windows start at the size that worked: refusals only for the first', async () => {
    const store = await openStore();
    const refusedBefore = await refusals();
    const events: PullProgress[] = [];
    const result = await runPull(plan('max_over_time(capplan_tight_used[1d:5m])', 500, 1), store, {
      nowMs: END,
      onProgress: (e) => events.push(e),
      clientOptions: { sleep: async () => undefined },
    });
    expect(result.failures).toEqual([]);
    const refused = (await refusals()) - refusedBefore;
    // The first 500-point window halves until accepted; every window after it is cut at that size and accepted first time.
    expect(events[0].window.points).toBe(500);
    expect(events.length).toBeGreaterThan(3);
    expect(events.slice(1).every((e) => e.requests === 1 && e.window.points < 500)).toBe(true);
    expect(refused).toBe(Math.ceil(Math.log2(500 / events[1].window.points)));
    expect(await store.query(`SELECT count(*) FROM samples`)).toMatchObject({ rows: [[20 * 1441]] });
    store.close();
  });

  it('gives up only when a one-point window is refused, naming --max-points and the server flag', async () => {
    const store = await openStore();
    const result = await runPull(plan('max_over_time(capplan_tight_used[20d:1m])', 11_000), store, { nowMs: END, clientOptions: { sleep: async () => undefined } });
    expect(result.failures).toHaveLength(1);
    const error = result.failures[0].error;
    expect(error).toBeInstanceOf(PullQueryError);
    const refused = (error as PullQueryError).sourceError;
    expect(refused).toBeInstanceOf(WindowRefusedError);
    expect((refused as WindowRefusedError).window.points).toBe(1);
    expect(error.message).toMatch(/HTTP 422: execution: query processing would load too many samples into memory/);
    expect(error.message).toMatch(/refused even for a 1-point window/);
    expect(error.message).toContain('--query.max-samples');
    expect(error.message).toContain('--max-points');
    store.close();
  });
});
