import { describe, it, expect } from 'vitest';
import { drift } from '../../src/models/drift.js';
import { hourly } from './synthetic.js';

describe('drift', () => {
  it('matches the hand computation of slope, sigma and fpp3 drift intervals', () => {
    // y = 1,3,2,5,4 (T = 5): slope = (4-1)/4 = 0.75.
    // Residuals = differences (2,-1,3,-1) - 0.75 = 1.25,-1.75,2.25,-1.75; SSE = 12.75;
    // sigma² = 12.75 / (4 - 1) = 4.25.
    // h = 1: point 4.75, sd = sqrt(4.25·1·(1 + 1/4)) = 2.3048861;
    // h = 4: point 7,    sd = sqrt(4.25·4·(1 + 4/4)) = sqrt(34) = 5.8309519.
    const fm = drift.fit(new Float64Array([1, 3, 2, 5, 4]), hourly);
    expect(fm.params.slope).toBe(0.75);
    expect(fm.params.sigma as number).toBeCloseTo(Math.sqrt(4.25), 12);
    expect(fm.fitted[1]).toBe(1.75);
    const f = fm.predict(4, [0.95]);
    const z = 1.959964;
    expect(f.point[0]).toBe(4.75);
    expect(f.point[3]).toBe(7);
    expect(f.intervals[0].upper[0] - f.point[0]).toBeCloseTo(z * 2.3048861, 5);
    expect(f.point[3] - f.intervals[0].lower[3]).toBeCloseTo(z * 5.8309519, 5);
  });

  it('on an exact line forecasts the line with zero width', () => {
    const y = Float64Array.from({ length: 20 }, (_, t) => 5 - 2 * t);
    const f = drift.fit(y, hourly).predict(3, [0.9]);
    expect(Array.from(f.point)).toEqual([-35, -37, -39]);
    expect(f.intervals[0].upper[2]).toBe(-39);
  });
});
