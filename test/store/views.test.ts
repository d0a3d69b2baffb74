import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestDemo } from '../../src/demo/ingestDemo.js';
import { forecastStore } from '../../src/pipeline/forecastStore.js';
import { ANALYST_MACRO_COMMENTS, ANALYST_VIEW_COMMENTS } from '../../src/store/migrations/schemaComments.js';
import { HEADROOM_MACRO_COMMENTS, HEADROOM_VIEW_COMMENTS } from '../../src/store/migrations/007_headroom_views.js';
import { DATA_QUALITY_COLUMNS } from '../../src/store/migrations/004_run_counts_capacity_pairs.js';
import { EXHAUSTION_HISTORY_COLUMNS } from '../../src/store/migrations/010_exhaustion_history_p_never.js';
import { Store } from '../../src/store/Store.js';
import { seriesId } from '../../src/store/seriesId.js';
import { storeSyntheticRun } from '../support/syntheticRun.js';
import { useTempDir } from '../support/tempDir.js';
import { FROZEN_NOW } from '../support/clock.js';

const NOW = FROZEN_NOW;
const END = Date.UTC(2026, 10, 24, 9);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK_MS = 7 * DAY;

const DB01 = seriesId({ resource: 'disk', metric: 'node_filesystem_used_bytes', labels: { cluster: 'us-east', host: 'db-01', mountpoint: '/data' } });

