import { describe, expect, it } from 'vitest';
import { applyLatestSlope, detectSlopeChange, longRunInflation, widenForSlope } from '../../src/forecast/slopeChanges.js';
import { Prng } from '../../src/demo/prng.js';

function noisy(n: number, f: (i: number) => number, sd: number, seed = 1): Float64Array {
  const rng = new Prng(seed);
  return Float64Array.from({ length: n }, (_, i) => f(i) + sd * rng.normal());
}

/** A straight line plus AR(1) noise of unit marginal sd: a wandering series with no change in it. */
function wandering(n: number, rho: number, seed: number): Float64Array {
  const rng = new Prng(seed);
  let e = 0;
  return Float64Array.from({ length: n }, (_, i) => {
    e = rho * e + Math.sqrt(1 - rho * rho) * rng.normal();
    return 100 + 0.5 * i + e;
  });
}

describe('detectSlopeChange', () => {
  it('finds growth that sped up 20 days before the end, near where it happened, with both slopes', () => {
    const y = noisy(200, (i) => 100 + 0.5 * i + (i >= 180 ? 2 * (i - 180) : 0), 1);
    const c = detectSlopeChange(y);
    expect(c).not.toBeNull();
    expect(Math.abs((c?.index ?? 0) - 180)).toBeLessThanOrEqual(4);
    expect(c?.slopeBefore).toBeCloseTo(0.5, 1);
    expect(c?.slopeAfter).toBeGreaterThan(2.2);
    expect(c?.slopeAfter).toBeLessThan(2.8);
    expect(c?.slopeAfterSe).toBeGreaterThan(0);
  });

  it('finds growth that slowed down', () => {
    const y = noisy(300, (i) => 100 + 2 * i - (i >= 270 ? 1.6 * (i - 270) : 0), 1, 2);
    const c = detectSlopeChange(y);
    expect(c?.slopeAfter).toBeLessThan(0.8);
  });

  it('says nothing for a straight line with noise, a pure random walk of small steps, or a weekly cycle', () => {
    for (let seed = 1; seed <= 10; seed++) expect(detectSlopeChange(noisy(200, (i) => 100 + 0.3 * i, 2, seed))).toBeNull();
    const weekly = noisy(210, (i) => 100 + 0.2 * i + 10 * (i % 7 < 2 ? -1 : 0.4), 0.5, 3);
    expect(detectSlopeChange(weekly, 7)).toBeNull();
  });

  it('finds a slowdown 14 points before the end in independent noise, which a flat 12 × log(n) charge found 4 times in 20', () => {
    // Daily peaks of a series that grew 3/day and slowed to 0.9/day two weeks ago, noise sd 8.
    let found = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const c = detectSlopeChange(noisy(274, (i) => 600 + 3 * i - (i >= 260 ? 2.1 * (i - 260) : 0), 8, seed));
      if (c && Math.abs(c.index - 260) <= 6 && c.slopeAfter < 2) found++;
    }
    expect(found).toBeGreaterThanOrEqual(15);
  });

  it('sees no change in straight lines with independent noise, and keeps the flat charge for wandering ones (ρ = 0.9)', () => {
    let independent = 0;
    let wanderingFound = 0;
    for (let seed = 1; seed <= 100; seed++) {
      if (detectSlopeChange(wandering(300, 0, seed))) independent++;
      if (detectSlopeChange(wandering(300, 0.9, seed))) wanderingFound++;
    }
    expect(independent).toBe(0);
    // The flat 12 × log(n) charge finds 3 in these 100; the inflation's cap keeps that bar.
    expect(wanderingFound).toBeLessThanOrEqual(3);
  });

  it('needs the new regime to hold for at least minSegment points', () => {
    const y = noisy(100, (i) => (i >= 95 ? 10 * (i - 95) : 0), 0.1);
    const c = detectSlopeChange(y, 1, 12, 10);
    expect(c === null || c.index <= 90).toBe(true);
  });
});

describe('longRunInflation', () => {
  it('is about 1 for independent residuals and about (1 + ρ)/(1 − ρ) for AR(1) ones', () => {
    const white = wandering(2000, 0, 5).map((v, i) => v - 100 - 0.5 * i);
    const ar = wandering(2000, 0.8, 6).map((v, i) => v - 100 - 0.5 * i);
    expect(longRunInflation(white)).toBeGreaterThan(0.9);
    expect(longRunInflation(white)).toBeLessThan(1.2);
    expect(longRunInflation(ar)).toBeGreaterThan(7);
    expect(longRunInflation(ar)).toBeLessThan(11);
  });
});

describe('applyLatestSlope', () => {
  it('re-slopes the history before the change so it continues the new trend, leaving the new regime untouched', () => {
    const y = Float64Array.from({ length: 50 }, (_, i) => (i < 40 ? i : 40 + 3 * (i - 40)));
    const out = applyLatestSlope(y, { index: 40, slopeBefore: 1, slopeAfter: 3, slopeAfterSe: 0 });
    for (let i = 0; i < 50; i++) expect(out[i]).toBeCloseTo(40 + 3 * (i - 40), 9);
  });
});

describe('widenForSlope', () => {
  it('adds k·z·se in quadrature, so the band grows with the steps ahead', () => {
    const point = new Float64Array([10, 10, 10]);
    const lower = new Float64Array([9, 9, 9]);
    const upper = new Float64Array([11, 11, 11]);
    widenForSlope(point, lower, upper, 1, 1);
    expect([...upper]).toEqual([10 + Math.hypot(1, 1), 10 + Math.hypot(1, 2), 10 + Math.hypot(1, 3)]);
    expect([...lower]).toEqual([10 - Math.hypot(1, 1), 10 - Math.hypot(1, 2), 10 - Math.hypot(1, 3)]);
  });
});
