import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { fitAdditiveEts } from '../../src/models/etsAdditive.js';
import { fitMstlEts, mstlArima, mstlEts, mstlTheta, stlEts } from '../../src/models/mstlEts.js';
import { intervalAt } from '../../src/models/Forecast.js';
import { hourly, series } from './synthetic.js';

/**
 * R 4.2 / forecast 8.20 (fixtures/make-fixtures.R):
 *   stlf(y, h = 24, level = c(80, 95), etsmodel = "AAN", damped = TRUE) for AirPassengers, USAccDeaths, nottem;
 *   stlf(msts(taylor[1:1680], seasonal.periods = c(48, 336)), h = 336, level = c(80, 95), etsmodel = "AAN", damped = TRUE);
 * and the corpus's stlf(train, h, level = 80) (R's own ETS choice, fixtures/make-corpus.mjs).
 */
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/theta_stlf.json', import.meta.url), 'utf8'));
const arimaFixtures = JSON.parse(readFileSync(new URL('./fixtures/arima.json', import.meta.url), 'utf8'));
const corpus = JSON.parse(readFileSync(new URL('./fixtures/corpus.json', import.meta.url), 'utf8'));

function maxRelDiff(actual: ArrayLike<number>, expected: number[]): number {
  const scale = Math.max(...expected.map(Math.abs));
  let d = 0;
  for (let k = 0; k < expected.length; k++) d = Math.max(d, Math.abs(actual[k] - expected[k]) / scale);
  return d;
}

function maxHalfWidthDiff(lower: ArrayLike<number>, point: ArrayLike<number>, ref: { mean: number[]; lower: number[] }): number {
  let d = 0;
  for (let k = 0; k < ref.mean.length; k++) {
    const refHalf = ref.mean[k] - ref.lower[k];
    d = Math.max(d, Math.abs(point[k] - lower[k] - refHalf) / refHalf);
  }
  return d;
}

describe('mstl_ets matches R stlf with a damped additive ETS', () => {
  it.each(['AirPassengers', 'USAccDeaths', 'nottem'])('%s (period 12)', (name) => {
    const y = Float64Array.from(arimaFixtures.series[name] as number[]);
    const ref = fixtures.stlf[name];
    const f = fitMstlEts('mstl_ets', y, { periods: [12], stepMs: 1 }, 'Ad').predict(24, [0.8, 0.95]);
    expect(maxRelDiff(f.point, ref.mean)).toBeLessThan(2e-3);
    expect(maxHalfWidthDiff(intervalAt(f, 0.8)!.lower, f.point, { mean: ref.mean, lower: ref.lower80 })).toBeLessThan(0.06);
  });

  it('half-hourly electricity demand with daily and weekly periods (48, 336), a week ahead', () => {
    const y = Float64Array.from(fixtures.taylor1680 as number[]);
    const ref = fixtures.stlf.taylor1680;
    const fm = fitMstlEts('mstl_ets', y, { periods: [48, 336], stepMs: 1_800_000 }, 'Ad');
    expect(fm.params.periods).toEqual([48, 336]);
    const f = fm.predict(336, [0.8]);
    expect(maxRelDiff(f.point, ref.mean)).toBeLessThan(0.01);
    expect(maxHalfWidthDiff(f.intervals[0].lower, f.point, { mean: ref.mean, lower: ref.lower80 })).toBeLessThan(0.1);
  });

  it.each(Object.keys(corpus).filter((k) => corpus[k].methods.stlf))('real corpus %s: points within 4%% of R stlf (its ETS may differ in error type)', (name) => {
    const c = corpus[name];
    const f = mstlEts.fit(Float64Array.from(c.train), { periods: [c.freq], stepMs: 1 }).predict(c.h, [0.8]);
    expect(maxRelDiff(f.point, c.methods.stlf.mean)).toBeLessThan(0.04);
  });
});

describe('mstl_ets as a capplan model', () => {
  it('carries a sharp two-period profile forward exactly when there is no noise', () => {
    // an intraday spike at 09:00 and a weekend dip: few Fourier terms cannot draw these
    const shape = (t: number) => 100 + (t % 24 === 9 ? 40 : 0) - (Math.floor(t / 24) % 7 >= 5 ? 25 : 0);
    const y = series(24 * 7 * 6, shape);
    const f = mstlEts.fit(y, hourly).predict(168, [0.8]);
    for (let k = 0; k < 168; k++) expect(Math.abs(f.point[k] - shape(y.length + k))).toBeLessThan(1.5);
  });

  it('without a usable period it is a plain ETS on the series', () => {
    const y = series(30, (t) => 10 + 2 * t, 0.5, 4);
    const fm = mstlEts.fit(y, hourly);
    expect(fm.params.periods).toEqual([]);
    expect(Math.abs(fm.predict(1, [0.8]).point[0] - 70)).toBeLessThan(2);
  });

  it('ETS(A,A,N) finds the line through a noise-free linear series', () => {
    const y = Float64Array.from({ length: 40 }, (_, t) => 5 + 3 * t);
    const f = fitAdditiveEts(y, 'A').forecast(2).mean;
    expect(f[0]).toBeCloseTo(125, 3);
    expect(f[1]).toBeCloseTo(128, 3);
  });

  it('refuses fewer than 4 points', () => {
    expect(() => mstlEts.fit(new Float64Array(3), hourly)).toThrow(ModelError);
  });
});

describe('stl_ets', () => {
  it('is mstl_ets on the shortest period only', () => {
    const y = series(24 * 7 * 4, (t) => 50 + 10 * Math.sin((2 * Math.PI * t) / 24) + 5 * Math.sin((2 * Math.PI * t) / 168), 1, 8);
    const single = stlEts.fit(y, hourly);
    expect(single.params.periods).toEqual([24]);
    expect(single.predict(48, [0.8])).toEqual(fitMstlEts('stl_ets', y, { periods: [24], stepMs: hourly.stepMs }).predict(48, [0.8]));
  });
});

/**
 * R 4.2 / forecast 8.20 (fixtures/make-fixtures.R): stlf(y, h = 24, level = c(80, 95), method = "arima") and
 * forecast(mstl(y), h = 24, level = c(80, 95), forecastfunction = <thetaf on the adjusted series, non-seasonal>).
 */
const decomposed = JSON.parse(readFileSync(new URL('./fixtures/decomposed.json', import.meta.url), 'utf8')).decomposed;

describe('mstl_arima and mstl_theta match R forecast.stl with auto.arima and thetaf', () => {
  it.each(['AirPassengers', 'USAccDeaths', 'nottem'])('%s', (name) => {
    const y = Float64Array.from(arimaFixtures.series[name] as number[]);
    const ctx = { periods: [12], stepMs: 1 };
    const arima = mstlArima.fit(y, ctx);
    expect(`STL +  ${arima.params.model}`).toBe(decomposed[`arima_${name}`].method);
    for (const [fm, ref] of [
      [arima, decomposed[`arima_${name}`]],
      [mstlTheta.fit(y, ctx), decomposed[`theta_${name}`]],
    ] as const) {
      const f = fm.predict(24, [0.8, 0.95]);
      expect(maxRelDiff(f.point, ref.mean)).toBeLessThan(1e-3);
      expect(maxHalfWidthDiff(intervalAt(f, 0.95)!.lower, f.point, { mean: ref.mean, lower: ref.lower95 })).toBeLessThan(0.01);
    }
  });
});
