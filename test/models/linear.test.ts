import { describe, it, expect } from 'vitest';
import { linearRegression } from 'simple-statistics';
import { intervalAt } from '../../src/models/Forecast.js';
import { linear } from '../../src/models/linear.js';
import { hourly, series } from './synthetic.js';

describe('linear', () => {
  it('matches a hand-computed OLS fit and prediction interval', () => {
    // y = 1, 3, 2, 5, 4 at t = 0..4. By hand: x̄ = 2, ȳ = 3, Sxx = 10,
    // Sxy = (-2)(-2) + (-1)(0) + 0 + (1)(2) + (2)(1) = 8 → b = 0.8, a = 3 - 1.6 = 1.4.
    // Residuals: -0.4, 0.8, -1, 1.2, -0.6 → SSE = 3.6, s = sqrt(3.6/3) = 1.095445.
    // At x0 = 5 (h = 1): ŷ = 5.4; se = s·sqrt(1 + 1/5 + 9/10) = s·sqrt(2.1);
    // 95% half-width = t(0.975, 3)·se = 3.182446 · 1.587451 = 5.051977.
    const y = new Float64Array([1, 3, 2, 5, 4]);
    const fm = linear.fit(y, hourly);
    expect(fm.params.slope).toBeCloseTo(0.8, 12);
    expect(fm.params.intercept).toBeCloseTo(1.4, 12);
    expect(fm.params.sigma).toBeCloseTo(Math.sqrt(1.2), 12);
    [1.4, 2.2, 3.0, 3.8, 4.6].forEach((v, i) => expect(fm.fitted[i]).toBeCloseTo(v, 12));
    const f = fm.predict(2, [0.95]);
    expect(f.point[0]).toBeCloseTo(5.4, 12);
    expect(f.point[1]).toBeCloseTo(6.2, 12);
    const i95 = intervalAt(f, 0.95)!;
    expect(i95.upper[0] - f.point[0]).toBeCloseTo(5.051977, 5);
    expect(f.point[0] - i95.lower[0]).toBeCloseTo(5.051977, 5);
    // h = 2: x0 = 6, leverage 1 + 1/5 + 16/10 = 2.8
    expect(i95.upper[1] - f.point[1]).toBeCloseTo(3.182446 * Math.sqrt(1.2 * 2.8), 5);
  });

  it('agrees with simple-statistics linearRegression on a noisy series', () => {
    const y = series(1000, (t) => 7 - 0.03 * t, 2, 5);
    const ref = linearRegression(Array.from(y, (v, t) => [t, v]));
    const fm = linear.fit(y, hourly);
    expect(fm.params.slope).toBeCloseTo(ref.m, 10);
    expect(fm.params.intercept).toBeCloseTo(ref.b, 8);
    expect(fm.params.slope as number).toBeCloseTo(-0.03, 2);
  });

  it('intervals widen with the horizon (slope uncertainty)', () => {
    const fm = linear.fit(series(100, (t) => t, 1, 9), hourly);
    const i = fm.predict(500, [0.9]).intervals[0];
    expect(i.upper[499] - i.lower[499]).toBeGreaterThan(2 * (i.upper[0] - i.lower[0]));
  });
});
