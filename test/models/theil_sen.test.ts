import { describe, it, expect } from 'vitest';
import { linear } from '../../src/models/linear.js';
import { theilSen } from '../../src/models/theilSen.js';
import { hourly, prng, series } from './synthetic.js';

// ml-regression ships no types; load it untyped (as an independent reference only) rather than
// adding a project-wide ambient declaration.
const ML_REGRESSION: string = 'ml-regression';
type TheilSenCtor = new (x: number[], y: number[]) => { slope: number; intercept: number };

describe('theil_sen', () => {
  it('ignores a gross outlier (hand computation)', () => {
    // y = 1,2,3,4,100 at t = 0..4. Pairwise slopes: six pairs among the first four give 1,
    // pairs with the outlier give 24.75, 32.67, 48.5, 96 → median of 10 = 1.
    // Offsets y - t = 1,1,1,1,96 → intercept 1. OLS instead gives slope Sxy/Sxx = 200/10 = 20.
    const y = new Float64Array([1, 2, 3, 4, 100]);
    const fm = theilSen.fit(y, hourly);
    expect(fm.params.slope).toBe(1);
    expect(fm.params.intercept).toBe(1);
    expect(fm.predict(2, [0.9]).point).toEqual(new Float64Array([6, 7]));
    expect(linear.fit(y, hourly).params.slope as number).toBeCloseTo(20, 10);
  });

  it('agrees with ml-regression TheilSenRegression', async () => {
    const { TheilSenRegression } = (await import(ML_REGRESSION)) as { TheilSenRegression: TheilSenCtor };
    // n = 31: 465 pairs and 31 offsets, both odd, so median conventions cannot differ
    const rnd = prng(77);
    const y = series(31, (t) => 3 + 0.4 * t, 2, 6).map((v) => (rnd() < 0.15 ? v + 50 : v));
    const ref = new TheilSenRegression(Array.from(y, (_, i) => i), Array.from(y));
    const fm = theilSen.fit(y, hourly);
    expect(fm.params.slope as number).toBeCloseTo(ref.slope, 12);
    expect(fm.params.intercept as number).toBeCloseTo(ref.intercept, 12);
  });

  it('recovers the slope under 10% outliers on 10,000 points from a bounded sample of pairs', () => {
    const rnd = prng(5);
    const y = series(10_000, (t) => 500 + 0.25 * t, 10, 7).map((v) => (rnd() < 0.1 ? v * 3 : v));
    const fm = theilSen.fit(y, hourly);
    expect(fm.params.slope as number).toBeCloseTo(0.25, 2);
    expect(fm.params.pairsUsed).toBe((2000 * 1999) / 2);
  });
});
