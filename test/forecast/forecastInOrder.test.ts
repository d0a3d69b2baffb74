import { describe, expect, it } from 'vitest';
import { workerScript } from '../../src/forecast/fleet.js';
import { forecastInOrder, type OrderedSeries } from '../../src/forecast/forecastInOrder.js';
import { forecastOne } from '../../src/forecast/forecastOne.js';
import { generateFleet } from '../../src/demo/generateFleet.js';

const DAY = 86_400_000;
const options = { horizonMs: 30 * DAY };

async function* stream(items: readonly OrderedSeries[]): AsyncGenerator<OrderedSeries> {
  yield* items;
}

describe('forecastInOrder', () => {
  // Long and short histories mixed, so workers finish out of order.
  const fleet = generateFleet({ endMs: Date.UTC(2026, 10, 24), seed: 7, size: 'small', historyDays: 120 });
  const series: OrderedSeries[] = fleet.map((s, i) => {
    const keep = i % 2 === 0 ? s.timestamps.length : 24 * 20;
    return { id: `s${i}`, index: i, timestamps: s.timestamps.slice(-keep), values: s.values.slice(-keep), replaces: false };
  });

  it('runs on worker threads (the build provides the worker script)', () => {
    expect(workerScript()).toMatch(/fleetWorker\.js$/);
  });

  it('returns one outcome per series in input order, the same as forecasting each in this thread', async () => {
    const pooled = await forecastInOrder(stream(series), { forecast: options, workers: 3 });
    expect(pooled.map((o) => o.id)).toEqual(series.map((s) => s.id));
    const direct = series.map((s) => forecastOne({ id: s.id, timestamps: s.timestamps, values: s.values, options }));
    expect(pooled).toEqual(direct);
  });

  it('forecasts a replaced series from its whole version, never the partial one, in its place', async () => {
    const whole = series[1];
    const partial: OrderedSeries = { ...whole, timestamps: whole.timestamps.slice(0, 100), values: whole.values.slice(0, 100) };
    const items = [series[0], partial, series[2], series[3], { ...whole, replaces: true }];
    const out = await forecastInOrder(stream(items), { forecast: options, workers: 2 });
    expect(out.map((o) => o.id)).toEqual(['s0', 's1', 's2', 's3']);
    expect(out[1]).toEqual(forecastOne({ id: 's1', timestamps: whole.timestamps, values: whole.values, options }));
    expect(out[1]).not.toEqual(forecastOne({ id: 's1', timestamps: partial.timestamps, values: partial.values, options }));
  });

  it('keeps a failing series as a recorded failure in its place', async () => {
    const broken: OrderedSeries = { id: 'broken', index: 1, timestamps: Float64Array.from([1, 2]), values: Float64Array.from([NaN, NaN]), replaces: false };
    const items = [series[0], broken, { ...series[2], index: 2 }];
    const out = await forecastInOrder(stream(items), { forecast: options, workers: 2 });
    expect(out.map((o) => o.id)).toEqual(['s0', 'broken', 's2']);
    expect(out[1]).toMatchObject({ error: expect.stringMatching(/broken: no finite values/) });
  });

  it('forecasts a single series in this thread', async () => {
    const out = await forecastInOrder(stream([series[0]]), { forecast: options, workers: 4 });
    expect(out).toEqual([forecastOne({ id: 's0', timestamps: series[0].timestamps, values: series[0].values, options })]);
  });
});
