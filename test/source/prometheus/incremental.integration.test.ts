import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlan } from '../../../src/plan/loadPlan.js';
import { PromClient } from '../../../src/source/prometheus/PromClient.js';
import { runPull, type RunPullOptions } from '../../../src/pipeline/runPull.js';
import { Store } from '../../../src/store/Store.js';
import { startPrometheusWithHistory, type RunningPrometheus, type SyntheticSeries } from '../../support/prometheus.js';

/*
 * Incremental pulls against two real Prometheus servers (Debian's 2.42)
 * holding the same four hosts' 5-minute history as seen at two moments:
 *
 * - "before": h00 and h01 are complete up to the pull's end; h02's last day
 *   has not arrived yet (late data); h03 has no data at all (its history is
 *   backfilled later); h00's last 10 minutes peak at 10.
 * - "after": everything has arrived; h00's last 10 minutes now peak at 99
 *   (the later, higher peak a re-read must pick up).
 *
 * Each pull is compared point for point with the server's own answer.
 */

const M = 60_000;
const H = 60 * M;
const DAY = 24 * H;
const FROM = Date.UTC(2026, 0, 1);
const END = FROM + 10 * DAY;
const INTERVAL = 5 * M;
const HOSTS = ['h00', 'h01', 'h02', 'h03'];

function base(i: number, t: number): number {
  return 100 * i + Math.floor((t - FROM) / H);
}

function history(after: boolean): SyntheticSeries[] {
  return HOSTS.map((host, i) => ({
    metric: 'capplan_inc_used',
    labels: { host },
    value: (t: number) => {
      if (!after && host === 'h02' && t >= END - DAY) return NaN;
      if (!after && host === 'h03') return NaN;
      if (host === 'h00' && t >= END - 10 * M) return after ? 99 : 10;
      return host === 'h00' ? Math.min(base(i, t), 9) : base(i, t);
    },
  }));
}

let before: RunningPrometheus;
let after: RunningPrometheus;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'capplan-inc-'));
  [before, after] = await Promise.all([
    startPrometheusWithHistory({ dir: join(work, 'before'), series: history(false), fromMs: FROM, toMs: END, intervalMs: INTERVAL }),
    startPrometheusWithHistory({ dir: join(work, 'after'), series: history(true), fromMs: FROM, toMs: END, intervalMs: INTERVAL }),
  ]);
});

afterAll(async () => {
  await Promise.all([before?.stop(), after?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

function plan(url: string, usage = 'capplan_inc_used') {
  return parsePlan(
    `sources:\n  prom:\n    url: ${url}\n    type: prometheus\n    maxPoints: 100\nresources:\n  - {name: disk, source: prom, usage: '${usage}', step: 1h, lookback: 10d}\n`,
    'inc.yaml',
  );
}

async function openStore(): Promise<Store> {
  return Store.open(join(mkdtempSync(join(work, 'db-')), 'capplan.duckdb'), { now: () => END });
}

async function pull(store: Store, url: string, options: RunPullOptions & { usage?: string } = {}) {
  const result = await runPull(plan(url, options.usage), store, { nowMs: END, clientOptions: { sleep: async () => undefined }, ...options });
  expect(result.failures).toEqual([]);
  return result.pulls[0];
}

/** Stored points per host, as [ms, value] pairs in time order. */
async function storedByHost(store: Store): Promise<Map<string, [number, number][]>> {
  const out = new Map<string, [number, number][]>();
  for (const s of await store.listSeries({ resource: 'disk' })) {
    const r = await store.readSamples(s.seriesId);
    out.set(s.labels.host, Array.from(r.timestamps, (t, k) => [t, r.values[k]]));
  }
  return out;
}

/** The server's own answer for the same query and range, per host. */
async function serverByHost(url: string): Promise<Map<string, [number, number][]>> {
  const client = new PromClient({ url });
  try {
    const r = await client.queryRange({ query: 'max_over_time(capplan_inc_used[1h])', startMs: END - 10 * DAY, endMs: END, stepMs: H });
    return new Map(r.series.map((s) => [s.labels.host, Array.from(s.timestamps, (t, k) => [t, s.values[k]] as [number, number])]));
  } finally {
    client.close();
  }
}

describe('incremental pulls against a real Prometheus', () => {
  it('resumes each series from its own last sample, backfills a series new to the query, and refreshes a changed peak', async () => {
    const store = await openStore();
    const first = await pull(store, before.url);
    expect(first).toMatchObject({ status: 'ok', series: 3, updated: 0, backfilled: 0, queryChanged: false });
    const early = await storedByHost(store);
    expect(early.get('h00')).toHaveLength(241);
    expect(early.get('h00')?.at(-1)).toEqual([END, 10]);
    // h02's last day had not arrived: its newest point is a day before the others'.
    expect(early.get('h02')?.at(-1)?.[0]).toBe(END - DAY);
    expect(early.has('h03')).toBe(false);

    const second = await pull(store, after.url);
    const expected = await serverByHost(after.url);
    expect([...expected.keys()].sort()).toEqual(HOSTS);
    const got = await storedByHost(store);
    for (const host of HOSTS) expect(got.get(host), host).toEqual(expected.get(host));
    expect(got.get('h02')).toHaveLength(241);
    expect(got.get('h03')).toHaveLength(241);
    expect(got.get('h00')?.at(-1)).toEqual([END, 99]);
    // 24 late points of h02 and h03's whole history are new. Two stored values changed: h00's last peak, and h02's
    // last step before the gap, whose window (Prometheus 2.x closes it on the left) now holds the late sample at its end.
    expect(second).toMatchObject({ status: 'ok', series: 4, inserted: 24 + 241, updated: 2, backfilled: 1, queryChanged: false });
    const pulls = await store.query(`SELECT pull_id, sample_count, updated_count, dropped_count, query_hash IS NOT NULL FROM pulls ORDER BY pull_id`);
    expect(pulls.rows).toEqual([
      [1, 3 * 241 - 24, 0, 0, true],
      [2, 24 + 241, 2, 0, true],
    ]);
    const dup = await store.query(`SELECT count(*) FROM (SELECT series_id, ts FROM samples GROUP BY ALL HAVING count(*) > 1)`);
    expect(dup.rows).toEqual([[0]]);

    // Pulling again changes nothing: idempotent.
    const third = await pull(store, after.url);
    expect(third).toMatchObject({ inserted: 0, updated: 0, backfilled: 0 });
    expect(await storedByHost(store)).toEqual(got);
    store.close();
  });

  it('refreshes the changed peak on a --full re-read too, and stores nothing twice', async () => {
    const store = await openStore();
    await pull(store, before.url);
    const full = await pull(store, after.url, { full: true });
    expect(full).toMatchObject({ inserted: 24 + 241, updated: 2, existing: 3 * 241 - 24 - 2 });
    const got = await storedByHost(store);
    const expected = await serverByHost(after.url);
    for (const host of HOSTS) expect(got.get(host), host).toEqual(expected.get(host));
    store.close();
  });

  it('gives every series the full lookback when the query is widened', async () => {
    const store = await openStore();
    const narrow = await pull(store, after.url, { usage: 'capplan_inc_used{host="h00"}' });
    expect(narrow).toMatchObject({ series: 1, inserted: 241 });
    const wide = await pull(store, after.url);
    expect(wide).toMatchObject({ series: 4, inserted: 3 * 241, queryChanged: true });
    const got = await storedByHost(store);
    const expected = await serverByHost(after.url);
    for (const host of HOSTS) expect(got.get(host), host).toEqual(expected.get(host));
    store.close();
  });
});
