import { describe, expect, it } from 'vitest';
import { forecastFleet, workerScript, type FleetInput, type FleetOutput } from '../../src/forecast/fleet.js';
import { generateFleet } from '../../src/demo/generateFleet.js';

const DAY = 86_400_000;

async function collect(input: FleetInput[], workers: number): Promise<Map<string, FleetOutput>> {
  const out = new Map<string, FleetOutput>();
  async function* source() {
    yield* input;
  }
  for await (const o of forecastFleet(source(), { forecast: { horizonMs: 60 * DAY }, workers })) out.set(o.id, o);
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
});
