import { describe, it, expect } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { damped } from '../../src/models/damped.js';
import { etsAdd } from '../../src/models/etsAdd.js';
import { hourly, series } from './synthetic.js';

const daily = (t: number) => 10 * Math.sin((2 * Math.PI * t) / 24) + (t % 24 === 3 ? 7 : 0);

describe('ets_add', () => {
  it('reproduces a noise-free stationary seasonal series exactly', () => {
    // Classical decomposition of two identical seasons gives the exact indices and zero trend,
    // so every one-step error is 0 and any smoothing weights forecast the cycle exactly.
    const y = series(24 * 6, (t) => 100 + daily(t));
    const fm = etsAdd.fit(y, hourly);
    expect(fm.params.period).toBe(24);
    for (let t = 0; t < y.length; t++) expect(fm.fitted[t]).toBeCloseTo(y[t], 9);
    const f = fm.predict(48, [0.95]);
    for (let k = 0; k < 48; k++) {
      expect(f.point[k]).toBeCloseTo(100 + daily(144 + k), 9);
      expect(f.intervals[0].upper[k] - f.intervals[0].lower[k]).toBeCloseTo(0, 9);
    }
  });

  it('beats the non-seasonal damped model on a noisy seasonal holdout', () => {
    const all = series(24 * 30, (t) => 200 + 0.1 * t + 3 * daily(t), 3, 41);
    const train = all.subarray(0, 24 * 28);
    const rmse = (p: Float64Array) =>
      Math.sqrt(p.reduce((s, v, k) => s + (v - all[24 * 28 + k]) ** 2, 0) / p.length);
    const ets = rmse(etsAdd.fit(train, hourly).predict(48, [0.8]).point);
    const dmp = rmse(damped.fit(train, hourly).predict(48, [0.8]).point);
    expect(ets).toBeLessThan(6); // noise sd is 3
    expect(ets).toBeLessThan(dmp / 3);
  });

  it('parameters are admissible: 0 < β ≤ α < 1, 0 ≤ γ ≤ 1 - α, 0.8 ≤ φ ≤ 0.98', () => {
    const p = etsAdd.fit(series(24 * 20, (t) => 50 + daily(t), 2, 42), hourly).params as Record<string, number>;
    expect(p.alpha).toBeGreaterThan(0);
    expect(p.alpha).toBeLessThan(1);
    expect(p.beta).toBeLessThanOrEqual(p.alpha);
    expect(p.gamma).toBeLessThanOrEqual(1 - p.alpha);
    expect(p.phi).toBeGreaterThanOrEqual(0.8);
    expect(p.phi).toBeLessThanOrEqual(0.98);
  });

  it('needs a period and two seasons', () => {
    expect(etsAdd.minLength(hourly)).toBe(48);
    expect(() => etsAdd.fit(series(100, (t) => t), { periods: [], stepMs: 1 })).toThrow(ModelError);
    expect(() => etsAdd.fit(series(47, (t) => t), hourly)).toThrow(/two seasons/);
  });
});
