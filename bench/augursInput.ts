import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readSeriesCsv } from '../src/source/csv/readSeriesCsv.js';
import { loadAugurs } from './baselines.js';

/**
 * The peer of `capplan forecast --input` in bench/input.ts, as its own process:
 * read the CSV, fit augurs MSTL.ets([24,168]) to each raw hourly series and
 * predict `hours` ahead with an 80% interval, write the points as JSON.
 * Prints the series count, how many it fitted and the fits' wall and CPU ms.
 * augurs runs in one thread (WASM). With `every` > 1 it fits every n-th series
 * only and reports the time per series, for the caller to extrapolate.
 *
 * Usage: node dist/bench/augursInput.js FILE HOURS EVERY OUT
 */
async function main(): Promise<void> {
  const [file, hours, every, out] = process.argv.slice(2);
  const augurs = await loadAugurs();
  const series = await readSeriesCsv(file);
  const step = Number(every);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const doc: { series: string; point: number[]; lower: number[]; upper: number[] }[] = [];
  let fitted = 0;
  for (let i = 0; i < series.length; i += step) {
    const m = augurs.mstlEts([24, 168]);
    m.fit(series[i].values);
    const f = m.predict(Number(hours), 0.8);
    m.free();
    doc.push({ series: series[i].id, point: f.point, lower: f.intervals?.lower ?? [], upper: f.intervals?.upper ?? [] });
    fitted++;
  }
  const fitMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  writeFileSync(out, JSON.stringify({ series: doc }));
  process.stdout.write(`${JSON.stringify({ series: series.length, fitted, fitMs, fitCpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
