import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/errors.js';
import { parsePlan } from '../../../src/plan/loadPlan.js';
import type { Plan } from '../../../src/plan/Plan.js';
import { PromClient } from '../../../src/source/prometheus/PromClient.js';
import type { PullProgress } from '../../../src/source/prometheus/pullResource.js';
import { runPull } from '../../../src/pipeline/runPull.js';
import { Store } from '../../../src/store/Store.js';
import { startPrometheusWithHistory, type RunningPrometheus, type SyntheticSeries } from '../../support/prometheus.js';

/*
 * Against a real Prometheus (Debian's 2.42) holding 120 days of backfilled
 * 5-minute history for three disks: a linear trend, a daily sawtooth (log
 * rotation at midnight) and, every third day, a one-sample spike at 14:35
 * that tops the day. The spikes are the peaks an hourly `last` or `avg` pull
 * loses and `max_over_time` keeps.
 */

const M = 60_000;
const H = 60 * M;
const DAY = 24 * H;
const FROM = Date.UTC(2025, 5, 1);
const DAYS = 120;
const TO = FROM + DAYS * DAY;
const INTERVAL = 5 * M;
const SPIKE_MINUTE = 14 * 60 + 35;

const DISKS = [
  { disk: 'a', instance: 'db-1', base: 200e9, growth: 1e9, saw: 1440e6, spike: 30e9, size: 1e12 },
  { disk: 'b', instance: 'db-2', base: 350e9, growth: 2.5e9, saw: 2880e6, spike: 40e9, size: 2e12 },
  { disk: 'c', instance: 'db-3', base: 90e9, growth: 0.2e9, saw: 720e6, spike: 10e9, size: 5e11 },
];

/** Bytes used on disk `i` at `t`: integer-valued, so every stored value can be compared exactly. */
function used(i: number, t: number): number {
  const d = DISKS[i];
  const day = Math.floor((t - FROM) / DAY);
  const minute = (t - FROM - day * DAY) / M;
  const spike = day % 3 === 0 && minute === SPIKE_MINUTE ? d.spike : 0;
  return d.base + d.growth * day + (d.saw * minute) / 1440 + spike;
}

/** The largest raw sample in [t - w, t]: what max_over_time(x[w]) returns at t. */
function rawMax(i: number, t: number, w: number): number {
  let best = -Infinity;
  for (let s = Math.ceil((t - w - FROM) / INTERVAL) * INTERVAL + FROM; s <= t; s += INTERVAL) if (s >= FROM && s < TO) best = Math.max(best, used(i, s));
  return best;
}

const series: SyntheticSeries[] = DISKS.flatMap((d, i) => [
  { metric: 'capplan_disk_used_bytes', labels: { disk: d.disk, instance: d.instance }, value: (t: number) => used(i, t) },
  { metric: 'capplan_disk_size_bytes', labels: { disk: d.disk, instance: d.instance }, value: () => d.size },
]);

let prom: RunningPrometheus;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'capplan-prom-'));
  prom = await startPrometheusWithHistory({ dir: work, series, fromMs: FROM, toMs: TO, intervalMs: INTERVAL });
});

