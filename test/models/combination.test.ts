import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { ModelError } from '../../src/errors.js';
import type { Forecast } from '../../src/models/Forecast.js';
import type { Model } from '../../src/models/Model.js';
import { combineForecasts, comboMedian, medianCombination } from '../../src/models/combination.js';
import { hourly } from './synthetic.js';

/**
 * Reference: the median, step by step, of R's own ETS-family, ARIMA and Theta forecasts for the real corpus
 * (R 4.2 / forecast 8.20: stlf(train, h) for seasonal series or ets(train), auto.arima(train), thetaf(train);
 * fixtures/make-corpus.mjs copies them from ../shared/eval/reference).
 */
const corpus = JSON.parse(readFileSync(new URL('./fixtures/corpus.json', import.meta.url), 'utf8'));

const forecast = (point: number[], lower: number[], upper: number[]): Forecast => ({
  point: Float64Array.from(point),
  intervals: [{ level: 0.8, lower: Float64Array.from(lower), upper: Float64Array.from(upper) }],
});

describe('combineForecasts', () => {
  it('takes the median of points and of each bound separately', () => {
    const f = combineForecasts(
      [forecast([1, 10], [0, 5], [2, 20]), forecast([3, 30], [2, 1], [9, 31]), forecast([2, 20], [1, 19], [4, 21])],
      2,
      [0.8],
    );
    expect(Array.from(f.point)).toEqual([2, 20]);
    expect(Array.from(f.intervals[0].lower)).toEqual([1, 5]);
    expect(Array.from(f.intervals[0].upper)).toEqual([4, 21]);
  });

  it('keeps lower ≤ point ≤ upper and nested levels for any members that do', () => {
    const member = fc
      .array(fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e3, noNaN: true }), fc.double({ min: 0, max: 1e3, noNaN: true })), { minLength: 3, maxLength: 3 })
      .map((steps) => ({
        point: Float64Array.from(steps, ([p]) => p),
        intervals: [
          { level: 0.8, lower: Float64Array.from(steps, ([p, a]) => p - a), upper: Float64Array.from(steps, ([p, , b]) => p + b) },
          { level: 0.95, lower: Float64Array.from(steps, ([p, a]) => p - 2 * a), upper: Float64Array.from(steps, ([p, , b]) => p + 2 * b) },
        ],
      }));
    fc.assert(
      fc.property(fc.array(member, { minLength: 1, maxLength: 5 }), (members) => {
        const f = combineForecasts(members, 3, [0.8, 0.95]);
        const [i80, i95] = f.intervals;
        for (let k = 0; k < 3; k++) {
          if (!(i95.lower[k] <= i80.lower[k] && i80.lower[k] <= f.point[k] && f.point[k] <= i80.upper[k] && i80.upper[k] <= i95.upper[k])) return false;
        }
        return true;
      }),
    );
  });
});

describe('combo_median', () => {
  it.each(Object.keys(corpus))('real corpus %s: within 3.5%% of the median of R ETS/stlf, auto.arima and thetaf', (name) => {
    const c = corpus[name];
    const f = comboMedian.fit(Float64Array.from(c.train), { periods: c.freq > 1 ? [c.freq] : [], stepMs: 1 }).predict(c.h, [0.8]);
    const ets = c.methods.stlf ?? c.methods.ets;
    const scale = Math.max(...c.test.map(Math.abs));
    for (let k = 0; k < c.h; k++) {
      const rMedian = [ets.mean[k], c.methods.arima.mean[k], c.methods.theta.mean[k]].sort((a, b) => a - b)[1];
      expect(Math.abs(f.point[k] - rMedian) / scale, `${name}[${k}]`).toBeLessThan(0.035);
    }
  });

  it('on half-hourly demand with daily and weekly cycles it combines the decomposition-based members, as accurate as R stlf', () => {
    // fixtures/make-fixtures.R: stlf(msts(taylor[1:1680], seasonal.periods = c(48, 336)), h = 336, etsmodel = "AAN", damped = TRUE)
    const stlf = JSON.parse(readFileSync(new URL('./fixtures/theta_stlf.json', import.meta.url), 'utf8'));
    const truth = (JSON.parse(readFileSync(new URL('./fixtures/stl.json', import.meta.url), 'utf8')).series.taylor2016 as number[]).slice(1680);
    const fm = comboMedian.fit(Float64Array.from(stlf.taylor1680 as number[]), { periods: [48, 336], stepMs: 1_800_000 });
    expect(fm.params.members).toBe('mstl_ets,mstl_arima,mstl_theta');
    const f = fm.predict(336, [0.8]);
    const mae = (p: ArrayLike<number>) => truth.reduce((s, v, k) => s + Math.abs(v - p[k]), 0) / truth.length;
    expect(mae(f.point)).toBeLessThan(1.1 * mae(stlf.stlf.taylor1680.mean));
  });

  it('combines the members that accept a short series and names the one that refused', () => {
    const fm = comboMedian.fit(Float64Array.from([5, 6, 7, 8, 9]), hourly);
    expect(fm.params.refused).toBe('auto_arima');
    expect(fm.params.members).toBe('mstl_ets,theta');
    expect(fm.predict(3, [0.8]).point.length).toBe(3);
  });

  it('refuses only when every member refuses, with their reasons', () => {
    const never: Model = {
      alias: 'never',
      minLength: () => Number.POSITIVE_INFINITY,
      fit() {
        throw new ModelError('never', 'needs a season');
      },
    };
    const both = medianCombination('both', [never, never]);
    expect(() => both.fit(new Float64Array(10), hourly)).toThrow(/every member refused the series: .*needs a season/);
  });
});
