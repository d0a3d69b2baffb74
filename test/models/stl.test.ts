import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { mstl, seasonalStrength, stl } from '../../src/models/stl.js';

/** R forecast 8.20 output; see fixtures/make-fixtures.R for the calls. */
const ref = JSON.parse(readFileSync(new URL('./fixtures/stl.json', import.meta.url), 'utf8'));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('stl', () => {
  it('matches R stl(AirPassengers, s.window = 11) to rounding', () => {
    const y = Float64Array.from(ref.series.AirPassengers as number[]);
    const fit = stl(y, 12, { sWindow: 11 });
    expect(maxAbsDiff(fit.seasonal, ref.stl_air.seasonal)).toBeLessThan(1e-6);
    expect(maxAbsDiff(fit.trend, ref.stl_air.trend)).toBeLessThan(1e-6);
    for (let t = 0; t < y.length; t++) expect(fit.seasonal[t] + fit.trend[t] + fit.remainder[t]).toBeCloseTo(y[t], 9);
  });

  it('refuses a series of two periods or fewer', () => {
    expect(() => stl(new Float64Array(24), 12, { sWindow: 11 })).toThrow(/two periods/);
  });
});

describe('mstl', () => {
  it('matches R mstl on half-hourly electricity demand with periods 48 and 336', () => {
    const y = Float64Array.from(ref.series.taylor2016 as number[]);
    const fit = mstl(y, [336, 48]);
    expect(fit.periods).toEqual([48, 336]);
    const scale = 30000; // demand is ~30,000 MW: agree to 1e-8 relative
    expect(maxAbsDiff(fit.trend, ref.mstl_taylor.trend) / scale).toBeLessThan(1e-8);
    expect(maxAbsDiff(fit.seasonals[0], ref.mstl_taylor.seasonal48) / scale).toBeLessThan(1e-8);
    expect(maxAbsDiff(fit.seasonals[1], ref.mstl_taylor.seasonal336) / scale).toBeLessThan(1e-8);
  });

  it('seasonal strength equals R forecast:::seas.heuristic(AirPassengers)', () => {
    const y = Float64Array.from(ref.series.AirPassengers as number[]);
    expect(seasonalStrength(mstl(y, [12]))[0]).toBeCloseTo(Number(ref.strength_air), 8);
  });

  it('drops periods of half the series or more, leaving the series as trend', () => {
    const y = Float64Array.from({ length: 40 }, (_, t) => t);
    const fit = mstl(y, [24]);
    expect(fit.periods).toEqual([]);
    expect(Array.from(fit.trend)).toEqual(Array.from(y));
  });
});
