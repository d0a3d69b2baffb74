import { describe, it, expect } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { seasonalNaive } from '../../src/models/seasonalNaive.js';
import { hourly, series } from './synthetic.js';

describe('seasonal_naive', () => {
  it('repeats the last season and widens once per season (hand computation)', () => {
    // m = 4; y[i] - y[i-4] = 1 for i = 4..7, so sigma = 1 (RMS of residuals).
    // Forecast = last season 2,3,4,5 repeated; sd = 1 for h = 1..4, sqrt(2) for h = 5..8.
    const y = new Float64Array([1, 2, 3, 4, 2, 3, 4, 5]);
    const fm = seasonalNaive.fit(y, { periods: [4], stepMs: 1 });
    expect(fm.params.sigma).toBe(1);
    expect(Array.from(fm.fitted.slice(4))).toEqual([1, 2, 3, 4]);
    expect(Number.isNaN(fm.fitted[0])).toBe(true);
    const f = fm.predict(9, [0.95]);
    expect(Array.from(f.point)).toEqual([2, 3, 4, 5, 2, 3, 4, 5, 2]);
    const z = 1.959964; // normal 0.975 quantile
    const half = (k: number) => f.intervals[0].upper[k] - f.point[k];
    expect(half(0)).toBeCloseTo(z, 5);
    expect(half(3)).toBeCloseTo(z, 5);
    expect(half(4)).toBeCloseTo(z * Math.SQRT2, 5);
    expect(half(8)).toBeCloseTo(z * Math.sqrt(3), 5);
  });

  it('reproduces a noise-free daily cycle exactly with zero-width intervals', () => {
    const cycle = (t: number) => 100 + 40 * Math.sin((2 * Math.PI * t) / 24) + ((t % 24) === 9 ? 15 : 0);
    const y = series(24 * 5, cycle);
    const fm = seasonalNaive.fit(y, hourly);
    expect(fm.params.period).toBe(24);
    const f = fm.predict(48, [0.8]);
    for (let k = 0; k < 48; k++) {
      expect(f.point[k]).toBeCloseTo(cycle(120 + k), 10);
      expect(f.intervals[0].upper[k] - f.intervals[0].lower[k]).toBeCloseTo(0, 10);
    }
  });

  it('needs a period and two seasons', () => {
    expect(seasonalNaive.minLength(hourly)).toBe(48);
    expect(seasonalNaive.minLength({ periods: [], stepMs: 1 })).toBe(Infinity);
    expect(() => seasonalNaive.fit(series(100, (t) => t), { periods: [], stepMs: 1 })).toThrow(ModelError);
    expect(() => seasonalNaive.fit(series(47, (t) => t), hourly)).toThrow(/two seasons/);
  });
});
