import { describe, expect, it } from 'vitest';
import type { BacktestWindow } from '../../src/forecast/backtest.js';
import { conformalIntervals, fewWindowsFactor } from '../../src/forecast/conformal.js';
import { Prng } from '../../src/demo/prng.js';

describe('conformal intervals', () => {
  it('reach the stated coverage out of sample on noise the model under-states', () => {
    // The model claims half-width 1 but errors are N(0, 3²): calibration must widen it ~3×.
    const rng = new Prng(9);
    const h = 50;
    const windows: BacktestWindow[] = Array.from({ length: 8 }, (_, w) => ({
      origin: 100 + w,
      actual: Float64Array.from({ length: h }, () => 3 * rng.normal()),
      point: new Float64Array(h),
      width: new Float64Array(h).fill(1),
      scale: 1,
    }));
    const c = conformalIntervals(windows, new Float64Array(h), new Float64Array(h).fill(1), [0.8, 0.95]);
    const achieved80 = c.coverage.find((x) => x.level === 0.8)?.achieved as number;
    expect(achieved80).toBeGreaterThan(0.72);
    expect(achieved80).toBeLessThan(0.9);
    // z(0.9) × 3 ≈ 3.84
    expect(c.intervals[0].upper[10]).toBeGreaterThan(3.84 * 0.75);
    expect(c.intervals[0].upper[10]).toBeLessThan(3.84 * 1.3);
    expect(c.intervals[1].upper[10]).toBeGreaterThan(c.intervals[0].upper[10]);
  });

  it('keeps the model width shape: the band grows where the model says it does', () => {
    const rng = new Prng(4);
    const h = 40;
    const width = Float64Array.from({ length: h }, (_, k) => Math.sqrt(k + 1));
    const windows: BacktestWindow[] = Array.from({ length: 6 }, (_, w) => ({
      origin: w, actual: Float64Array.from({ length: h }, (_, k) => width[k] * rng.normal()), point: new Float64Array(h), width, scale: 1,
    }));
    const c = conformalIntervals(windows, new Float64Array(h), width, [0.8]);
    expect(c.intervals[0].upper[h - 1]).toBeGreaterThan(2 * c.intervals[0].upper[0]);
  });
});

describe('honest widths where the backtest says little', () => {
  it('widens for few windows by the Student-t prediction factor, tending to 1 with many', () => {
    // t(2, 0.9) = 1.886, √(1 + 1/3) = 1.155, z(0.9) = 1.2816
    expect(fewWindowsFactor(3, 0.8)).toBeCloseTo((1.886 * Math.sqrt(4 / 3)) / 1.2816, 1);
    expect(fewWindowsFactor(4, 0.8)).toBeGreaterThan(fewWindowsFactor(10, 0.8));
    expect(fewWindowsFactor(200, 0.8)).toBeLessThan(1.01);
    expect(fewWindowsFactor(1, 0.8)).toBe(1);
  });

  it('keeps widening beyond the backtest reach at least in proportion to the steps ahead', () => {
    const hb = 10;
    const windows: BacktestWindow[] = Array.from({ length: 5 }, (_, w) => ({
      origin: w, actual: Float64Array.from({ length: hb }, () => (w % 2 ? 1 : -1)), point: new Float64Array(hb), width: new Float64Array(hb).fill(1), scale: 1,
    }));
    const h = 40;
    const c = conformalIntervals(windows, new Float64Array(h), new Float64Array(h).fill(1), [0.8]);
    const at = (k: number) => c.intervals[0].upper[k];
    expect(at(hb - 1)).toBeGreaterThan(0);
    expect(at(2 * hb - 1)).toBeCloseTo(2 * at(hb - 1), 9);
    expect(at(4 * hb - 1)).toBeCloseTo(4 * at(hb - 1), 9);
  });
});
