import { describe, expect, it } from 'vitest';
import { detectSeasonality } from '../../src/forecast/seasonality.js';
import { Prng } from '../../src/demo/prng.js';

const hourly = { kind: 'fixed', ms: 3_600_000 } as const;

function series(n: number, f: (i: number) => number, noise = 0.3): Float64Array {
  const rng = new Prng(1);
  return Float64Array.from({ length: n }, (_, i) => f(i) + noise * rng.normal());
}

describe('detectSeasonality', () => {
  it('finds the daily cycle of hourly data, and not a weekly one that is only its multiple', () => {
    const y = series(24 * 60, (i) => 0.01 * i + Math.sin((2 * Math.PI * i) / 24));
    expect(detectSeasonality(y, hourly).map((p) => p.period)).toEqual([24]);
  });

  it('finds daily and weekly cycles together', () => {
    const y = series(24 * 7 * 8, (i) => Math.sin((2 * Math.PI * i) / 24) + (Math.floor(i / 24) % 7 >= 5 ? -1.5 : 0));
    expect(detectSeasonality(y, hourly).map((p) => p.period)).toEqual([24, 168]);
  });

  it('finds nothing in a trend with noise, and needs two full cycles', () => {
    expect(detectSeasonality(series(24 * 30, (i) => 0.05 * i, 1), hourly)).toEqual([]);
    expect(detectSeasonality(series(30, (i) => Math.sin((2 * Math.PI * i) / 24), 0), hourly)).toEqual([]);
  });

  it('finds a yearly cycle in monthly data', () => {
    const y = series(48, (i) => 100 + i + 10 * Math.cos((2 * Math.PI * i) / 12), 1);
    expect(detectSeasonality(y, { kind: 'months', months: 1 }).map((p) => p.period)).toEqual([12]);
  });
});

describe('detectSeasonality: weekly cycles that only damp the daily one', () => {
  it('finds the week when weekends scale the business-hours plateau down', () => {
    const y = series(24 * 7 * 8, (i) => (i % 24 >= 9 && i % 24 < 18 ? 10 : 0) * (Math.floor(i / 24) % 7 >= 5 ? 0.7 : 1), 0.5);
    expect(detectSeasonality(y, hourly).map((p) => p.period)).toEqual([24, 168]);
  });
});
