import { describe, it, expect } from 'vitest';
import { medianInPlace, normalQuantile, studentTQuantile } from '../../src/models/stats.js';

describe('studentTQuantile', () => {
  // Reference values: standard t table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2, R's qt()).
  it.each([
    [0.975, 1, 12.706205],
    [0.975, 2, 4.302653],
    [0.975, 3, 3.182446],
    [0.995, 3, 5.840909],
    [0.9, 4, 1.533206],
    [0.975, 5, 2.570582],
    [0.9, 10, 1.372184],
    [0.025, 10, -2.228139],
    [0.975, 30, 2.042272],
    [0.975, 1000, 1.962339],
  ])('qt(%f, %d) = %f', (p, dof, ref) => {
    expect(studentTQuantile(p, dof)).toBeCloseTo(ref, 5);
  });
});

describe('medianInPlace', () => {
  it('odd, even and sorted inputs', () => {
    expect(medianInPlace(new Float64Array([5, 1, 4, 2, 3, 9, 0, 7]))).toBe(3.5);
    expect(medianInPlace(Float64Array.from({ length: 1001 }, (_, i) => i))).toBe(500);
    expect(medianInPlace(Float64Array.from({ length: 1000 }, (_, i) => 999 - i))).toBe(499.5);
    expect(medianInPlace(new Float64Array([2, 2, 2, 1, 2]))).toBe(2);
  });
});

describe('normalQuantile', () => {
  // Reference values: R qnorm().
  it.each([
    [0.975, 1.959963985],
    [0.9, 1.281551566],
    [0.995, 2.575829304],
    [0.5, 0],
    [0.001, -3.090232306],
    [0.02, -2.053748911],
    [0.99, 2.326347874],
  ])('qnorm(%f) = %f', (p, ref) => {
    expect(normalQuantile(p)).toBeCloseTo(ref, 8);
  });
});
