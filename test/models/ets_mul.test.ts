import { describe, it, expect } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { etsAdd } from '../../src/models/etsAdd.js';
import { etsMul } from '../../src/models/etsMul.js';
import { hourly, series } from './synthetic.js';

const shape = (t: number) => 1 + 0.4 * Math.sin((2 * Math.PI * t) / 24);

describe('ets_mul', () => {
  it('reproduces a noise-free multiplicative cycle exactly', () => {
    // Indices y/centre over two identical seasons are exact (mean 1), so one-step errors are 0.
    const y = series(24 * 5, (t) => 300 * shape(t));
    const fm = etsMul.fit(y, hourly);
    const f = fm.predict(30, [0.8]);
    for (let k = 0; k < 30; k++) expect(f.point[k]).toBeCloseTo(300 * shape(120 + k), 8);
  });

  it('beats ets_add when the swing grows with the level, and its band scales with the peak', () => {
    const all = series(24 * 30, (t) => (100 + 1.5 * t) * shape(t) * (1 + 0.01 * Math.sin(t * 7.3)), 0, 1);
    const train = all.subarray(0, 24 * 28);
    const rmse = (p: Float64Array) =>
      Math.sqrt(p.reduce((s, v, k) => s + (v - all[24 * 28 + k]) ** 2, 0) / p.length);
    const fMul = etsMul.fit(train, hourly).predict(48, [0.8]);
    const fAdd = etsAdd.fit(train, hourly).predict(48, [0.8]);
    expect(rmse(fMul.point)).toBeLessThan(rmse(fAdd.point));
    // width at the daily peak (phase 6) exceeds width at the trough (phase 18) the same day
    const width = (k: number) => fMul.intervals[0].upper[k] - fMul.intervals[0].lower[k];
    const kPeak = 6; // train ends at t = 671 ≡ 23, so k = 6 is t ≡ 6 (sin = 1)
    const kTrough = 18;
    expect(width(kPeak) / width(kTrough)).toBeGreaterThan(1.5);
  });

  it('refuses non-positive data with a ModelError that says why', () => {
    const y = series(24 * 5, (t) => 300 * shape(t));
    y[50] = 0;
    expect(() => etsMul.fit(y, hourly)).toThrow(ModelError);
    expect(() => etsMul.fit(y, hourly)).toThrow(/positive values; point 50 is 0/);
  });
});
