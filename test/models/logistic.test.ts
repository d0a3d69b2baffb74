import { describe, it, expect } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { logistic } from '../../src/models/logistic.js';
import { hourly, series } from './synthetic.js';

const curve = (K: number, r: number, t0: number) => (t: number) => K / (1 + Math.exp(-r * (t - t0)));

describe('logistic', () => {
  it('recovers K, rate and midpoint of a noise-free logistic', () => {
    const y = series(300, curve(1000, 0.05, 150));
    const fm = logistic.fit(y, hourly);
    expect(Math.abs((fm.params.capacity as number) / 1000 - 1)).toBeLessThan(0.01);
    expect(fm.params.rate as number).toBeCloseTo(0.05, 3);
    expect(fm.params.midpoint as number).toBeCloseTo(150, 0);
    const f = fm.predict(500, [0.95]);
    expect(f.point[499]).toBeLessThan(fm.params.capacity as number);
    expect(f.point[499]).toBeGreaterThan(990);
  });

  it('recovers K within a few percent with noise, even before the plateau', () => {
    // data end at t = 260 where the curve is at 94% of K
    const y = series(260, curve(500, 0.04, 190), 5, 61).map((v) => Math.max(v, 1));
    const fm = logistic.fit(y, hourly);
    expect(Math.abs((fm.params.capacity as number) / 500 - 1)).toBeLessThan(0.05);
    const f = fm.predict(300, [0.8, 0.95]);
    // flattens: the last 100 steps move less than 2% of K
    expect(Math.abs(f.point[299] - f.point[199])).toBeLessThan(10);
    expect(f.intervals[1].upper[299] - f.intervals[1].lower[299]).toBeGreaterThan(0);
  });

  it('refuses a straight line and accelerating growth with ModelError', () => {
    expect(() => logistic.fit(series(300, (t) => 10 + t, 2, 62), hourly)).toThrow(/no saturation evident/);
    expect(() => logistic.fit(series(300, (t) => Math.exp(t / 60)), hourly)).toThrow(ModelError);
    expect(() => logistic.fit(new Float64Array(50).fill(7), hourly)).toThrow(/no saturation evident/);
  });

  it('refuses non-positive data', () => {
    const y = series(100, curve(100, 0.1, 50));
    y[3] = -1;
    expect(() => logistic.fit(y, hourly)).toThrow(/positive values; point 3/);
  });
});
