import { describe, it, expect } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { fourier } from '../../src/models/fourier.js';
import { linear } from '../../src/models/linear.js';
import { hourly, series } from './synthetic.js';

// Noise-free trend + daily (2 harmonics) + weekly (1 harmonic) cycle: inside the model's span,
// so least squares must reproduce it exactly, in sample and out.
const truth = (t: number) =>
  10 +
  0.1 * t +
  5 * Math.sin((2 * Math.PI * t) / 24) +
  2 * Math.cos((4 * Math.PI * t) / 24) +
  3 * Math.sin((2 * Math.PI * t) / 168);

describe('fourier', () => {
  it('reproduces a noise-free trend + daily + weekly series exactly', () => {
    const n = 168 * 3;
    const y = series(n, truth);
    const fm = fourier.fit(y, hourly);
    for (let i = 0; i < n; i++) expect(fm.fitted[i]).toBeCloseTo(y[i], 8);
    const f = fm.predict(336, [0.9]);
    for (let k = 0; k < 336; k++) expect(f.point[k]).toBeCloseTo(truth(n + k), 7);
    expect(fm.params.slope as number).toBeCloseTo(0.1, 10);
    expect(fm.params.intercept as number).toBeCloseTo(10, 8);
    expect(fm.params.periods).toEqual([24, 168]);
    expect(fm.params.harmonics).toEqual([3, 3]);
    expect(fm.params.sigma as number).toBeLessThan(1e-8);
  });

  it('drops a period not seen twice and still fits the daily cycle', () => {
    const n = 24 * 10; // 10 days < 2 weeks
    const y = series(n, (t) => 5 + 4 * Math.cos((2 * Math.PI * t) / 24));
    const fm = fourier.fit(y, hourly);
    expect(fm.params.periods).toEqual([24]);
    expect(fm.predict(24, [0.8]).point[0]).toBeCloseTo(9, 8); // t = 240 ≡ 0 mod 24
  });

  it('on a pure linear series its intervals match linear within the dof difference', () => {
    // With a zero seasonal signal the seasonal columns are nearly orthogonal to the trend,
    // so slope and point forecast must equal OLS's.
    const y = series(24 * 14, (t) => 3 + 0.2 * t, 1, 4);
    const a = fourier.fit(y, { periods: [24], stepMs: 3_600_000 });
    const b = linear.fit(y, hourly);
    expect(a.params.slope as number).toBeCloseTo(b.params.slope as number, 2);
    const fa = a.predict(48, [0.95]);
    const fb = b.predict(48, [0.95]);
    expect(Math.abs(fa.point[47] - fb.point[47])).toBeLessThan(1);
    const wa = fa.intervals[0].upper[47] - fa.intervals[0].lower[47];
    const wb = fb.intervals[0].upper[47] - fb.intervals[0].lower[47];
    expect(wa / wb).toBeGreaterThan(0.9);
    expect(wa / wb).toBeLessThan(1.1);
  });

  it('refuses without a seasonal period, and below two cycles', () => {
    expect(() => fourier.fit(series(100, (t) => t), { periods: [], stepMs: 1 })).toThrow(ModelError);
    expect(fourier.minLength(hourly)).toBe(48);
    expect(() => fourier.fit(series(47, (t) => t), hourly)).toThrow(/at least 48/);
  });

  it('fits 10,000 hourly points (speed is measured in npm run bench, not here)', () => {
    const y = series(10_000, truth, 2, 8);
    const f = fourier.fit(y, hourly).predict(720, [0.8, 0.95]);
    expect(f.point.every(Number.isFinite)).toBe(true);
  });
});
