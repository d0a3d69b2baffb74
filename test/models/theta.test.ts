import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { fitSes, seasonalByAcf, theta } from '../../src/models/theta.js';
import { intervalAt } from '../../src/models/Forecast.js';
import { series } from './synthetic.js';

/**
 * R 4.2 / forecast 8.20: thetaf(y, h = 24, level = c(80, 95)) for six series (fixtures/make-fixtures.R), and
 * thetaf(train, h, level = 80) for the 17 series of the real corpus (fixtures/make-corpus.mjs copies them).
 */
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/theta_stlf.json', import.meta.url), 'utf8'));
const arimaFixtures = JSON.parse(readFileSync(new URL('./fixtures/arima.json', import.meta.url), 'utf8'));
const corpus = JSON.parse(readFileSync(new URL('./fixtures/corpus.json', import.meta.url), 'utf8'));
const FREQ: Record<string, number> = { AirPassengers: 12, WWWusage: 1, LakeHuron: 1, lynx: 1, USAccDeaths: 12, nottem: 12 };

function expectClose(actual: ArrayLike<number>, expected: number[], rel: number, what: string) {
  const scale = Math.max(...expected.map(Math.abs));
  for (let k = 0; k < expected.length; k++) expect(Math.abs(actual[k] - expected[k]) / scale, `${what}[${k}]`).toBeLessThan(rel);
}

describe('theta matches R thetaf', () => {
  it.each(Object.keys(FREQ))('%s: point forecasts and 80/95 percent intervals', (name) => {
    const y = Float64Array.from(arimaFixtures.series[name] as number[]);
    const ref = fixtures.theta[name];
    const f = theta.fit(y, { periods: FREQ[name] > 1 ? [FREQ[name]] : [], stepMs: 1 }).predict(24, [0.8, 0.95]);
    expectClose(f.point, ref.mean, 1e-4, `${name} mean`);
    expectClose(intervalAt(f, 0.8)!.lower, ref.lower80, 1e-4, `${name} lower80`);
    expectClose(intervalAt(f, 0.95)!.upper, ref.upper95, 1e-4, `${name} upper95`);
  });

  it.each(Object.keys(corpus))('real corpus %s: held-out forecasts and 80 percent interval', (name) => {
    const c = corpus[name];
    const f = theta.fit(Float64Array.from(c.train), { periods: c.freq > 1 ? [c.freq] : [], stepMs: 1 }).predict(c.h, [0.8]);
    expectClose(f.point, c.methods.theta.mean, 1e-3, `${name} mean`);
    expectClose(f.intervals[0].upper, c.methods.theta.upper, 1e-3, `${name} upper80`);
  });
});

describe('theta pieces', () => {
  it('SES reproduces R ses(WWWusage): alpha at its 0.9999 bound, level 87.705, sigma² 33.986', () => {
    const s = fitSes(Float64Array.from(arimaFixtures.series.WWWusage as number[]));
    expect(s.alpha).toBeCloseTo(0.9999, 6);
    expect(s.sigma2).toBeCloseTo(33.98596, 2); // R stops at α = 0.9998999
  });

  it('finds seasonality in AirPassengers and none in white noise', () => {
    expect(seasonalByAcf(Float64Array.from(arimaFixtures.series.AirPassengers as number[]), 12)).toBe(true);
    expect(seasonalByAcf(series(120, () => 10, 1, 3), 12)).toBe(false);
  });

  it('a straight line is extrapolated at half its slope plus the SES level catch-up', () => {
    // on y = t, SES with α ≈ 1 sits on the last point, and the drift is half the slope
    const y = Float64Array.from({ length: 50 }, (_, t) => t);
    const f = theta.fit(y, { periods: [], stepMs: 1 }).predict(3, [0.8]);
    expect(f.point[0]).toBeCloseTo(49 + 0.5, 2);
    expect(f.point[2]).toBeCloseTo(49 + 1.5, 2);
  });

  it('refuses fewer than 4 points', () => {
    expect(() => theta.fit(new Float64Array([1, 2, 3]), { periods: [], stepMs: 1 })).toThrow(ModelError);
  });
});
