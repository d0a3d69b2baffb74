import { describe, it, expect } from 'vitest';
import { damped } from '../../src/models/damped.js';
import { hwFilter, hwVarianceMultipliers, type HwState } from '../../src/models/holtWinters.js';
import { hourly, series } from './synthetic.js';

/** Textbook Holt linear method, component form (fpp3 §8.2): ℓ_t = αy + (1-α)(ℓ+b), b_t = β*(ℓ_t-ℓ) + (1-β*)b. */
function holt(y: Float64Array, alpha: number, betaStar: number, l0: number, b0: number) {
  let l = l0;
  let b = b0;
  const fitted = new Float64Array(y.length);
  for (let t = 0; t < y.length; t++) {
    fitted[t] = l + b;
    const prev = l;
    l = alpha * y[t] + (1 - alpha) * (l + b);
    b = betaStar * (l - prev) + (1 - betaStar) * b;
  }
  return { l, b, fitted };
}

describe('damped', () => {
  const y = series(200, (t) => 50 + 0.8 * t + 5 * Math.sin(t / 9), 2, 31);
  const init = (): HwState => ({ level: 48, trend: 0.5, season: new Float64Array(1) });

  it('with φ → 1 the error-correction filter approaches Holt’s linear method (β = αβ*)', () => {
    const alpha = 0.4;
    const betaStar = 0.25;
    const ref = holt(y, alpha, betaStar, 48, 0.5);
    for (const [phi, tol] of [
      [1, 1e-9],
      [0.99999, 1e-2],
    ] as const) {
      const out: HwState = { level: 0, trend: 0, season: new Float64Array(1) };
      const fitted = new Float64Array(y.length);
      hwFilter(y, 'none', { alpha, beta: alpha * betaStar, gamma: 0, phi }, init(), out, fitted);
      for (let t = 0; t < y.length; t++) expect(Math.abs(fitted[t] - ref.fitted[t])).toBeLessThan(tol);
      expect(Math.abs(out.level - ref.l)).toBeLessThan(tol);
      expect(Math.abs(out.trend - ref.b)).toBeLessThan(tol);
    }
  });

  it('forecasts ℓ + (φ + … + φ^h)·b and flattens towards ℓ + bφ/(1-φ)', () => {
    const fm = damped.fit(series(200, (t) => 50 + 0.8 * t, 2, 32), hourly);
    const { level, trend, phi } = fm.params as { level: number; trend: number; phi: number };
    expect(phi).toBeGreaterThanOrEqual(0.8);
    expect(phi).toBeLessThanOrEqual(0.98);
    const f = fm.predict(2000, [0.8]);
    expect(f.point[0]).toBeCloseTo(level + phi * trend, 10);
    expect(f.point[2]).toBeCloseTo(level + (phi + phi ** 2 + phi ** 3) * trend, 10);
    expect(f.point[1999]).toBeCloseTo(level + (trend * phi) / (1 - phi), 6);
    // the fitted slope tracks the data's 0.8 per step
    expect(trend).toBeGreaterThan(0.5);
    expect(trend).toBeLessThan(1.1);
  });

  it('variance multipliers match a hand computation of Hyndman et al. (2008) Table 6.1', () => {
    // α = 0.5, β = 0.1, φ = 0.9: c1 = 0.5 + 0.1·0.9 = 0.59, c2 = 0.5 + 0.1·1.71 = 0.671
    // v = 1, 1 + 0.59² = 1.3481, 1.3481 + 0.671² = 1.798341
    const p = { alpha: 0.5, beta: 0.1, gamma: 0.2, phi: 0.9 };
    const v = hwVarianceMultipliers(p, 1, false, 3);
    expect(v[0]).toBe(1);
    expect(v[1]).toBeCloseTo(1.3481, 12);
    expect(v[2]).toBeCloseTo(1.798341, 12);
    // with a season of m = 2, γ joins c_j at j = 2: c2 = 0.871 → v3 = 1.3481 + 0.758641 = 2.106741
    expect(hwVarianceMultipliers(p, 2, true, 3)[2]).toBeCloseTo(2.106741, 12);
  });

  it('fits an exact line almost exactly in the near term', () => {
    const line = series(300, (t) => 10 + 2 * t);
    const f = damped.fit(line, hourly).predict(5, [0.9]);
    // φ ≥ 0.8 bends the trend, but one step ahead it is within a step's growth
    expect(Math.abs(f.point[0] - 610)).toBeLessThan(2);
    expect(f.point[4]).toBeGreaterThan(f.point[0]);
  });
});
