import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { type ArimaOrder, fitArima } from '../../src/models/arima.js';
import { invertMa, polynomialRoots, rootsOutside } from '../../src/models/arimaPolynomials.js';
import { arimaName, autoArima, autoArimaFit } from '../../src/models/autoArima.js';
import { intervalAt } from '../../src/models/Forecast.js';
import { kpssStatistic, ndiffs, nsdiffs } from '../../src/models/unitRoot.js';
import { hourly, series } from './synthetic.js';

/** R 4.2 / forecast 8.20 output, made by fixtures/make-fixtures.R (each entry names its R call). */
const ref = JSON.parse(readFileSync(new URL('./fixtures/arima.json', import.meta.url), 'utf8'));
const stlRef = JSON.parse(readFileSync(new URL('./fixtures/stl.json', import.meta.url), 'utf8'));
const Z80 = 1.2815515655446004;

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
}

describe('differencing tests (R ndiffs / nsdiffs)', () => {
  it('agree with R on WWWusage, LakeHuron and AirPassengers', () => {
    const s = ref.series;
    expect(ndiffs(Float64Array.from(s.WWWusage))).toBe(stlRef.ndiffs_www);
    expect(ndiffs(Float64Array.from(s.LakeHuron))).toBe(stlRef.ndiffs_huron);
    const air = Float64Array.from(s.AirPassengers);
    expect(nsdiffs(air, 12)).toBe(stlRef.nsdiffs_air);
    const sdiff = air.subarray(12).map((v, i) => v - air[i]);
    expect(ndiffs(sdiff)).toBe(stlRef.ndiffs_air_sdiff);
  });

  it('KPSS is small for white noise and large for a random walk', () => {
    const noise = series(200, () => 0, 1, 5);
    const walk = new Float64Array(200);
    for (let t = 1; t < 200; t++) walk[t] = walk[t - 1] + noise[t];
    expect(kpssStatistic(noise, 3)).toBeLessThan(0.463);
    expect(kpssStatistic(walk, 3)).toBeGreaterThan(0.463);
  });
});