/** Linear-interpolated quantile, as DuckDB's quantile_cont. */
function quantileCont(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

function median(values: readonly number[]): number {
  return quantileCont(values, 0.5);
}

const num = (v: unknown) => Number(v);

/**
 * The small demo fleet forecast twice: run 1 as of END, then a week of extra
 * samples (db-01 surging to 99% of capacity, stored by a partial pull; a failed
 * cpu pull) and run 2 as of END + 7 days. Every view is checked against numbers
 * computed here from the base tables.
 */
describe('analyst views on the demo database', () => {
  let dir: string;
  let store: Store;
  let run1: number;
  let run2: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capplan-views-'));
    store = await Store.open(join(dir, 'demo.duckdb'), { now: () => NOW });
    await ingestDemo(store, { endMs: END, seed: 42, size: 'small' });
    const forecast = { horizonMs: 180 * DAY, levels: [0.8, 0.95], thresholds: [0.8, 0.9, 1], workers: 1 };
    run1 = (await forecastStore(store, { ...forecast, asOfMs: END })).runId;

    const series = await store.listSeries();
    const extra = Float64Array.from({ length: 7 * 24 }, (_, i) => END + (i + 1) * HOUR);
    const ok = await store.beginPull({ source: 'test', resolution: 'raw' });
    const rest = [];
    for (const s of series.filter((x) => x.seriesId !== DB01)) {
      const last = (await store.readSamples(s.seriesId)).values.at(-1) as number;
      rest.push({ key: { resource: s.resource, metric: s.metric, labels: s.labels }, resolutionS: 3600, timestamps: extra, values: extra.map(() => last) });
    }
    await store.writeSamples(ok, rest);
    await store.finishPull(ok, { status: 'ok', seriesCount: rest.length, sampleCount: rest.length * extra.length });

    const db01 = series.find((x) => x.seriesId === DB01);
    if (!db01 || db01.capacity === null) throw new Error('demo fleet has no db-01 disk with a capacity');
    const last = (await store.readSamples(DB01)).values.at(-1) as number;
    const target = 0.99 * db01.capacity;
    const partial = await store.beginPull({ source: 'test', resource: null, resolution: '5m' });
    await store.writeSamples(partial, [
      { key: { resource: 'disk', metric: db01.metric, labels: db01.labels }, resolutionS: 3600, timestamps: extra, values: extra.map((_, i) => last + ((target - last) * (i + 1)) / extra.length) },
    ]);
    await store.finishPull(partial, { status: 'partial', warnings: ['store eu-1 did not answer'], seriesCount: 1, sampleCount: extra.length });

    const failed = await store.beginPull({ source: 'test', resource: 'cpu' });
    await store.finishPull(failed, { status: 'failed', seriesCount: 0, sampleCount: 0, error: 'connection refused' });

    run2 = (await forecastStore(store, { ...forecast, asOfMs: END + 7 * DAY })).runId;
  });

  afterAll(() => {
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('daily_peaks and weekly_peaks equal the max, p95 and count computed from the samples', async () => {
    const s = await store.readSamples(DB01);
    const day = Date.UTC(2026, 9, 15);
    const inDay = [...s.values].filter((_, i) => s.timestamps[i] >= day && s.timestamps[i] < day + DAY);
    expect(inDay.length).toBe(24);
    const d = (await store.query(`SELECT samples, max_value, p95_value, min_value, resource FROM daily_peaks WHERE series_id = '${DB01}' AND day = DATE '2026-10-15'`)).rows;
    expect(d).toHaveLength(1);
    expect(d[0][0]).toBe(24);
    expect(d[0][1]).toBe(Math.max(...inDay));
    expect(num(d[0][2])).toBeCloseTo(quantileCont(inDay, 0.95), 0);
    expect(Math.abs(num(d[0][2]) - quantileCont(inDay, 0.95)) / Math.max(...inDay)).toBeLessThan(1e-12);
    expect(d[0][3]).toBe(Math.min(...inDay));
    expect(d[0][4]).toBe('disk');

    const monday = Date.UTC(2026, 9, 12); // 2026-10-12 is a Monday
    const inWeek = [...s.values].filter((_, i) => s.timestamps[i] >= monday && s.timestamps[i] < monday + WEEK_MS);
    const w = (await store.query(`SELECT samples, max_value FROM weekly_peaks WHERE series_id = '${DB01}' AND week = DATE '2026-10-12'`)).rows;
    expect(w).toEqual([[168, Math.max(...inWeek)]]);

    // Every sample is in exactly one day and one week.
    const totals = (await store.query(`SELECT (SELECT sum(samples) FROM daily_peaks), (SELECT sum(samples) FROM weekly_peaks), (SELECT count(*) FROM samples)`)).rows[0].map(num);
    expect(totals[0]).toBe(totals[2]);
    expect(totals[1]).toBe(totals[2]);
  });

  it('exhaustion_history has every baseline run and the change in p50 since the previous one', async () => {
    const raw = (await store.query(`SELECT run_id, series_id, threshold, epoch_ms(p50)::DOUBLE FROM exhaustion ORDER BY series_id, threshold, run_id`)).rows;
    const hist = (await store.query(
      `SELECT run_id, series_id, threshold, previous_run_id, p50_change_days, p50_days, epoch_ms(as_of)::DOUBLE FROM exhaustion_history ORDER BY series_id, threshold, run_id`,
    )).rows;
    expect(hist.length).toBe(raw.length);
    expect(new Set(hist.map((r) => r[0]))).toEqual(new Set([run1, run2]));
    for (let i = 0; i < raw.length; i++) {
      const [run, id, threshold, p50] = raw[i];
      expect(hist[i].slice(0, 3)).toEqual([run, id, threshold]);
      const prev = i > 0 && raw[i - 1][1] === id && raw[i - 1][2] === threshold ? raw[i - 1] : null;
      expect(hist[i][3]).toBe(prev ? prev[0] : null);
      const expected = prev && prev[3] !== null && p50 !== null ? ((p50 as number) - (prev[3] as number)) / DAY : null;
      if (expected === null) expect(hist[i][4]).toBeNull();
      else expect(num(hist[i][4])).toBeCloseTo(expected, 6);
      if (p50 !== null) expect(num(hist[i][5])).toBeCloseTo(((p50 as number) - num(hist[i][6])) / DAY, 6);
    }
    // db-01's growth sped up in the extra week (to 99% of capacity): run 2 dates it full earlier than run 1 did.
    const db01 = hist.find((r) => r[1] === DB01 && r[2] === 1 && r[0] === run2) as unknown[];
    expect(db01[3]).toBe(run1);
    expect(num(db01[4])).toBeLessThan(0);
  });

  it('backtest_accuracy summarises the latest forecasts per model', async () => {
    const rows = (await store.query(`SELECT model, mase, coverage FROM forecasts WHERE run_id = ${run2} AND model IS NOT NULL`)).rows;
    const byModel = new Map<string, { mase: number[]; cov80: number[] }>();
    for (const [model, mase, coverage] of rows) {
      const m = byModel.get(String(model)) ?? { mase: [], cov80: [] };
      if (mase !== null) m.mase.push(num(mase));
      const c = (JSON.parse(String(coverage)) as { level: number; achieved: number }[]).find((x) => x.level === 0.8);
      if (c) m.cov80.push(c.achieved);
      byModel.set(String(model), m);
    }
    const view = (await store.query(`SELECT model, series_count, median_mase, mean_mase, mean_coverage_80 FROM backtest_accuracy ORDER BY model`)).rows;
    expect(view.map((r) => r[0])).toEqual([...byModel.keys()].sort());
    for (const [model, count, med, mean, cov] of view) {
      const m = byModel.get(String(model)) as { mase: number[]; cov80: number[] };
      expect(count).toBe(rows.filter((r) => r[0] === model).length);
      expect(num(med)).toBeCloseTo(median(m.mase), 9);
      expect(num(mean)).toBeCloseTo(m.mase.reduce((a, b) => a + b, 0) / m.mase.length, 9);
      expect(num(cov)).toBeCloseTo(m.cov80.reduce((a, b) => a + b, 0) / m.cov80.length, 9);
    }
  });

  it('data_quality reports extent, gaps, resolutions and partial or failed pulls', async () => {
    const rows = (await store.query(
      `SELECT series_id, resource, samples, completeness, forecast_run_id, data_gaps, partial_pulls, failed_pulls, incomplete_pulls, warnings, pull_errors, source_resolutions
       FROM data_quality ORDER BY series_id`,
    )).rows;
    const counts = new Map((await store.query(`SELECT series_id, count(*) FROM samples GROUP BY ALL`)).rows.map((r) => [r[0], num(r[1])]));
    const forecast = new Set((await store.query(`SELECT series_id FROM forecasts WHERE run_id = ${run2}`)).rows.map((r) => r[0]));
    expect(forecast.size).toBeGreaterThanOrEqual(8);
    expect(rows).toHaveLength(counts.size);
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const r of rows) {
      expect(r[2]).toBe(counts.get(r[0]));
      expect(r[4]).toBe(forecast.has(r[0]) ? run2 : null);
      expect(r[6]).toBe(r[0] === DB01 ? 1 : 0);
      expect(r[7]).toBe(r[1] === 'cpu' ? 1 : 0);
      expect(r[8]).toBe(r[0] === DB01 || r[1] === 'cpu');
      expect(r[9]).toEqual(r[0] === DB01 ? ['store eu-1 did not answer'] : []);
      expect(r[10]).toEqual(r[1] === 'cpu' ? ['connection refused'] : []);
    }
    expect(rows.find((r) => r[0] === DB01)?.[11]).toEqual(['5m', 'raw']);
    // log-02 is generated with 3 gaps: fewer samples than hours, and the forecast saw the gaps.
    const gappy = rows.filter((r) => num(r[5]) > 0);
    expect(gappy.length).toBeGreaterThan(0);
    for (const r of gappy) expect(num(r[3])).toBeLessThan(1);
    for (const r of rows.filter((x) => x[5] !== null && num(x[5]) === 0)) expect(num(r[3])).toBe(1);
  });

  it('headroom_by_group and headroom_by(label) roll the headroom view up', async () => {
    const series = (await store.query(`SELECT resource, coalesce(labels['cluster'], '(none)'), labels['host'], used, capacity, headroom, display_name, headroom_ratio FROM headroom WHERE capacity > 0`)).rows;
    const groups = (await store.query(`SELECT resource, group_by, group_value, series_count, usage, capacity, headroom, tightest_series FROM headroom_by_group`)).rows;
    for (const resource of new Set(series.map((s) => s[0]))) {
      const members = series.filter((s) => s[0] === resource);
      const total = groups.find((g) => g[0] === resource && g[1] === 'resource') as unknown[];
      expect(total[3]).toBe(members.length);
      expect(num(total[6])).toBeCloseTo(members.reduce((a, s) => a + num(s[5]), 0), 3);
      const rated = members.filter((s) => s[7] !== null).sort((a, b) => num(a[7]) - num(b[7]));
      expect(total[7]).toBe(rated.length > 0 ? rated[0][6] : null);
      for (const cluster of new Set(members.map((s) => s[1]))) {
        const inCluster = members.filter((s) => s[1] === cluster);
        const g = groups.find((x) => x[0] === resource && x[1] === 'cluster' && x[2] === cluster) as unknown[];
        expect(g[3]).toBe(inCluster.length);
        expect(num(g[4])).toBeCloseTo(inCluster.reduce((a, s) => a + num(s[3]), 0), 3);
        expect(num(g[5])).toBeCloseTo(inCluster.reduce((a, s) => a + num(s[4]), 0), 3);
      }
    }
    const byHost = (await store.query(`SELECT group_value, series_count FROM headroom_by('host') WHERE group_by = 'host' AND resource = 'disk' ORDER BY 1`)).rows;
    const diskHosts = [...new Set(series.filter((s) => s[0] === 'disk').map((s) => String(s[2])))].sort();
    expect(diskHosts.length).toBeGreaterThan(1);
    expect(byHost).toEqual(diskHosts.map((h) => [h, series.filter((s) => s[0] === 'disk' && s[2] === h).length]));
  });

  it('headroom_by_quarter is capacity minus the peak forecast in each quarter of the latest run', async () => {
    const points = (await store.query(
      `SELECT epoch_ms(ts)::DOUBLE, value FROM forecast_points WHERE run_id = ${run2} AND series_id = '${DB01}' AND level = 0.8 ORDER BY ts`,
    )).rows.map((r) => [num(r[0]), num(r[1])] as const);
    const capacity = num((await store.query(`SELECT capacity FROM series WHERE series_id = '${DB01}'`)).rows[0][0]);
    const quarterOf = (t: number) => {
      const d = new Date(t);
      return Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1);
    };
    const peaks = new Map<number, number>();
    for (const [t, v] of points) peaks.set(quarterOf(t), Math.max(peaks.get(quarterOf(t)) ?? -Infinity, v));
    const rows = (await store.query(
      `SELECT epoch_ms(quarter)::DOUBLE, forecast_peak, headroom, headroom_ratio, epoch_ms(quarter_end)::DOUBLE, quarter_label FROM headroom_by_quarter WHERE series_id = '${DB01}' ORDER BY quarter`,
    )).rows;
    expect(rows.map((r) => num(r[0]))).toEqual([...peaks.keys()]);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const usedNow = num((await store.query(`SELECT used FROM usage_now(NULL) WHERE series_id = '${DB01}'`)).rows[0][0]);
    for (const [q, peak, headroom, ratio, end, label] of rows) {
      // The current quarter holds usage now (the 7-day peak) too: capacity must hold it as well.
      expect(peak).toBe(num(q) <= NOW ? Math.max(peaks.get(num(q)) as number, usedNow) : peaks.get(num(q)));
      expect(label).toBe(`${new Date(num(q)).getUTCFullYear()}-Q${Math.floor(new Date(num(q)).getUTCMonth() / 3) + 1}`);
      expect(num(headroom)).toBeCloseTo(capacity - num(peak), 3);
      expect(num(ratio)).toBeCloseTo((capacity - num(peak)) / capacity, 9);
      expect(new Date(quarterOf(num(end))).getTime()).toBe(num(q));
      expect(new Date(num(end) + DAY).getUTCDate()).toBe(1);
    }
    // db-01 fills within the horizon: some quarter has no headroom left.
    expect(Math.min(...rows.map((r) => num(r[2])))).toBeLessThan(0);
  });
});

