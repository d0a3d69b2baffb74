import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, IncompleteRunError } from '../../src/errors.js';
import { forecastFleet, type FleetInput, type FleetOptions, type FleetOutput } from '../../src/forecast/fleet.js';
import { forecastStore, WRITE_BATCH, type ForecastStoreOptions } from '../../src/pipeline/forecastStore.js';
import { seriesId } from '../../src/store/seriesId.js';
import { Store } from '../../src/store/Store.js';
import { runCli } from '../support/runCli.js';
import { useTempDir } from '../support/tempDir.js';

const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 20);
const NOW = END + 3_600_000;

/** `n` daily series of 120 days each (straight lines with a weekly ripple), stored as one pull. */
async function storeFleet(store: Store, n: number, resource = 'disk'): Promise<string[]> {
  const pull = await store.beginPull({ source: 'test' });
  const days = 120;
  const timestamps = Float64Array.from({ length: days }, (_, i) => END - (days - 1 - i) * DAY);
  const batch = Array.from({ length: n }, (_, k) => ({
    key: { resource, metric: 'usage', labels: { host: `h${String(k).padStart(4, '0')}` } },
    resolutionS: 86_400,
    timestamps,
    values: timestamps.map((_, i) => 100 + k + i * (1 + (k % 7)) + 10 * Math.sin((2 * Math.PI * i) / 7)),
    meta: { capacity: 1000 + 10 * k, unit: 'bytes' },
  }));
  await store.writeSamples(pull, batch);
  await store.finishPull(pull, { status: 'ok', seriesCount: n, sampleCount: n * days });
  return batch.map((s) => seriesId(s.key));
}

const OPTIONS: ForecastStoreOptions = { asOfMs: END, horizonMs: 60 * DAY, levels: [0.8], thresholds: [1], workers: 1, models: ['linear', 'naive'] };

async function runRow(store: Store, runId: number) {
  const r = await store.query(
    `SELECT status, expected_count, forecast_count, failed_count, skipped_count, series_count, error FROM forecast_runs WHERE run_id = ${runId}`,
  );
  const [status, expected, forecast, failed, skipped, series, error] = r.rows[0];
  return { status, expected, forecast, failed, skipped, series, error: error as string | null };
}

