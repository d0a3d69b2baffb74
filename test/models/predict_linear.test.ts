import { describe, it, expect } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { predictLinear1d, predictLinear30d, predictLinear7d } from '../../src/models/predictLinear.js';
import { hourly } from './synthetic.js';

describe('predict_linear', () => {
  it('predict_linear_1d = least squares over the last 24 hourly points (hand computation)', () => {
    // Prometheus predict_linear(v[1d], 4h) evaluated at the last sample: a range [1d] at a 1h
    // step holds the 24 samples in (t-1d, t]. Window values v_j = j + e_j, e_j = +1 (j even),
    // -1 (j odd), j = 0..23; everything before the window is junk and must be ignored.
    // By hand: x̄ = 11.5, Sxx = 24·(24²-1)/12 = 1150, Σ(j-x̄)e_j = -12 → Sxy = 1138,
    // slope = 1138/1150 = 0.98956522, ȳ = 11.5; value 4h ahead (x0 = 27):
    // 11.5 + 0.98956522·15.5 = 26.8382609.
    // SSE = Syy - Sxy²/Sxx = 1150 - 1138²/1150 = 23.8747826, s = sqrt(SSE/22) = 1.0417377;
    // se(x0=27) = s·sqrt(1 + 1/24 + 15.5²/1150) = 1.1649682; t(0.975, 22) = 2.0738731 (scipy t.ppf)
    // → 95% half-width 2.4159962.
    const junk = Array.from({ length: 50 }, (_, i) => 1e6 * ((i % 3) - 1));
    const win = Array.from({ length: 24 }, (_, j) => j + (j % 2 === 0 ? 1 : -1));
    const y = new Float64Array([...junk, ...win]);
    const fm = predictLinear1d.fit(y, hourly);
    expect(fm.params.window).toBe(24);
    expect(fm.params.slope as number).toBeCloseTo(1138 / 1150, 12);
    const f = fm.predict(4, [0.95]);
    expect(f.point[3]).toBeCloseTo(26.8382609, 6);
    expect(f.intervals[0].upper[3] - f.point[3]).toBeCloseTo(2.4159962, 5);
    expect(Number.isNaN(fm.fitted[49])).toBe(true);
    expect(fm.fitted[50]).toBeCloseTo(11.5 - (1138 / 1150) * 11.5, 10);
  });

  it('window sizes follow the step', () => {
    expect(predictLinear1d.minLength(hourly)).toBe(24);
    expect(predictLinear7d.minLength(hourly)).toBe(168);
    expect(predictLinear30d.minLength(hourly)).toBe(720);
    expect(predictLinear1d.minLength({ periods: [], stepMs: 300_000 })).toBe(288);
    // daily data: a 1d window holds a single sample, so no length is enough
    expect(predictLinear1d.minLength({ periods: [], stepMs: 86_400_000 })).toBe(Infinity);
    expect(() => predictLinear1d.fit(new Float64Array(100), { periods: [], stepMs: 86_400_000 })).toThrow(
      ModelError,
    );
    expect(() => predictLinear7d.fit(new Float64Array(100), hourly)).toThrow(/full 7d window \(168 points\)/);
  });

  it('follows the recent slope, not the whole history', () => {
    // flat for 30 days, then rising 2/h for the last 2 days
    const y = Float64Array.from({ length: 24 * 32 }, (_, t) => (t < 24 * 30 ? 100 : 100 + 2 * (t - 24 * 30)));
    expect(predictLinear1d.fit(y, hourly).params.slope as number).toBeCloseTo(2, 10);
    expect(predictLinear30d.fit(y, hourly).params.slope as number).toBeLessThan(0.5);
  });
});
