import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { intervalAt } from '../../src/models/Forecast.js';
import type { Model } from '../../src/models/Model.js';
import { logTransformed } from '../../src/models/logTransformed.js';
import { fitMstlEts, mstlArima } from '../../src/models/mstlEts.js';

/**
 * R 4.2 / forecast 8.20 (fixtures/make-log.R), for AirPassengers and UKgas:
 *   stlf(y, h = 24, lambda = 0, etsmodel = "AAN", damped = TRUE, level = c(80, 95))
 *   stlf(y, h = 24, lambda = 0, method = "arima", level = c(80, 95))
 * Box-Cox with λ = 0 is the log; R back-transforms the median (biasadj = FALSE) and both bounds.
 */
const ref = JSON.parse(readFileSync(new URL('./fixtures/log.json', import.meta.url), 'utf8'));

const dampedStlf: Model = { alias: 'stlf_damped', minLength: () => 4, fit: (y, ctx) => fitMstlEts('stlf_damped', y, ctx, 'Ad') };

function maxRelDiff(actual: ArrayLike<number>, expected: number[]): number {
  let d = 0;
  for (let k = 0; k < expected.length; k++) d = Math.max(d, Math.abs(actual[k] - expected[k]) / Math.abs(expected[k]));
  return d;
}

describe('log(model) matches R stlf with lambda = 0', () => {
  // The damped ETS's likelihood is flat near its optimum (the untransformed reference test allows as much).
  it.each([
    ['ets', dampedStlf, 1e-2, 3e-2],
    ['arima', mstlArima, 2e-3, 5e-3],
  ] as const)('%s on AirPassengers and UKgas', (kind, inner, pointTol, boundTol) => {
    for (const name of ['AirPassengers', 'UKgas']) {
      const r = ref[`${kind}_${name}`];
      const fm = logTransformed(inner).fit(Float64Array.from(r.series as number[]), { periods: [r.freq], stepMs: 1 });
      if (kind === 'arima') expect(`STL +  ${fm.params.model}`).toBe(r.method);
      const f = fm.predict(24, [0.8, 0.95]);
      expect(maxRelDiff(f.point, r.mean)).toBeLessThan(pointTol);
      expect(maxRelDiff(intervalAt(f, 0.8)!.lower, r.lower80)).toBeLessThan(boundTol);
      expect(maxRelDiff(intervalAt(f, 0.95)!.upper, r.upper95)).toBeLessThan(boundTol);
    }
  });
});

describe('log(model) as a capplan model', () => {
  it('draws a seasonal swing proportional to the level, which the same model on the original scale cannot', () => {
    // y = level · season, level growing 2% a cycle: additive on the log scale, multiplicative here.
    const m = 12;
    const n = 12 * 10;
    const season = (t: number) => 1 + 0.4 * Math.sin((2 * Math.PI * t) / m);
    const y = Float64Array.from({ length: n + 24 }, (_, t) => 100 * Math.pow(1.02, t / m) * season(t));
    const ctx = { periods: [m], stepMs: 1 };
    const err = (model: Model) => {
      const f = model.fit(y.subarray(0, n), ctx).predict(24, [0.8]).point;
      let e = 0;
      for (let k = 0; k < 24; k++) e += Math.abs(f[k] - y[n + k]);
      return e / 24;
    };
    expect(err(logTransformed(dampedStlf))).toBeLessThan(0.5 * err(dampedStlf));
    expect(logTransformed(dampedStlf).fit(y.subarray(0, n), ctx).alias).toBe('log(stlf_damped)');
  });

  it('refuses a series with a value of zero or below, naming the point', () => {
    expect(() => logTransformed(mstlArima).fit(Float64Array.from([3, 2, 0, 4, 5, 6, 7, 8, 9]), { periods: [], stepMs: 1 })).toThrow(new ModelError('log(mstl_arima)', 'the log needs positive values; point 2 is 0'));
  });
});
