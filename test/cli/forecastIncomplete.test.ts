import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Store } from '../../src/store/Store.js';
import { runCli } from '../support/runCli.js';
import { useTempDir } from '../support/tempDir.js';

// The real fleet forecaster, except that it loses the third outcome: what the
// 64-batch read bug did to every fleet larger than the demo, silently.
vi.mock(import('../../src/forecast/fleet.js'), async (importOriginal) => {
  const real = await importOriginal();
  return {
    ...real,
    forecastFleet: async function* (...args: Parameters<typeof real.forecastFleet>) {
      let i = 0;
      for await (const out of real.forecastFleet(...args)) if (i++ !== 2) yield out;
    },
  };
});

const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 20);

describe('capplan forecast --db when the series do not add up', () => {
  const tempDir = useTempDir();

  it('exits 8 naming the run and the counts, and records the run as failed', async () => {
    const db = join(tempDir(), 'lost.duckdb');
    const store = await Store.open(db, { now: () => END });
    const pull = await store.beginPull({ source: 'test' });
    const timestamps = Float64Array.from({ length: 60 }, (_, i) => END - (59 - i) * DAY);
    await store.writeSamples(
      pull,
      Array.from({ length: 10 }, (_, k) => ({
        key: { resource: 'disk', metric: 'usage', labels: { host: `h${k}` } },
        resolutionS: 86_400,
        timestamps,
        values: timestamps.map((_, i) => 100 + k + i),
        meta: { capacity: 1000 },
      })),
    );
    await store.finishPull(pull, { status: 'ok', seriesCount: 10, sampleCount: 600 });
    store.close();

    const run = await runCli(['forecast', '--db', db, '--horizon', '30d', '--models', 'linear'], { nowMs: END });
    expect(run.code).toBe(8);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^capplan: forecast run #1 is incomplete: expected 10 series, forecast 9, failed 0, skipped 0 \(no samples\); 1 never came back from the forecaster \(first: usage\{host="h\d"\}\)\. The run is recorded as failed and reports keep using the last complete run\n$/,
    );
    const check = await Store.open(db, { readOnly: true });
    const runs = await check.query(`SELECT status, expected_count, forecast_count, error IS NOT NULL FROM forecast_runs`);
    expect(runs.rows).toEqual([['failed', 10, 9, true]]);
    expect((await check.query(`SELECT count(*)::INTEGER FROM forecasts WHERE run_id = 1`)).rows).toEqual([[9]]);
    expect((await check.query(`SELECT count(*)::INTEGER FROM latest_forecasts`)).rows).toEqual([[0]]);
    check.close();
  });
});
