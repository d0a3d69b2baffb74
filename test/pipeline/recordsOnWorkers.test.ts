import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forecastFleet, workerScript, type FleetInput, type FleetOptions } from '../../src/forecast/fleet.js';
import { forecastStore, type ForecastStoreOptions } from '../../src/pipeline/forecastStore.js';
import { seriesId } from '../../src/store/seriesId.js';
import { Store } from '../../src/store/Store.js';
import { useTempDir } from '../support/tempDir.js';

const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 20);

/** `n` hourly series of 60 days with a daily cycle and growth at different rates, against capacities some reach. */
async function storeFleet(store: Store, n: number): Promise<string[]> {
  const pull = await store.beginPull({ source: 'test' });
  const hours = 60 * 24;
  const timestamps = Float64Array.from({ length: hours }, (_, i) => END - (hours - 1 - i) * 3_600_000);
  const batch = Array.from({ length: n }, (_, k) => ({
    key: { resource: k % 3 === 0 ? 'cpu' : 'disk', metric: 'usage', labels: { host: `h${String(k).padStart(3, '0')}` } },
    resolutionS: 3600,
    timestamps,
    // A gap (NaN is not stored) and noise from a fixed formula, so series differ but runs do not.
    values: timestamps.map((_, i) => (i % 500 === 7 ? NaN : 200 + k * 5 + i * (0.05 + 0.02 * (k % 5)) + 20 * Math.sin((2 * Math.PI * i) / 24) + ((i * 7919 + k * 104729) % 13))),
    meta: { capacity: 400 + 40 * k, unit: 'bytes' },
  }));
  await store.writeSamples(pull, batch);
  await store.finishPull(pull, { status: 'ok', seriesCount: n, sampleCount: n * hours });
  return batch.map((s) => seriesId(s.key));
}

/** Every stored row of a run (run_id left out), sorted, as text: doubles print exactly. */
async function runRows(store: Store, runId: number): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of ['forecasts', 'forecast_points', 'exhaustion', 'recommendations']) {
    const r = await store.query(`SELECT * EXCLUDE (run_id) FROM ${table} WHERE run_id = ${runId}`);
    out[table] = r.rows.map((row) => JSON.stringify(row, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))).sort();
  }
  return out;
}

describe('forecast --db builds each series records on the worker that forecast it', () => {
  const tempDir = useTempDir();

  it('stores exactly the rows the in-thread run stores, scenarios included, and the workers send records', async () => {
    expect(workerScript()).not.toBeNull();
    const store = await Store.open(join(tempDir(), 'w.duckdb'), { now: () => END + 3_600_000 });
    const ids = await storeFleet(store, 9);
    const options: ForecastStoreOptions = {
      asOfMs: END,
      horizonMs: 30 * DAY,
      levels: [0.8, 0.95],
      thresholds: [0.8, 0.9, 1],
      models: ['linear', 'theta', 'seasonal_naive'],
      scenarios: [{ name: 'traffic', resources: ['disk'], changes: [{ kind: 'growth', factor: 1.3, fromMs: END + 5 * DAY }] }],
    };
    const inThread = await forecastStore(store, { ...options, workers: 1 });

    let withRecords = 0;
    const counting = async function* (input: AsyncIterable<FleetInput>, fleet: FleetOptions) {
      for await (const out of forecastFleet(input, fleet)) {
        if ('records' in out) withRecords++;
        yield out;
      }
    };
    const pooled = await forecastStore(store, { ...options, workers: 2 }, counting);
    expect(withRecords).toBe(ids.length);
    expect(pooled).toMatchObject({ expectedCount: 9, forecastCount: 9, failedCount: 0 });
    expect([...pooled.models].sort()).toEqual([...inThread.models].sort());

    const baseline = await runRows(store, inThread.runId);
    expect(baseline.exhaustion.length).toBe(9 * 3);
    expect(baseline.recommendations.length).toBe(9);
    expect(await runRows(store, pooled.runId)).toEqual(baseline);
    const scenario = await runRows(store, inThread.scenarioRuns.get('traffic') as number);
    expect(scenario).not.toEqual(baseline);
    expect(await runRows(store, pooled.scenarioRuns.get('traffic') as number)).toEqual(scenario);
    store.close();
  });
});
