import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { forecastFleet, workerScript, type FleetInput, type FleetOptions, type FleetOutput } from '../../src/forecast/fleet.js';
import { generateFleet } from '../../src/demo/generateFleet.js';
import { useTempDir } from '../support/tempDir.js';

const DAY = 86_400_000;

async function collect(input: FleetInput[], workers: number, more: Partial<FleetOptions> = {}): Promise<Map<string, FleetOutput>> {
  const out = new Map<string, FleetOutput>();
  async function* source() {
    yield* input;
  }
  for await (const o of forecastFleet(source(), { forecast: { horizonMs: 60 * DAY }, workers, ...more })) {
    expect(out.has(o.id)).toBe(false);
    out.set(o.id, o);
  }
  return out;
}

describe('forecastFleet', () => {
  const fleet = generateFleet({ endMs: Date.UTC(2026, 10, 24), seed: 42, size: 'small' });
  const input: FleetInput[] = fleet.map((s, i) => ({ id: `s${i}`, samples: { timestamps: s.timestamps, values: s.values } }));
  input.push({ id: 'broken', samples: { timestamps: Float64Array.from([1, 2]), values: Float64Array.from([NaN, NaN]) } });

  it('runs on worker threads (the build provides the worker script)', () => {
    expect(workerScript()).toMatch(/fleetWorker\.js$/);
  });

  it('gives the same forecasts on 3 workers as in this thread, and contains a bad series', async () => {
    const [pooled, single] = await Promise.all([collect(input, 3), collect(input, 1)]);
    expect([...pooled.keys()].sort()).toEqual(input.map((s) => s.id).sort());
    for (const [id, o] of single) {
      const p = pooled.get(id) as FleetOutput;
      if ('error' in o) {
        expect(p).toEqual(o);
        continue;
      }
      expect('result' in p && p.result.model).toBe(o.result.model);
      expect('result' in p && Array.from(p.result.point)).toEqual(Array.from(o.result.point));
    }
    expect(single.get('broken')).toMatchObject({ error: expect.stringMatching(/broken: no finite values/) });
  });

  it('gives identical outcomes whatever the worker count and queue depth', async () => {
    const single = await collect(input, 1);
    for (const [workers, queuePerWorker] of [[2, 1], [2, 8], [3, 3]]) {
      const pooled = await collect(input, workers, { queuePerWorker });
      expect(pooled).toEqual(single);
    }
  });

  const tempDir = useTempDir();

  it('fails the series a worker exited on without an error, forecasts the rest, and does not hang', async () => {
    // A worker that calls process.exit on one series: no 'error' event, only 'exit'.
    const script = join(tempDir(), 'exitingWorker.mjs');
    const real = pathToFileURL(join(workerScript() as string, '../forecastOne.js')).href;
    writeFileSync(
      script,
      `import { parentPort } from 'node:worker_threads';
       import { forecastOne } from ${JSON.stringify(real)};
       parentPort.on('message', (task) => {
         if (task.id === 's2') process.exit(3);
         parentPort.postMessage(forecastOne(task));
       });`,
    );
    const single = await collect(input, 1);
    const pooled = await collect(input, 2, { script, queuePerWorker: 4 });
    expect([...pooled.keys()].sort()).toEqual(input.map((s) => s.id).sort());
    expect(pooled.get('s2')).toEqual({ id: 's2', error: 'the forecast worker exited (code 3) while forecasting this series, without an error' });
    for (const [id, o] of single) if (id !== 's2') expect(pooled.get(id)).toEqual(o);
  });

  it('ends the run when workers exit before finishing any series', async () => {
    const script = join(tempDir(), 'deadWorker.mjs');
    writeFileSync(script, 'process.exit(5);\n');
    await expect(collect(input, 2, { script })).rejects.toThrow('forecast workers keep exiting (code 5) before finishing any series');
  });
});
