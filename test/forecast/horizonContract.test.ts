import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { forecastSeries } from '../../src/forecast/forecastSeries.js';
import { Prng } from '../../src/demo/prng.js';

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;

/** `n` points `stepOf(i)` apart ending before 2026-11-01, values from `f` plus unit noise. */
function series(n: number, timeOf: (i: number) => number, f: (i: number) => number, seed = 1) {
  const rng = new Prng(seed);
  return {
    timestamps: Float64Array.from({ length: n }, (_, i) => timeOf(i)),
    values: Float64Array.from({ length: n }, (_, i) => f(i) + rng.normal()),
  };
}

function expectSane(f: ReturnType<typeof forecastSeries>, n: number) {
  expect(f.point).toHaveLength(n);
  expect(f.timestamps).toHaveLength(n);
  expect(f.point.every(Number.isFinite)).toBe(true);
  for (const iv of f.intervals) {
    expect(iv.lower).toHaveLength(n);
    for (let k = 0; k < n; k++) {
      expect(iv.lower[k]).toBeLessThanOrEqual(f.point[k]);
      expect(iv.upper[k]).toBeGreaterThanOrEqual(f.point[k]);
    }
  }
}

describe('--horizon N: exactly N points at the series’ own interval', () => {
  it('hourly data with daily and weekly cycles: 336 hours, not 14 daily peaks', () => {
    const s = series(24 * 60, (i) => Date.UTC(2026, 8, 1) + i * H, (i) => 100 + 30 * Math.sin((2 * Math.PI * i) / 24) + ((Math.floor(i / 24) + 2) % 7 < 2 ? -40 : 0));
    const f = forecastSeries(s, { horizonSteps: 336 });
    expectSane(f, 336);
    expect(f.aggregation.kind).toBe('raw');
    expect(f.stepMs).toBe(H);
    expect(f.timestamps[0]).toBe(s.timestamps[s.timestamps.length - 1] + H);
    expect(f.timestamps[335] - f.timestamps[0]).toBe(335 * H);
    expect(f.periods).toEqual([24, 168]);
  });

  it('half-hourly data: 48 half-hours', () => {
    const s = series(48 * 30, (i) => Date.UTC(2026, 9, 1) + i * 30 * MIN, (i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 48));
    const f = forecastSeries(s, { horizonSteps: 48 });
    expectSane(f, 48);
    expect(f.stepMs).toBe(30 * MIN);
  });

  it('a duration horizon on sub-daily data may switch to daily peaks, and says so', () => {
    const s = series(24 * 60, (i) => Date.UTC(2026, 8, 1) + i * H, (i) => 100 + 0.01 * i + 30 * Math.sin((2 * Math.PI * i) / 24));
    const f = forecastSeries(s, { horizonMs: 30 * DAY });
    expect(f.aggregation).toEqual({ kind: 'max', bucketMs: DAY });
    expect(f.point).toHaveLength(30);
  });

  it('refuses a peak aggregation with a step count, naming the series, instead of returning other steps', () => {
    const s = series(24 * 30, (i) => Date.UTC(2026, 9, 1) + i * H, () => 10);
    expect(() => forecastSeries({ id: 'web-1', ...s }, { horizonSteps: 24, aggregation: 'max' })).toThrow(UsageError);
    expect(() => forecastSeries({ id: 'web-1', ...s }, { horizonSteps: 24, aggregation: 'max' })).toThrow(/web-1.*duration/);
  });

  it('yearly data: calendar years', () => {
    const s = series(98, (i) => Date.UTC(1875 + i, 0, 1), (i) => 580 - 0.02 * i + 2 * Math.sin(i / 3));
    const f = forecastSeries(s, { horizonSteps: 10 });
    expectSane(f, 10);
    expect(new Date(f.timestamps[0]).toISOString().slice(0, 10)).toBe('1973-01-01');
    expect(new Date(f.timestamps[9]).toISOString().slice(0, 10)).toBe('1982-01-01');
  });

  it('decennial data (a census): ten-year steps', () => {
    const s = series(16, (i) => Date.UTC(1790 + 10 * i, 0, 1), (i) => 4 * Math.exp(0.3 * i) * 10);
    const f = forecastSeries(s, { horizonSteps: 3 });
    expectSane(f, 3);
    expect(new Date(f.timestamps[2]).getUTCFullYear()).toBe(1970);
  });

  it('per-minute data with no seasonality', () => {
    let level = 100;
    const rng = new Prng(7);
    const s = { timestamps: Float64Array.from({ length: 90 }, (_, i) => Date.UTC(2020, 0, 1) + i * MIN), values: Float64Array.from({ length: 90 }, () => (level += 3 * rng.normal())) };
    const f = forecastSeries(s, { horizonSteps: 10 });
    expectSane(f, 10);
    expect(f.stepMs).toBe(MIN);
    expect(f.periods).toEqual([]);
  });

  it('daily data with no seasonality (a price)', () => {
    let level = 300;
    const rng = new Prng(9);
    const s = { timestamps: Float64Array.from({ length: 400 }, (_, i) => Date.UTC(1985, 0, 1) + i * DAY), values: Float64Array.from({ length: 400 }, () => (level += 2 * rng.normal())) };
    const f = forecastSeries(s, { horizonSteps: 30 });
    expectSane(f, 30);
    expect(f.stepMs).toBe(DAY);
  });
});

describe('series the models cannot handle get a documented fallback, never a failure', () => {
  it('a constant series', () => {
    const ts = Float64Array.from({ length: 50 }, (_, i) => Date.UTC(2026, 0, 1) + i * DAY);
    const f = forecastSeries({ timestamps: ts, values: new Float64Array(50).fill(7) }, { horizonSteps: 5 });
    expectSane(f, 5);
    expect([...f.point]).toEqual([7, 7, 7, 7, 7]);
  });

  it('three points', () => {
    const ts = Float64Array.from([0, 1, 2].map((i) => Date.UTC(2020 + i, 0, 1)));
    const f = forecastSeries({ timestamps: ts, values: Float64Array.from([1, 2, 3]) }, { horizonSteps: 2 });
    expectSane(f, 2);
    expect(f.fallbackReason).toMatch(/too short to backtest/);
  });

  it('gaps and NaNs', () => {
    const s = series(24 * 40, (i) => Date.UTC(2026, 8, 1) + i * H, (i) => 100 + 0.05 * i + 10 * Math.sin((2 * Math.PI * i) / 24));
    const keep = Array.from(s.timestamps, (_, i) => i % 97 !== 5 && (i < 200 || i > 260));
    const ts = s.timestamps.filter((_, i) => keep[i]);
    const vs = s.values.filter((_, i) => keep[i]).map((v, i) => (i % 53 === 0 ? NaN : v));
    const f = forecastSeries({ timestamps: ts, values: vs }, { horizonSteps: 48 });
    expectSane(f, 48);
    expect(f.data.gapCount).toBeGreaterThan(0);
  });
});
