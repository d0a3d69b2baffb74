import type { FitContext } from '../src/models/Model.js';
import { MODELS } from '../src/models/registry.js';

/**
 * `npm run bench -- models`: milliseconds per fit + 30-step predict for each
 * registered model on the two shapes capplan fits most: 180 days of daily
 * points (weekly cycle) and 180 days of hourly points (4,320 points, daily
 * and weekly cycles). The ratio column compares with `damped`, the cheapest
 * smoothing model, measured in the same run on the same series.
 */
const DAY = 86_400_000;

function synthetic(n: number, periods: readonly number[], seed: number): Float64Array {
  let s = seed >>> 0;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const y = new Float64Array(n);
  let walk = 0;
  for (let t = 0; t < n; t++) {
    walk += (rand() - 0.5) * 0.4;
    let v = 500 + 0.8 * t * (periods[0] === 24 ? 1 / 24 : 1) + walk;
    periods.forEach((p, i) => (v += (30 / (i + 1)) * Math.sin((2 * Math.PI * t) / p)));
    y[t] = v + (rand() - 0.5) * 10;
  }
  return y;
}

/** CPU milliseconds per fit + predict: this machine is shared, and wall time mostly measures the neighbours. */
function timeFits(alias: string, y: Float64Array, ctx: FitContext, reps: number): number | string {
  const model = MODELS.find((m) => m.alias === alias)!;
  try {
    model.fit(y, ctx).predict(30, [0.8]); // warm-up
    const t0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) model.fit(y, ctx).predict(30, [0.8]);
    const used = process.cpuUsage(t0);
    return (used.user + used.system) / 1000 / reps;
  } catch (e) {
    return `refuses: ${(e as Error).message}`;
  }
}

export async function benchModels(): Promise<void> {
  const shapes: { name: string; y: Float64Array; ctx: FitContext; reps: number }[] = [
    { name: '180-day daily (n=180, period 7)', y: synthetic(180, [7], 1), ctx: { periods: [7], stepMs: DAY }, reps: 10 },
    { name: '180-day hourly (n=4320, periods 24, 168)', y: synthetic(4320, [24, 168], 2), ctx: { periods: [24, 168], stepMs: DAY / 24 }, reps: 3 },
  ];
  const only = process.env.BENCH_MODELS?.split(',');
  const aliases = MODELS.map((m) => m.alias).filter((a) => only === undefined || only.includes(a) || a === 'damped');
  console.log('\n## Model fit time (CPU ms per fit + 30-step predict; ratio vs damped in the same run)\n');
  console.log(`| model | ${shapes.map((s) => `${s.name} ms | × damped`).join(' | ')} |`);
  console.log(`|---|${shapes.map(() => '---:|---:').join('|')}|`);
  const base = shapes.map((s) => timeFits('damped', s.y, s.ctx, 3 * s.reps) as number);
  for (const alias of aliases) {
    const cells = shapes.map((s, i) => {
      const ms = alias === 'damped' ? base[i] : timeFits(alias, s.y, s.ctx, s.reps);
      return typeof ms === 'string' ? `${ms} | –` : `${ms.toFixed(2)} | ${(ms / base[i]).toFixed(1)}`;
    });
    console.log(`| ${alias} | ${cells.join(' | ')} |`);
  }
}