describe('a forecast run accounts for every series', () => {
  const tempDir = useTempDir();

  // Regression: results were written in batches of 64 on the connection the samples were still
  // being streamed from, which ended the read silently after ~64 series; the run said ok.
  it('capplan forecast --db forecasts all 200 series of a store and records the counts', async () => {
    const db = join(tempDir(), 'fleet.duckdb');
    const store = await Store.open(db, { now: () => NOW });
    await storeFleet(store, 200);
    // A series row without samples (e.g. all its points were stale): skipped, and counted as such.
    await store.connection.run(
      `INSERT INTO series (series_id, resource, metric, labels, name, first_seen) VALUES ('00000000deadbeef', 'disk', 'usage', MAP {'host': 'empty'}, 'disk empty', now())`,
    );
    store.close();

    const run = await runCli(['forecast', '--db', db, '--horizon', '60d'], { nowMs: NOW });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^forecast run #1: 200 series, 0 failed; models /m);
    expect(run.stdout).toMatch(/^1 series skipped: no samples stored \(disk empty\)$/m);

    const check = await Store.open(db, { readOnly: true });
    expect(await runRow(check, 1)).toEqual({ status: 'ok', expected: 201, forecast: 200, failed: 0, skipped: 1, series: 200, error: null });
    const stored = await check.query(`SELECT count(*)::INTEGER, count(DISTINCT f.series_id)::INTEGER, count(p.series_id)::INTEGER FROM forecasts f
      LEFT JOIN (SELECT DISTINCT series_id FROM forecast_points WHERE run_id = 1) p USING (series_id) WHERE f.run_id = 1 AND f.error IS NULL`);
    expect(stored.rows[0]).toEqual([200, 200, 200]);
    const latest = await check.query(`SELECT count(*)::INTEGER FROM latest_forecasts`);
    expect(latest.rows[0][0]).toBe(200);
    check.close();
  });

  it('reads a fleet larger than one read batch in full, in series_id order, while writing between series', async () => {
    const store = await Store.open(join(tempDir(), 'b.duckdb'), { now: () => NOW });
    const ids = await storeFleet(store, 300);
    const { readSampleBatches } = await import('../../src/store/readSampleBatches.js');
    const seen: string[] = [];
    // 120 samples per series and batches of at most 1,000 samples: 8 series per query, 38 queries.
    for await (const s of readSampleBatches(store.connection, await store.sampleCounts(), 1_000)) {
      seen.push(s.seriesId);
      expect(s.timestamps.length).toBe(120);
      expect(s.timestamps[119]).toBe(END);
      await store.connection.run(`CREATE OR REPLACE TEMP TABLE scratch AS SELECT ${seen.length} AS n`);
    }
    expect(seen).toEqual([...ids].sort());
    store.close();
  });

  /** Wraps the real fleet forecaster, rewriting its outcomes. */
  const tampered =
    (rewrite: (out: FleetOutput, index: number) => FleetOutput[]) =>
    async function* (input: AsyncIterable<FleetInput>, options: FleetOptions): AsyncGenerator<FleetOutput> {
      let i = 0;
      for await (const out of forecastFleet(input, options)) yield* rewrite(out, i++);
    };

  const cases: [string, (out: FleetOutput, i: number) => FleetOutput[], RegExp][] = [
    ['an outcome that is neither a forecast nor an error', (out, i) => (i === 3 ? [{ id: out.id } as unknown as FleetOutput] : [out]), /neither a forecast nor an error/],
    ['a lost outcome', (out, i) => (i === 5 ? [] : [out]), /1 never came back from the forecaster \(first: usage\{host=\"h\d{4}\"\}\)/],
    ['a duplicated outcome', (out, i) => (i === 2 ? [out, out] : [out]), /a second outcome for usage\{host=\"h\d{4}\"\}/],
    ['an outcome for a series not asked for', (out, i) => (i === 0 ? [out, { id: 'ffffffffffffffff', error: 'x' }] : [out]), /"ffffffffffffffff", which the run did not ask for/],
  ];
  for (const [what, rewrite, reason] of cases) {
    it(`fails the run on ${what}, keeping what was forecast and the previous run as latest`, async () => {
      const store = await Store.open(join(tempDir(), 'x.duckdb'), { now: () => NOW });
      await storeFleet(store, 12);
      const first = await forecastStore(store, OPTIONS);
      expect(first).toMatchObject({ expectedCount: 12, forecastCount: 12, failedCount: 0 });

      const error = await forecastStore(store, OPTIONS, tampered(rewrite)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IncompleteRunError);
      expect((error as IncompleteRunError).exitCode).toBe(ExitCode.incompleteRun);
      expect((error as Error).message).toMatch(/^forecast run #2 is incomplete: expected 12 series, /);
      expect((error as Error).message).toMatch(reason);
      const row = await runRow(store, 2);
      expect(row.status).toBe('failed');
      expect(row.expected).toBe(12);
      expect(row.error).toMatch(reason);
      const kept = await store.query(`SELECT count(*)::INTEGER FROM forecasts WHERE run_id = 2`);
      expect(kept.rows[0][0]).toBeGreaterThanOrEqual(11);
      const latest = await store.query(`SELECT DISTINCT run_id FROM latest_forecasts`);
      expect(latest.rows).toEqual([[1]]);
      store.close();
    });
  }

  it('fails the run when the database holds fewer rows than the run counted', async () => {
    const store = await Store.open(join(tempDir(), 'rows.duckdb'), { now: () => NOW });
    const size = WRITE_BATCH + 6;
    await storeFleet(store, size);
    // After the first batch is written (in the background, while forecasting goes on), one of its rows disappears.
    const losingRows = async function* (input: AsyncIterable<FleetInput>, options: FleetOptions): AsyncGenerator<FleetOutput> {
      let i = 0;
      for await (const out of forecastFleet(input, options)) {
        if (i++ === WRITE_BATCH + 2) {
          const written = async () => Number((await store.query(`SELECT count(*) FROM forecasts WHERE run_id = 1`)).rows[0][0]);
          while ((await written()) < WRITE_BATCH) await new Promise((resolve) => setTimeout(resolve, 10));
          await store.connection.run(`DELETE FROM forecasts WHERE run_id = 1 AND series_id = (SELECT min(series_id) FROM forecasts WHERE run_id = 1)`);
        }
        yield out;
      }
    };
    const error = await forecastStore(store, OPTIONS, losingRows).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompleteRunError);
    expect((error as Error).message).toContain(
      `expected ${size} series, forecast ${size}, failed 0, skipped 0 (no samples); run #1 holds ${size - 1} forecast and 0 failed rows, not ${size} and 0`,
    );
    expect((await runRow(store, 1)).status).toBe('failed');
    store.close();
  });

  it('a forecaster that dies mid-run fails the run with how far it got', async () => {
    const store = await Store.open(join(tempDir(), 'd.duckdb'), { now: () => NOW });
    await storeFleet(store, 6);
    const dying = async function* (input: AsyncIterable<FleetInput>, options: FleetOptions): AsyncGenerator<FleetOutput> {
      let i = 0;
      for await (const out of forecastFleet(input, options)) {
        if (i++ === 4) throw new Error('worker crashed');
        yield out;
      }
    };
    await expect(forecastStore(store, OPTIONS, dying)).rejects.toThrow('worker crashed');
    const row = await runRow(store, 1);
    expect(row).toMatchObject({ status: 'failed', expected: 6, forecast: 4, failed: 0 });
    expect(row.error).toBe('stopped after 4 of 6 series: worker crashed');
    store.close();
  });
});
