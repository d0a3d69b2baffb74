import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstPassage } from '../../src/forecast/firstPassage.js';

const DAY = 86_400_000;

function linearCase(h: number, slope: number, halfWidth: (k: number) => number) {
  const ends = Float64Array.from({ length: h }, (_, k) => (k + 1) * DAY);
  const point = Float64Array.from({ length: h }, (_, k) => slope * (k + 1));
  return {
    ends,
    point,
    lower: point.map((v, k) => v - halfWidth(k)),
    upper: point.map((v, k) => v + halfWidth(k)),
    start: { t: 0, value: 0 },
  };
}

describe('firstPassage', () => {
  it('without noise, gives the band edges’ crossings: the comonotone paths are the band’s quantile curves', () => {
    const c = linearCase(200, 1, (k) => 0.2 * (k + 1));
    const limits = new Float64Array(200).fill(100);
    const r = firstPassage({ ...c, noise: 0, level: 0.8, limits });
    // The median path is the point forecast: 100 at day 100; the 10th-percentile date is the upper edge's (1.2/day).
    expect(r.p50! / DAY).toBeCloseTo(100, 0);
    expect(r.p10! / DAY).toBeCloseTo(100 / 1.2, 0);
    expect(r.p90! / DAY).toBeCloseTo(100 / 0.8, 0);
    expect(r.pNever).toBeLessThan(0.01); // only the far tail (z < −3.2) has not reached it by day 200
  });

  it('noise makes the realized path touch the limit earlier than its smooth course', () => {
    const c = linearCase(200, 1, () => 10);
    const limits = new Float64Array(200).fill(100);
    const smooth = firstPassage({ ...c, noise: 0, level: 0.8, limits });
    const noisy = firstPassage({ ...c, noise: 5, level: 0.8, limits });
    expect(noisy.p50!).toBeLessThan(smooth.p50! - 3 * DAY);
  });

  it('gives the share of paths that never reach the limit, and null quantiles where that share is larger', () => {
    const c = linearCase(100, 0, () => 12.8155);
    const limits = new Float64Array(100).fill(10);
    const r = firstPassage({ ...c, noise: 0, level: 0.8, limits });
    // A path's level is point + z·10: it reaches 10 iff z ≥ 1, about 16% of paths.
    expect(r.pNever).toBeCloseTo(0.84, 1);
    expect(r.p10).not.toBeNull();
    expect(r.p50).toBeNull();
    expect(r.p90).toBeNull();
  });

  it('draws the wobble from the residuals given: a rare large spike can cross first', () => {
    const c = linearCase(60, 0.1, () => 1);
    const limits = new Float64Array(60).fill(10);
    const residuals = Float64Array.from({ length: 100 }, (_, i) => (i === 0 ? 20 : 0));
    const r = firstPassage({ ...c, noise: 0.01, residuals, level: 0.8, limits });
    // About 1% of days spike by 20: within 60 days nearly half the paths have crossed.
    expect(r.pNever).toBeLessThan(0.7);
    expect(r.p10!).toBeLessThan(20 * DAY);
  });

  it('is deterministic and keeps p10 ≤ p50 ≤ p90; a lower limit never dates later', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 5, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true }), fc.double({ min: 20, max: 150, noNaN: true }), (slope, noise, cap) => {
        const c = linearCase(120, slope, (k) => 0.5 + 0.05 * k);
        const a = firstPassage({ ...c, noise, level: 0.8, limits: new Float64Array(120).fill(cap) });
        const b = firstPassage({ ...c, noise, level: 0.8, limits: new Float64Array(120).fill(cap) });
        expect(a).toEqual(b);
        const order = [a.p10, a.p50, a.p90].map((v) => v ?? Infinity);
        expect(order[0]).toBeLessThanOrEqual(order[1]);
        expect(order[1]).toBeLessThanOrEqual(order[2]);
        const lower = firstPassage({ ...c, noise, level: 0.8, limits: new Float64Array(120).fill(cap * 0.9) });
        expect(lower.p50 ?? Infinity).toBeLessThanOrEqual(a.p50 ?? Infinity);
      }),
      { numRuns: 30 },
    );
  });
});