afterAll(async () => {
  await prom?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function plan(resources: string, maxPoints = 1000): Plan {
  return parsePlan(`sources:\n  prom:\n    url: ${prom.url}\n    type: prometheus\n    maxPoints: ${maxPoints}\nresources:\n${resources}`, 'it.yaml');
}

async function openStore(): Promise<Store> {
  return Store.open(join(mkdtempSync(join(work, 'db-')), 'capplan.duckdb'), { now: () => TO });
}

/** Stored samples per disk label of one resource and metric, ascending. */
async function stored(store: Store, resource: string, metric = 'usage'): Promise<Map<string, { t: number[]; v: number[] }>> {
  const out = new Map<string, { t: number[]; v: number[] }>();
  for (const s of await store.listSeries({ resource })) {
    if (s.metric !== metric) continue;
    const r = await store.readSamples(s.seriesId);
    out.set(s.labels.disk, { t: Array.from(r.timestamps), v: Array.from(r.values) });
  }
  return out;
}

/** Max of stored hourly values per day, taking each point as the hour ending at it. */
function dailyMax(t: number[], v: number[]): number[] {
  const out = new Array<number>(DAYS).fill(-Infinity);
  t.forEach((ts, k) => {
    const day = Math.floor((ts - 1 - FROM) / DAY);
    if (day >= 0 && day < DAYS) out[day] = Math.max(out[day], v[k]);
  });
  return out;
}

const knownDailyPeak = (i: number, day: number) => rawMax(i, FROM + (day + 1) * DAY - INTERVAL, DAY - INTERVAL);

describe('pulling from a real Prometheus', () => {
  it('is Prometheus and enforces the 11,000-point limit', async () => {
    const client = new PromClient({ url: prom.url });
    expect(await client.buildInfo()).toMatchObject({ backend: 'prometheus' });
    const err = await client.queryRange({ query: 'capplan_disk_used_bytes', startMs: FROM, endMs: TO, stepMs: INTERVAL }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).status).toBe(400);
    expect((err as SourceError).serverMessage).toMatch(/exceeded maximum resolution of 11,000 points per timeseries/);
  });

  it('pulls 120 days at 1h with max, split at 1000 points, seams exact and daily peaks kept', async () => {
    const p = plan('  - {name: disk, source: prom, usage: capplan_disk_used_bytes, capacity: capplan_disk_size_bytes, step: 1h, lookback: 120d, unit: bytes}');
    const store = await openStore();
    const progress: PullProgress[] = [];
    const { pulls, failures } = await runPull(p, store, { nowMs: TO, onProgress: (e) => progress.push(e) });
    expect(failures).toEqual([]);
    const points = DAYS * 24 + 1;
    expect(pulls[0]).toMatchObject({ status: 'ok', series: 6, inserted: 6 * points, existing: 0, warnings: [] });
    // 2881 points at ≤1000 per call: three windows per query, seams after points 1000 and 2000.
    const usageWindows = progress.filter((e) => e.metric === 'usage').map((e) => [e.window.startMs, e.window.endMs]);
    expect(usageWindows).toEqual([
      [FROM, FROM + 999 * H],
      [FROM + 1000 * H, FROM + 1999 * H],
      [FROM + 2000 * H, TO],
    ]);

    const usage = await stored(store, 'disk');
    expect([...usage.keys()].sort()).toEqual(['a', 'b', 'c']);
    for (const [i, d] of DISKS.entries()) {
      const { t, v } = usage.get(d.disk) as { t: number[]; v: number[] };
      expect(t).toEqual(Array.from({ length: points }, (_, k) => FROM + k * H));
      for (const k of [0, 998, 999, 1000, 1001, 1999, 2000, points - 1]) expect([k, v[k]]).toEqual([k, rawMax(i, t[k], H)]);
      expect(v).toEqual(t.map((ts) => rawMax(i, ts, H)));
      expect(dailyMax(t, v)).toEqual(Array.from({ length: DAYS }, (_, day) => knownDailyPeak(i, day)));
    }
    const capacity = await stored(store, 'disk', 'capacity');
    expect([...capacity.entries()].map(([disk, s]) => [disk, s.v.length, new Set(s.v)])).toEqual(
      DISKS.map((d) => [d.disk, points, new Set([d.size])]),
    );

    const again = await runPull(p, store, { nowMs: TO });
    // Only the two-step overlap (plus the last step) is asked for again, and all of it is stored already.
    expect(again.pulls[0]).toMatchObject({ status: 'ok', inserted: 0, existing: 6 * 3 });
    const [{ n }] = (await store.query('SELECT count(*) AS n FROM samples')).rows.map((r) => ({ n: r[0] }));
    expect(n).toBe(6 * points);
    store.close();
  });

  it('loses the spikes with avg or last, which is why max is the default', async () => {
    const p = plan(
      '  - {name: avg, source: prom, usage: capplan_disk_used_bytes, step: 1h, lookback: 120d, aggregate: avg}\n' +
        '  - {name: last, source: prom, usage: capplan_disk_used_bytes, step: 1h, lookback: 120d, aggregate: last}',
    );
    const store = await openStore();
    await runPull(p, store, { nowMs: TO });
    for (const name of ['avg', 'last']) {
      const { t, v } = (await stored(store, name)).get('b') as { t: number[]; v: number[] };
      const peaks = dailyMax(t, v);
      for (let day = 0; day < DAYS; day += 3) expect(peaks[day]).toBeLessThan(knownDailyPeak(1, day) - 20e9);
    }
    store.close();
  });

  it('halves windows the server refuses and stitches raw 5m data exactly', async () => {
    // The client believes 20,000 points are fine; Prometheus refuses over 11,000, so each window halves once.
    const p = plan('  - {name: raw, source: prom, usage: capplan_disk_used_bytes, step: 5m, lookback: 119d, aggregate: last}', 20_000);
    const store = await openStore();
    const progress: PullProgress[] = [];
    const { pulls } = await runPull(p, store, { nowMs: TO - H, onProgress: (e) => progress.push(e) });
    const points = (119 * DAY) / INTERVAL + 1;
    expect(progress.map((e) => e.window.points)).toEqual([20_000, points - 20_000]);
    expect(pulls[0]).toMatchObject({ status: 'ok', inserted: 3 * points });
    const start = TO - H - 119 * DAY;
    for (const [i, d] of DISKS.entries()) {
      const { t, v } = (await stored(store, 'raw')).get(d.disk) as { t: number[]; v: number[] };
      expect(t).toEqual(Array.from({ length: points }, (_, k) => start + k * INTERVAL));
      expect(v).toEqual(t.map((ts) => used(i, ts)));
    }
    store.close();
  });

  it('reports a PromQL syntax error as a SourceError with the server message, and records the failed pull', async () => {
    const p = plan('  - {name: broken, source: prom, usage: "sum(capplan_disk_used_bytes", step: 1h, lookback: 2d}');
    const store = await openStore();
    const { pulls, failures } = await runPull(p, store, { nowMs: TO });
    expect(pulls).toEqual([]);
    expect(failures).toHaveLength(1);
    const err = failures[0].error;
    expect(err).toBeInstanceOf(SourceError);
    expect(err.status).toBe(400);
    expect(err.serverMessage).toMatch(/parse error/);
    expect(err.message).toContain(`source prom: POST ${prom.url}/api/v1/query_range: HTTP 400: bad_data: `);
    const r = await store.query(`SELECT status, error FROM pulls`);
    expect(r.rows[0][0]).toBe('failed');
    expect(String(r.rows[0][1])).toMatch(/parse error/);
    store.close();
  });
});