describe('exhaustion_history on runs with closed-form dates', () => {
  const tempDir = useTempDir();

  it('gives the exact change of the p50 date between two runs', async () => {
    const store = await Store.open(join(tempDir(), 's.duckdb'), { now: () => NOW });
    const key = { resource: 'disk', metric: 'used_bytes', labels: { cluster: 'c1', host: 'h1' } };
    // Run 1: 50 of 100 used, +1/day → full in 50 days. Run 2, 10 days later: 70 used, +1.5/day → full in 20 days.
    const r1 = await storeSyntheticRun(store, [{ key, capacity: 100, unit: 'bytes', level: 50, perDay: 1 }], END);
    const r2 = await storeSyntheticRun(store, [{ key, capacity: 100, unit: 'bytes', level: 70, perDay: 1.5 }], END + 10 * DAY);
    const rows = (await store.query(`SELECT run_id, previous_run_id, p50_days, p50_change_days, status, p_never, previous_p_never FROM exhaustion_history ORDER BY run_id`)).rows;
    const stored = (await store.query(`SELECT p_never FROM exhaustion ORDER BY run_id`)).rows.map((r) => num(r[0]));
    store.close();
    expect(rows).toHaveLength(2);
    expect(rows[0].slice(0, 2)).toEqual([r1, null]);
    expect(num(rows[0][2])).toBeCloseTo(50, 9);
    expect(rows[0][3]).toBeNull();
    expect(rows[1].slice(0, 2)).toEqual([r2, r1]);
    expect(num(rows[1][2])).toBeCloseTo(20, 9);
    // (END + 10 + 20) − (END + 50) = −20 days: the disk now fills 20 days sooner.
    expect(num(rows[1][3])).toBeCloseTo(-20, 6);
    // P(never) of each run and the one before it.
    expect([num(rows[0][5]), rows[0][6]]).toEqual([stored[0], null]);
    expect([num(rows[1][5]), num(rows[1][6])]).toEqual([stored[1], stored[0]]);
  });

  it('gives P(never) of each run beside the previous run’s', async () => {
    const store = await Store.open(join(tempDir(), 'n.duckdb'), { now: () => NOW });
    const key = { resource: 'disk', metric: 'used_bytes', labels: { cluster: 'c1', host: 'h2' } };
    // Growing, then flat: crossing surely (P(never) 0), then never (1).
    await storeSyntheticRun(store, [{ key, capacity: 100, unit: 'bytes', level: 50, perDay: 1 }], END);
    await storeSyntheticRun(store, [{ key, capacity: 100, unit: 'bytes', level: 60, perDay: 0 }], END + 10 * DAY);
    const rows = (await store.query(`SELECT status, p_never, previous_p_never FROM exhaustion_history ORDER BY run_id`)).rows;
    store.close();
    expect(rows.map((r) => [r[0], r[1] === null ? null : num(r[1]), r[2] === null ? null : num(r[2])])).toEqual([
      ['within', 0, null],
      ['beyond_horizon', 1, 0],
    ]);
  });
});

