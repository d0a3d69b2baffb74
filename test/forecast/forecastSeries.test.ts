import { describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../../src/errors.js';
import { exhaustion } from '../../src/forecast/exhaustion.js';
import { forecastSeries } from '../../src/forecast/forecastSeries.js';
import { Prng } from '../../src/demo/prng.js';
import { generateFleet } from '../../src/demo/generateFleet.js';

const H = 3_600_000;
const DAY = 24 * H;
const END = Date.UTC(2026, 10, 24, 9);

describe('forecastSeries', () => {
  const fleet = generateFleet({ endMs: END, seed: 42, size: 'small' });

  it('dates the known disk crossing within a few days of the truth, with an interval around it', () => {
    const disk = fleet[0];
    const f = forecastSeries({ id: 'db-01', timestamps: disk.timestamps, values: disk.values }, { horizonMs: 180 * DAY });
    expect(f.aggregation).toEqual({ kind: 'max', bucketMs: DAY });
    const e = exhaustion(f, { capacity: disk.capacity, threshold: 1, direction: 'rising' });
    expect(e.status).toBe('within');
    const truth = disk.truth.crossingMs as number;
    expect(Math.abs((e.p50 as number) - truth)).toBeLessThan(4 * DAY);
    expect(e.p10 as number).toBeLessThanOrEqual(e.p50 as number);
    expect(e.p90 ?? Infinity).toBeGreaterThanOrEqual(e.p50 as number);
    expect(f.backtest.windows).toBeGreaterThanOrEqual(2);
    expect(f.backtest.coverage.find((c) => c.level === 0.8)?.achieved).toBeGreaterThan(0.5);
    expect(f.data).toMatchObject({ n: disk.values.length, missing: 0, stepMs: H });
  });

  it('says not within the horizon for the flat and shrinking disks', () => {
    for (const s of fleet.filter((x) => x.scenario === 'flat' || x.scenario === 'shrinking')) {
      const f = forecastSeries({ timestamps: s.timestamps, values: s.values }, { horizonMs: 180 * DAY });
      expect(exhaustion(f, { capacity: s.capacity, threshold: 1, direction: 'rising' }).status).toBe('beyond_horizon');
    }
  });

  it('forecasts monthly data by calendar month when the horizon is a count of steps', () => {
    const rng = new Prng(3);
    const ts = Float64Array.from({ length: 36 }, (_, m) => Date.UTC(2023, m, 1));
    const vs = Float64Array.from({ length: 36 }, (_, m) => 100 + 5 * m + rng.normal());
    const f = forecastSeries({ timestamps: ts, values: vs }, { horizonSteps: 12 });
    expect(f.timestamps).toHaveLength(12);
    expect(f.timestamps[0]).toBe(Date.UTC(2026, 0, 1));
    expect(f.timestamps[11]).toBe(Date.UTC(2026, 11, 1));
    expect(f.point[11]).toBeGreaterThan(325); // 100 + 5 × 47 = 335
    expect(f.point[11]).toBeLessThan(345);
  });

  it('intervals are ordered and nested for every level', () => {
    const s = fleet[2];
    const f = forecastSeries({ timestamps: s.timestamps, values: s.values }, { horizonMs: 30 * DAY, levels: [0.5, 0.95] });
    expect(f.intervals.map((i) => i.level)).toEqual([0.5, 0.8, 0.95]);
    for (let k = 0; k < f.point.length; k++) {
      for (let i = 0; i < f.intervals.length; i++) {
        expect(f.intervals[i].lower[k]).toBeLessThanOrEqual(f.point[k]);
        expect(f.intervals[i].upper[k]).toBeGreaterThanOrEqual(f.point[k]);
        if (i > 0) expect(f.intervals[i].upper[k]).toBeGreaterThanOrEqual(f.intervals[i - 1].upper[k]);
      }
    }
  });

  it('falls back with a recorded reason when the series is too short to backtest', () => {
    const ts = Float64Array.from({ length: 4 }, (_, i) => END + i * DAY);
    const f = forecastSeries({ timestamps: ts, values: Float64Array.from([1, 2, 3, 4]) }, { horizonSteps: 3 });
    expect(f.fallbackReason).toMatch(/too short to backtest/);
    expect(f.backtest.windows).toBe(0);
    expect(f.point).toHaveLength(3);
  });

  it('rejects unusable input with errors that name it', () => {
    const ts = Float64Array.from([END, END + H]);
    expect(() => forecastSeries({ id: 'cpu-7', timestamps: ts, values: Float64Array.from([NaN, NaN]) }, { horizonMs: DAY })).toThrow(DataError);
    expect(() => forecastSeries({ id: 'cpu-7', timestamps: ts, values: Float64Array.from([NaN, NaN]) }, { horizonMs: DAY })).toThrow(/cpu-7/);
    const ok = { timestamps: Float64Array.from([0, 1, 2, 3, 4], (i) => END + i * H), values: Float64Array.from([1, 2, 3, 4, 5]) };
    expect(() => forecastSeries(ok, { horizonMs: DAY, models: ['prophet'] })).toThrow(UsageError);
    expect(() => forecastSeries(ok, { horizonMs: DAY, levels: [1.5] })).toThrow(/between 0 and 1/);
  });

  it('is deterministic', () => {
    const s = fleet[4];
    const a = forecastSeries({ timestamps: s.timestamps, values: s.values }, { horizonMs: 60 * DAY });
    const b = forecastSeries({ timestamps: s.timestamps, values: s.values }, { horizonMs: 60 * DAY });
    expect(Array.from(a.point)).toEqual(Array.from(b.point));
    expect(a.model).toBe(b.model);
  });
});
