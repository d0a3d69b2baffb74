import { describe, it, expect } from 'vitest';
import { naive } from '../../src/models/naive.js';
import { hourly } from './synthetic.js';

describe('naive', () => {
  it('repeats the last value with random-walk intervals (hand computation)', () => {
    // y = 1,3,2,5,4: residuals y_t - y_{t-1} = 2,-1,3,-1 → sigma = sqrt(15/4) (RMS, no dof correction).
    // 95% half-width at h = 1 is 1.959964·sqrt(3.75) = 3.795454; at h = 4 twice that.
    const fm = naive.fit(new Float64Array([1, 3, 2, 5, 4]), hourly);
    expect(fm.params.sigma as number).toBeCloseTo(Math.sqrt(3.75), 12);
    const f = fm.predict(4, [0.95]);
    expect(Array.from(f.point)).toEqual([4, 4, 4, 4]);
    expect(f.intervals[0].upper[0] - 4).toBeCloseTo(3.795454, 5);
    expect(4 - f.intervals[0].lower[3]).toBeCloseTo(2 * 3.795454, 5);
  });
});
