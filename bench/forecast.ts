import { availableParallelism } from 'node:os';
import { forecastFleet, type FleetInput } from '../src/forecast/fleet.js';
import { forecastSeries } from '../src/forecast/forecastSeries.js';
import { generateFleet } from '../src/demo/generateFleet.js';
import { loadAugurs } from './baselines.js';
import { peakRss } from './memory.js';

const DAY = 86_400_000;

/** 1,000 hourly series × 180 days from the demo generator (varied seeds). */
export function thousandSeries(count = 1000): FleetInput[] {
  const out: FleetInput[] = [];
  for (let seed = 1; out.length < count; seed++) {
    for (const s of generateFleet({ endMs: Date.UTC(2026, 10, 1), seed, historyDays: 180 })) {
      if (out.length < count) out.push({ id: `${seed}:${out.length}`, samples: { timestamps: s.timestamps, values: s.values } });
    }
  }
  return out;
}

/**
 * Fleet throughput: 1,000 hourly series × 180 days, 90-day horizon, model
 * selection by backtest + calibrated intervals, on worker threads; beside it
 * augurs MSTL.ets([24,168]) on the same series in one thread (timed on a
 * sample, then per series), and capplan in one thread on the same sample.
 */
export async function benchForecast(): Promise<void> {
  const fleet = thousandSeries();
  const cores = availableParallelism();
  const options = { horizonMs: 90 * DAY };
  const sample = fleet.filter((_, i) => i % 20 === 0); // 50 series

  const rss = peakRss();
  let t0 = performance.now();
  let failed = 0;
  for await (const out of forecastFleet((async function* () { yield* fleet; })(), { forecast: options })) if ('error' in out) failed++;
  const fleetSeconds = (performance.now() - t0) / 1000;
  const fleetPeak = rss.stop();

  t0 = performance.now();
  for (const s of sample) forecastSeries({ timestamps: s.samples.timestamps, values: s.samples.values }, options);
  const capplanMs = (performance.now() - t0) / sample.length;

  t0 = performance.now();
  for (const s of sample) forecastSeries({ timestamps: s.samples.timestamps, values: s.samples.values }, { ...options, aggregation: 'raw' });
  const rawMs = (performance.now() - t0) / sample.length;

  const augurs = await loadAugurs();
  t0 = performance.now();
  for (const s of sample) {
    const m = augurs.mstlEts([24, 168]);
    m.fit(s.samples.values);
    m.predict(90 * 24, 0.8);
    m.free();
  }
  const augursMs = (performance.now() - t0) / sample.length;

  console.log('\n## Forecast throughput (1,000 hourly series × 180 days, horizon 90 d)\n');
  console.log('| what | per series (one thread) | series/s | vs augurs |');
  console.log('|---|---:|---:|---:|');
  console.log(`| augurs MSTL.ets([24,168]), raw hourly | ${augursMs.toFixed(1)} ms | ${(1000 / augursMs).toFixed(1)} | 1.0× |`);
  console.log(`| capplan auto (daily peak, selection over all models + conformal) | ${capplanMs.toFixed(1)} ms | ${(1000 / capplanMs).toFixed(1)} | ${(augursMs / capplanMs).toFixed(1)}× |`);
  console.log(`| capplan --aggregation raw (hourly, selection + conformal) | ${rawMs.toFixed(1)} ms | ${(1000 / rawMs).toFixed(1)} | ${(augursMs / rawMs).toFixed(1)}× |`);
  console.log(`| capplan fleet, ${Math.min(8, cores)} worker threads on ${cores} cores | ${((fleetSeconds * 1000) / fleet.length).toFixed(1)} ms wall | ${(fleet.length / fleetSeconds).toFixed(1)} | ${((augursMs / 1000) * fleet.length / fleetSeconds).toFixed(1)}× |`);
  console.log(`\n1,000 series in ${fleetSeconds.toFixed(1)} s wall (${failed} failed); peak RSS ${(fleetPeak / 2 ** 20).toFixed(0)} MiB (includes the 1,000 input series held by the bench). ` +
    `Per-series figures are single-thread on a ${sample.length}-series sample.`);
}
