import { describe, it, expect } from 'vitest';
import { linear } from '../../src/models/linear.js';
import { detectChangepoints, piecewise } from '../../src/models/piecewise.js';
import { hourly, series } from './synthetic.js';

describe('piecewise', () => {
  it('finds a step on a flat series and forecasts flat at the new level', () => {
    // 100 for t < 140, 150 afterwards, noise sd 2
    const y = series(200, (t) => (t < 140 ? 100 : 150), 2, 51);
    const fm = piecewise.fit(y, hourly);
    const cps = fm.params.changepoints as number[];
    expect(cps.length).toBeGreaterThanOrEqual(1);
    expect(cps.some((c) => Math.abs(c - 140) <= 3)).toBe(true);
    expect(fm.params.segmentStart as number).toBeGreaterThanOrEqual(137);
    const f = fm.predict(100, [0.95]);
    expect(Math.abs(f.point[0] - 150)).toBeLessThan(2);
    expect(Math.abs(f.point[99] - 150)).toBeLessThan(8); // slope noise over 60 points, extrapolated 100
    expect(Math.abs(fm.params.slope as number)).toBeLessThan(0.08);
    // a global line instead bends the step into a spurious trend
    expect(linear.fit(y, hourly).predict(100, [0.95]).point[99]).toBeGreaterThan(175);
  });

  it('locates a slope change and continues the new slope', () => {
    const y = series(400, (t) => (t < 300 ? t : 300 + 3 * (t - 300)), 1, 52);
    const fm = piecewise.fit(y, hourly);
    const cps = fm.params.changepoints as number[];
    expect(cps.some((c) => Math.abs(c - 300) <= 3)).toBe(true);
    expect(fm.params.slope as number).toBeCloseTo(3, 1);
    expect(fm.predict(10, [0.8]).point[9]).toBeCloseTo(300 + 3 * 109, -1);
  });

  it('finds no changepoint in a plain noisy line (BIC), so it equals linear', () => {
    const y = series(500, (t) => 20 + 0.1 * t, 3, 53);
    expect(detectChangepoints(y)).toEqual([]);
    const a = piecewise.fit(y, hourly).predict(20, [0.9]);
    const b = linear.fit(y, hourly).predict(20, [0.9]);
    for (let k = 0; k < 20; k++) {
      expect(a.point[k]).toBeCloseTo(b.point[k], 8);
      expect(a.intervals[0].upper[k]).toBeCloseTo(b.intervals[0].upper[k], 8);
    }
  });

  it('recovers several noise-free breaks exactly and stops', () => {
    const y = series(600, (t) => (t < 200 ? 5 : t < 420 ? 50 + 0.5 * (t - 200) : 10));
    expect(detectChangepoints(y)).toEqual([200, 420]);
  });

  it('finds a slope change on 10,000 points', () => {
    const y = series(10_000, (t) => (t < 7000 ? 0.01 * t : 200 + 0.05 * (t - 7000)), 1, 54);
    const fm = piecewise.fit(y, hourly);
    expect((fm.params.changepoints as number[]).some((c) => Math.abs(c - 7000) <= 5)).toBe(true);
  });
});