describe('analyst views are documented column by column', () => {
  const tempDir = useTempDir();

  it('has a comment for every view, column and macro of migrations 002 and 007, and no comment for a column that is not there', async () => {
    const store = await Store.open(join(tempDir(), 's.duckdb'));
    const views = (await store.query(`SELECT view_name, comment FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'`)).rows;
    const columns = (await store.query(`SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'main' ORDER BY table_name, column_index`)).rows;
    const macros = (await store.query(`SELECT function_name, comment FROM duckdb_functions() WHERE function_type = 'table_macro' AND schema_name = 'main'`)).rows;
    store.close();
    for (const [view, doc] of Object.entries({ ...ANALYST_VIEW_COMMENTS, ...HEADROOM_VIEW_COMMENTS })) {
      expect(views.find((v) => v[0] === view)?.[1], view).toBe(doc.comment);
      const cols = columns.filter((c) => c[0] === view);
      // Later migrations may add columns to a view (migration 4: data_quality.capacity_pairing; 10: exhaustion_history.p_never).
      const documented: Record<string, string> = {
        ...doc.columns,
        ...(view === 'data_quality' ? DATA_QUALITY_COLUMNS : {}),
        ...(view === 'exhaustion_history' ? EXHAUSTION_HISTORY_COLUMNS : {}),
      };
      expect(cols.map((c) => c[1]), view).toEqual(Object.keys(documented));
      for (const c of cols) expect(c[2], `${view}.${String(c[1])}`).toBe(documented[String(c[1])]);
    }
    const tableMacros = Object.entries({ ...ANALYST_MACRO_COMMENTS, ...HEADROOM_MACRO_COMMENTS }).filter(([m]) => macros.some((x) => x[0] === m) || m in ANALYST_MACRO_COMMENTS);
    for (const [macro, comment] of tableMacros) expect(macros.find((m) => m[0] === macro)?.[1], macro).toBe(comment);
  });
});