describe('ARIMA estimation matches R Arima()', () => {
  const orders: Record<string, ArimaOrder> = {
    www310: { p: 3, d: 1, q: 0, P: 0, D: 0, Q: 0, m: 1, constant: false },
    huron101: { p: 1, d: 0, q: 1, P: 0, D: 0, Q: 0, m: 1, constant: true },
    airline: { p: 0, d: 1, q: 1, P: 0, D: 1, Q: 1, m: 12, constant: false },
    wwwdrift: { p: 1, d: 1, q: 0, P: 0, D: 0, Q: 0, m: 1, constant: true },
  };
  it.each(Object.keys(orders))('%s: coefficients, log-likelihood, forecasts and 80 percent intervals', (name) => {
    const r = ref.fixed[name];
    const fit = fitArima(Float64Array.from(ref.series[r.y]), orders[name], 'CSS-ML');
    expect(fit, r.call).toBeDefined();
    const f = fit!;
    const mean = orders[name].constant ? [f.mean] : []; // intercept, or drift when d = 1
    const coef = [...f.ar, ...f.ma, ...f.sar, ...f.sma, ...mean];
    expect(coef.length).toBe(r.coef.length);
    for (let i = 0; i < coef.length; i++) expect(Math.abs(coef[i] - r.coef[i]), `${r.call} ${r.names[i]}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(r.coef[i])));
    // R keeps the differenced states in the filter with a large finite prior (1e6); we drop them exactly
    expect(Math.abs(f.loglik - r.loglik)).toBeLessThan(1e-2);
    expect(relErr(f.sigma2Unbiased, r.sigma2)).toBeLessThan(5e-3);
    const fc = f.forecast(24);
    for (let k = 0; k < 24; k++) {
      expect(relErr(fc.mean[k], r.forecast.mean[k])).toBeLessThan(1e-4);
      const half = Z80 * fc.sd[k];
      const refHalf = r.forecast.upper80[k] - r.forecast.mean[k];
      expect(relErr(half, refHalf)).toBeLessThan(5e-3);
    }
  });
});

describe('auto_arima matches R auto.arima()', () => {
  const periods: Record<string, number> = { AirPassengers: 12, WWWusage: 1, LakeHuron: 1, lynx: 1, USAccDeaths: 12, nottem: 12 };
  it.each(Object.keys(periods))('%s: same order, AICc, forecasts and intervals', (name) => {
    const r = ref.auto[name];
    const fit = autoArimaFit(Float64Array.from(ref.series[name]), periods[name]);
    expect(arimaName(fit.order), r.call).toBe(r.method);
    expect(Math.abs(fit.aicc - r.aicc)).toBeLessThan(0.01);
    const fc = fit.forecast(24);
    const scale = Math.max(...r.forecast.mean.map(Math.abs));
    for (let k = 0; k < 24; k++) {
      expect(Math.abs(fc.mean[k] - r.forecast.mean[k]) / scale).toBeLessThan(1e-3);
      const refHalf = r.forecast.upper80[k] - r.forecast.mean[k];
      expect(relErr(Z80 * fc.sd[k], refHalf)).toBeLessThan(0.01);
    }
  });

  it('the model forecasts AirPassengers as R does through the Model interface', () => {
    const fm = autoArima.fit(Float64Array.from(ref.series.AirPassengers), { periods: [12], stepMs: 30 * 86_400_000 });
    expect(fm.params.model).toBe('ARIMA(2,1,1)(0,1,0)[12]');
    const f = fm.predict(24, [0.8, 0.95]);
    const i95 = intervalAt(f, 0.95)!;
    for (let k = 0; k < 24; k++) {
      expect(relErr(f.point[k], ref.auto.AirPassengers.forecast.mean[k])).toBeLessThan(1e-3);
      expect(relErr(i95.lower[k], ref.auto.AirPassengers.forecast.lower95[k])).toBeLessThan(5e-3);
    }
  });
});

describe('auto_arima as a capplan model', () => {
  it('a constant series forecasts the constant with no spread', () => {
    const f = autoArima.fit(new Float64Array(50).fill(7), hourly).predict(5, [0.9]);
    expect(Array.from(f.point)).toEqual([7, 7, 7, 7, 7]);
    expect(Array.from(f.intervals[0].upper)).toEqual([7, 7, 7, 7, 7]);
  });

  it('refuses fewer than 8 points with a reason', () => {
    expect(() => autoArima.fit(new Float64Array([1, 2, 3]), hourly)).toThrow(ModelError);
    expect(() => autoArima.fit(new Float64Array([1, 2, 3]), hourly)).toThrow(/at least 8 points, series has 3/);
  });

  it('recovers an AR(1) and a linear trend on hourly data', () => {
    const g = series(2000, () => 0, 1, 9);
    const y = new Float64Array(2000);
    for (let t = 1; t < 2000; t++) y[t] = 0.7 * y[t - 1] + g[t];
    const fm = autoArima.fit(y, { periods: [], stepMs: 3_600_000 });
    expect((fm.params.order as number[])[1]).toBe(0); // stationary: no difference
    const ar1 = fm.predict(30, [0.8]).point;
    expect(Math.abs(ar1[0] - 0.7 * y[1999])).toBeLessThan(0.1 + 0.05 * Math.abs(y[1999]));
    expect(Math.abs(ar1[29])).toBeLessThan(0.2); // reverts to the zero mean
    const trend = series(24 * 30, (t) => 100 + 0.5 * t + 10 * Math.sin((2 * Math.PI * t) / 24), 1, 10);
    const f = autoArima.fit(trend, hourly).predict(48, [0.8]);
    for (let k = 0; k < 48; k++) {
      const truth = 100 + 0.5 * (720 + k) + 10 * Math.sin((2 * Math.PI * (720 + k)) / 24);
      expect(Math.abs(f.point[k] - truth)).toBeLessThan(6);
    }
  });
});

describe('polynomial helpers', () => {
  it('finds the roots of (z − 2)(z + 0.5)(z² + 1)', () => {
    // z⁴ − 1.5z³ + 0z² − 1.5z − 1 … expanded: (z² − 1.5z − 1)(z² + 1) = z⁴ − 1.5z³ + 0·z² − 1.5z − 1
    const { re, im } = polynomialRoots([-1, -1.5, 0, -1.5, 1]);
    const mods = Array.from(re, (r, i) => Math.hypot(r, im[i])).sort((a, b) => a - b);
    expect(mods[0]).toBeCloseTo(0.5, 9);
    expect(mods[1]).toBeCloseTo(1, 9);
    expect(mods[2]).toBeCloseTo(1, 9);
    expect(mods[3]).toBeCloseTo(2, 9);
  });

  it('inverts a non-invertible MA(2) to the invertible one with the same autocovariance', () => {
    // 1 + θ1 z + θ2 z² with roots 0.5 and −4: (1 − 2z)(1 + 0.25z) = 1 − 1.75z − 0.5z²
    const inv = invertMa(Float64Array.from([-1.75, -0.5]));
    // roots 2 and −4: (1 − 0.5z)(1 + 0.25z) = 1 − 0.25z − 0.125z²
    expect(inv[0]).toBeCloseTo(-0.25, 9);
    expect(inv[1]).toBeCloseTo(-0.125, 9);
    expect(rootsOutside(Float64Array.from([0.25, 0.125]), 1)).toBe(true);
    expect(rootsOutside(Float64Array.from([1.75, 0.5]), 1)).toBe(false);
  });
});

describe('ARMA second moments (closed forms)', () => {
  it('autocovariances of AR(1), MA(1) and ARMA(1,1) with unit innovations', async () => {
    const { arimaAutocovariance } = await import('../../src/models/arima.js');
    const ar = arimaAutocovariance(Float64Array.from([0.6]), new Float64Array(0), 3)!;
    expect(ar[0]).toBeCloseTo(1 / (1 - 0.36), 12);
    expect(ar[2]).toBeCloseTo(0.36 / (1 - 0.36), 12);
    const ma = arimaAutocovariance(new Float64Array(0), Float64Array.from([0.4]), 3)!;
    expect(Array.from(ma)).toEqual([expect.closeTo(1.16, 12), expect.closeTo(0.4, 12), 0]);
    const arma = arimaAutocovariance(Float64Array.from([0.5]), Float64Array.from([0.3]), 2)!;
    expect(arma[0]).toBeCloseTo((1 + 2 * 0.5 * 0.3 + 0.09) / (1 - 0.25), 12);
    expect(arma[1]).toBeCloseTo(((1 + 0.5 * 0.3) * (0.5 + 0.3)) / (1 - 0.25), 12);
  });

  it('the stationary state covariance solves P = T P Tᵀ + R Rᵀ', async () => {
    const { stationaryCovariance } = await import('../../src/models/arima.js');
    const phi = Float64Array.from([0.5, -0.2, 0, 0, 0.3]);
    const theta = Float64Array.from([0.4, 0, 0.1]);
    const r = 5;
    const P = stationaryCovariance(phi, theta, r)!;
    const R = [1, 0.4, 0, 0.1, 0];
    const T = (i: number, j: number) => (j === 0 ? phi[i] : j === i + 1 ? 1 : 0);
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < r; j++) {
        let v = R[i] * R[j];
        for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) v += T(i, a) * P[a * r + b] * T(j, b);
        expect(P[i * r + j]).toBeCloseTo(v, 10);
      }
    }
  });
});
