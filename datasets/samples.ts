import { Prng } from '../src/demo/prng.js';
import { generateFleet } from '../src/demo/generateFleet.js';

/** The committed sample files end here, so they never change when regenerated. */
export const SAMPLES_END_MS = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const num = (v: number) => String(Number(v.toPrecision(8)));

/**
 * The small CSV samples in datasets/, as file name → content. Generated from
 * the demo fleet (seed 42) plus two calendar-step series, so `capplan forecast`
 * can be tried on hourly, daily, monthly and quarterly data.
 */
export function sampleFiles(): Record<string, string> {
  const fleet = generateFleet({ endMs: SAMPLES_END_MS, seed: 42, size: 'small' });
  const disk = fleet[0];
  const lastDays = 120 * 24;
  const hourly = ['timestamp,value'];
  for (let i = disk.timestamps.length - lastDays; i < disk.timestamps.length; i++) hourly.push(`${iso(disk.timestamps[i])},${num(disk.values[i])}`);

  const daily = ['series,timestamp,value'];
  for (const s of fleet.slice(0, 4)) {
    const id = `${s.labels.host ?? s.labels.service}:${s.resource}`;
    const peaks = new Map<number, number>();
    s.timestamps.forEach((t, i) => {
      const day = Math.floor(t / DAY) * DAY;
      peaks.set(day, Math.max(peaks.get(day) ?? -Infinity, s.values[i]));
    });
    for (const [day, v] of peaks) daily.push(`${id},${iso(day).slice(0, 10)},${num(v)}`);
  }

  const rng = new Prng(7);
  const monthly = ['timestamp,value'];
  for (let m = 0; m < 60; m++) {
    const d = new Date(Date.UTC(2021, 11 + m, 1));
    // Object storage in TB: compound growth of ~2.5% a month with a year-end peak.
    const tb = 120 * Math.pow(1.025, m) * (1 + 0.04 * Math.cos((2 * Math.PI * (d.getUTCMonth() - 11)) / 12)) + 2 * rng.normal();
    monthly.push(`${d.toISOString().slice(0, 7)},${num(tb)}`);
  }

  const quarterly = ['timestamp,value'];
  for (let q = 0; q < 24; q++) {
    const year = 2021 + Math.floor(q / 4);
    // Peak cores used per quarter: linear growth with a strong Q4 (holiday season).
    const cores = 800 + 35 * q + (q % 4 === 3 ? 180 : 0) + 15 * rng.normal();
    quarterly.push(`${year}-Q${(q % 4) + 1},${num(cores)}`);
  }
  return {
    'disk-growth-hourly.csv': `${hourly.join('\n')}\n`,
    'fleet-sample-daily.csv': `${daily.join('\n')}\n`,
    'monthly-storage.csv': `${monthly.join('\n')}\n`,
    'quarterly-capacity.csv': `${quarterly.join('\n')}\n`,
  };
}
