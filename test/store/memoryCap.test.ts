import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { forecastFleet, type FleetInput, type FleetOptions, type FleetOutput } from '../../src/forecast/fleet.js';
import { FORECAST_DUCKDB_MEMORY_BYTES, forecastStore } from '../../src/pipeline/forecastStore.js';
import { parseDuckDbSize, withMemoryCap } from '../../src/store/memoryCap.js';
import { Store } from '../../src/store/Store.js';
import { useTempDir } from '../support/tempDir.js';

const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 20);

const limit = async (store: Store) =>
  parseDuckDbSize(String((await store.connection.runAndReadAll(`SELECT current_setting('memory_limit')`)).getRows()[0][0])) as number;

describe('DuckDB memory during a forecast run', () => {
  const tempDir = useTempDir();

  it('reads the sizes DuckDB prints', () => {
    expect(parseDuckDbSize('512.0 MiB')).toBe(512 * 2 ** 20);
    expect(parseDuckDbSize('18.8 GiB')).toBeCloseTo(18.8 * 2 ** 30, -3);
    expect(parseDuckDbSize('2GB')).toBe(2e9);
    expect(parseDuckDbSize('unlimited')).toBeNull();
  });

  it('is capped while forecastStore runs on a file and given back afterwards', async () => {
    const store = await Store.open(join(tempDir(), 'cap.duckdb'), { now: () => END + DAY });
    const pull = await store.beginPull({ source: 'test' });
    const timestamps = Float64Array.from({ length: 60 }, (_, i) => END - (59 - i) * DAY);
    await store.writeSamples(pull, [
      { key: { resource: 'disk', metric: 'usage', labels: { host: 'a' } }, resolutionS: 86_400, timestamps, values: timestamps.map((_, i) => 10 + i), meta: { capacity: 200 } },
    ]);
    await store.finishPull(pull, { status: 'ok', seriesCount: 1, sampleCount: 60 });
    const before = await limit(store);
    expect(before).toBeGreaterThan(FORECAST_DUCKDB_MEMORY_BYTES);

    let during = Number.NaN;
    const watching = async function* (input: AsyncIterable<FleetInput>, options: FleetOptions): AsyncGenerator<FleetOutput> {
      during = await limit(store);
      yield* forecastFleet(input, options);
    };
    const run = await forecastStore(store, { asOfMs: END, horizonMs: 30 * DAY, levels: [0.8], thresholds: [1], workers: 1, models: ['linear'] }, watching);
    expect(run.forecastCount).toBe(1);
    expect(during).toBe(FORECAST_DUCKDB_MEMORY_BYTES);
    expect(await limit(store)).toBe(before);
    store.close();
  });

  it('leaves an in-memory database alone (its data lives in that memory)', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const read = async () => String((await connection.runAndReadAll(`SELECT current_setting('memory_limit')`)).getRows()[0][0]);
    const before = await read();
    expect(await withMemoryCap(connection, ':memory:', 64 * 2 ** 20, read)).toBe(before);
    connection.closeSync();
    instance.closeSync();
  });
});
