import { describe, expect, it } from 'vitest';
import { formatLoad, measureLoad } from '../../bench/reliability.js';
import { LONG } from './childCli.js';

/*
 * Load and memory, behind CAPPLAN_LONG_TESTS=1 (minutes, not seconds): a pull
 * of 10,000 series from a fake Prometheus API (a generator in another
 * process, not a real Prometheus: backfilling 10,000 series would take longer
 * than the test) and a forecast of 10,000 generated series through
 * forecastFleet. Figures are printed; the bounds below are the ones the
 * reliability notes state.
 */

const SERIES = 10_000;
/** Stated bounds, MiB of peak resident memory for the whole process (worker threads included). */
const PULL_PEAK_RSS_MIB = 1536;
const FORECAST_PEAK_RSS_MIB = 1024;

describe.runIf(LONG)('load: 10,000 series', () => {
  it('pulls 10,000 series × 7 days hourly, every sample stored, under the memory bound', async () => {
    const f = await measureLoad({ series: SERIES, skip: 'forecast' });
    console.log(formatLoad(f));
    expect(f.pull?.samples).toBe(SERIES * (7 * 24 + 1));
    expect(f.pull!.peakRssMiB).toBeLessThan(PULL_PEAK_RSS_MIB);
  }, 900_000);

  it('pulls the same in 4 windows per query (each returning every series), every sample stored, under the memory bound', async () => {
    const f = await measureLoad({ series: SERIES, skip: 'forecast', maxPoints: 48 });
    console.log(formatLoad(f));
    expect(f.pull?.samples).toBe(SERIES * (7 * 24 + 1));
    expect(f.pull?.requests).toBe(4);
    expect(f.pull!.peakRssMiB).toBeLessThan(PULL_PEAK_RSS_MIB);
  }, 900_000);

  it('forecasts 10,000 series, none failed, under the memory bound', async () => {
    const f = await measureLoad({ series: SERIES, skip: 'pull' });
    console.log(formatLoad(f));
    expect(f.forecast).toMatchObject({ series: SERIES, failed: 0 });
    expect(f.forecast!.peakRssMiB).toBeLessThan(FORECAST_PEAK_RSS_MIB);
  }, 1_800_000);
});

describe.skipIf(LONG)('load (short)', () => {
  it('pulls and forecasts 200 series through the same harness', async () => {
    const f = await measureLoad({ series: 200, maxPoints: 48 });
    console.log(formatLoad(f));
    expect(f.pull?.samples).toBe(200 * (7 * 24 + 1));
    expect(f.forecast).toMatchObject({ series: 200, failed: 0 });
  }, 120_000);
});
