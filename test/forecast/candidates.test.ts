import { describe, expect, it } from 'vitest';
import { ensembleModel, ensembleWindows } from '../../src/forecast/ensemble.js';
import { forecastSeries } from '../../src/forecast/forecastSeries.js';
import { seasonalRepeat } from '../../src/forecast/seasonalRepeat.js';
import type { Model } from '../../src/models/Model.js';
import { Prng } from '../../src/demo/prng.js';
import { mstlEts } from '../../src/models/mstlEts.js';
import { findModel } from '../../src/models/registry.js';
import { seasonalByAcf, theta } from '../../src/models/theta.js';

const H = 3_600_000;

/** A model that always forecasts `c` with a ±1 band. */
function constant(c: number): Model {
  return {
    alias: `const${c}`,
    minLength: () => 1,
    fit: (y) => ({
      alias: `const${c}`,
      fitted: new Float64Array(y.length).fill(c),
      params: {},
      predict: (h, levels) => ({ point: new Float64Array(h).fill(c), intervals: levels.map((level) => ({ level, lower: new Float64Array(h).fill(c - 1), upper: new Float64Array(h).fill(c + 1) })) }),
    }),
  };
}

describe('median combination', () => {
  it('takes the middle member step by step, so one member going astray does not move it', () => {
    const m = ensembleModel([constant(1), constant(2), constant(1000)], 'median');
    expect(m.alias).toBe('median(const1+const2+const1000)');
    const f = m.fit(new Float64Array(5), { periods: [], stepMs: H }).predict(3, [0.8]);
    expect([...f.point]).toEqual([2, 2, 2]);
    expect([...f.intervals[0].upper]).toEqual([3, 3, 3]);
    const w = (p: number) => [{ origin: 0, actual: new Float64Array([0]), point: new Float64Array([p]), width: new Float64Array([1]), scale: 1 }];
    expect(ensembleWindows([w(1), w(2), w(1000)], 'median')[0].point[0]).toBe(2);
    expect(ensembleWindows([w(1), w(2), w(1000)])[0].point[0]).toBeCloseTo(1003 / 3, 9);
  });
});

describe('seasonal repeat of the longest cycle', () => {
  it('repeats last week of hourly data, and is not a candidate with a single cycle', () => {
    const y = Float64Array.from({ length: 24 * 21 }, (_, i) => i);
    const f = seasonalRepeat.fit(y, { periods: [24, 168], stepMs: H }).predict(170, [0.8]);
    expect(f.point[0]).toBe(y.length - 168);
    expect(f.point[167]).toBe(y.length - 1);
    expect(f.point[168]).toBe(y.length - 168);
    expect(seasonalRepeat.minLength({ periods: [24], stepMs: H })).toBe(Infinity);
  });

  it('makes selection keep the weekly profile of an hourly series whose weekends only damp the daily one', () => {
    const rng = new Prng(5);
    const n = 24 * 7 * 8;
    const start = Date.UTC(2026, 8, 7); // a Monday
    const profile = (i: number) => {
      const hour = i % 24;
      const weekend = Math.floor(i / 24) % 7 >= 5;
      return (hour >= 9 && hour < 18 ? 50 : 0) * (weekend ? 0.6 : 1) + (hour === 2 ? 30 : 0);
    };
    const f = forecastSeries(
      { timestamps: Float64Array.from({ length: n }, (_, i) => start + i * H), values: Float64Array.from({ length: n }, (_, i) => 100 + profile(i) + rng.normal()) },
      { horizonSteps: 168, aggregation: 'raw' },
    );
    expect(f.periods).toEqual([24, 168]);
    expect(f.levelShifts).toEqual([]);
    expect(f.candidates.some((c) => c.model === 'seasonal_repeat_longest' && c.mase !== null)).toBe(true);
    // History ends on a Monday 00:00 after 8 weeks: step k is hour k of the next week.
    const mondayNoon = f.point[12];
    const saturdayNoon = f.point[5 * 24 + 12];
    expect(mondayNoon - saturdayNoon).toBeGreaterThan(15); // 50 on weekdays, 30 at weekends
    expect(mondayNoon - saturdayNoon).toBeLessThan(25);
  });
});

describe('sub-daily series with two cycles at their own resolution', () => {
  it('combine MSTL + ARIMA, MSTL + ETS and the weekly repeat, and beat MSTL + ETS alone when the noise is autocorrelated', () => {
    // A busy hour stays busy: AR(1) noise with φ = 0.8, which ETS's level chases and ARIMA models.
    const rng = new Prng(17);
    const weeks = 7;
    const n = 24 * 7 * weeks;
    const start = Date.UTC(2026, 8, 7); // a Monday
    const values = new Float64Array(n + 168);
    let ar = 0;
    for (let i = 0; i < values.length; i++) {
      const hour = i % 24;
      const weekend = Math.floor(i / 24) % 7 >= 5;
      ar = 0.8 * ar + 4 * rng.normal();
      values[i] = 200 + (hour >= 9 && hour < 18 ? 60 : 0) * (weekend ? 0.5 : 1) + (hour === 2 ? 40 : 0) + ar;
    }
    const history = values.subarray(0, n);
    const future = values.subarray(n);
    const f = forecastSeries({ timestamps: Float64Array.from({ length: n }, (_, i) => start + i * H), values: history }, { horizonSteps: 168, aggregation: 'raw' });
    expect(f.model).toBe('median(mstl_arima+mstl_ets+seasonal_repeat_longest)');
    const mae = (p: Float64Array) => p.reduce((s, v, k) => s + Math.abs(v - future[k]), 0) / 168;
    const alone = mstlEts.fit(history, { periods: [24, 168], stepMs: H }).predict(168, [0.8]).point;
    expect(mae(f.point)).toBeLessThan(mae(alone));
  });
});

describe('which candidates a series affords', () => {
  const DAY = 24 * H;
  const grow = (n: number, stepMs: number) => {
    const rng = new Prng(11);
    const start = Date.UTC(2025, 0, 1);
    return { timestamps: Float64Array.from({ length: n }, (_, i) => start + i * stepMs), values: Float64Array.from({ length: n }, (_, i) => 100 + 0.5 * i + 3 * rng.normal()) };
  };
  const costly = ['auto_arima', 'mstl_ets', 'stl_ets', 'mstl_arima', 'mstl_theta', 'dotm', 'combo_median'];
  const tried = (f: ReturnType<typeof forecastSeries>) => f.candidates.map((c) => c.model);

  it('a short daily series (a fleet metric pulled at 1d) keeps the fast models and four windows', () => {
    const f = forecastSeries(grow(90, DAY), { horizonMs: 30 * DAY });
    expect(tried(f).filter((m) => costly.includes(m))).toEqual([]);
    expect(f.backtest.windows).toBeLessThanOrEqual(4);
  });

  it('a short monthly series affords ARIMA and more backtest windows', () => {
    const f = forecastSeries(grow(96, 30 * DAY), { horizonSteps: 12 });
    expect(tried(f)).toContain('auto_arima');
    expect(f.backtest.windows).toBeGreaterThan(4);
  });
});

describe('short native series: the combination leads', () => {
  const monthly = (n: number, value: (t: number) => number) => ({
    timestamps: Float64Array.from({ length: n }, (_, i) => Date.UTC(2012, i, 1)),
    values: Float64Array.from({ length: n }, (_, i) => value(i)),
  });

  it('even when a single model backtests far better: a straight line with noise keeps the mean of ARIMA, Theta, ETS and damped', () => {
    const rng = new Prng(2);
    const f = forecastSeries(monthly(60, (t) => 100 + 2 * t + rng.normal()), { horizonSteps: 12 });
    expect(f.periods).toEqual([]);
    // Theil-Sen backtests about twice as well here; with the fleet's 30% margin it would lead
    const best = f.candidates.filter((c) => c.mase !== null && !c.model.startsWith('mean(')).sort((a, b) => (a.mase as number) - (b.mase as number))[0];
    expect(best.mase as number).toBeLessThan(0.7 * (f.candidates[0].mase as number));
    expect(f.model).toMatch(/^mean\((log\()?auto_arima\)?\+(log\()?theta\)?\+(log\()?mstl_ets\)?\+(log\()?damped\)?\)$/);
  });

  it("Theta in the seasonal combination removes the cycle capplan found, where thetaf's own test would draw a flat line", () => {
    // Three years of a strong monthly season: too short for thetaf's autocorrelation test at lag 12 to see it.
    const rng = new Prng(4);
    const value = (t: number) => 100 + 20 * Math.sin((2 * Math.PI * t) / 12) + 0.5 * rng.normal();
    const all = monthly(48, value);
    const n = 36;
    const train = all.values.subarray(0, n);
    expect(seasonalByAcf(train, 12)).toBe(false);
    const f = forecastSeries({ timestamps: all.timestamps.subarray(0, n), values: train }, { horizonSteps: 12 });
    expect(f.periods).toEqual([12]);
    expect(f.model).toMatch(/^mean\(.*mstl_theta/);
    expect(f.model).not.toMatch(/[(+]theta[)+]/);
    const future = all.values.subarray(n);
    const mae = (p: Float64Array) => p.reduce((s, v, k) => s + Math.abs(v - future[k]), 0) / 12;
    const flatTheta = theta.fit(train, { periods: [12], stepMs: 30 * 24 * H }).predict(12, [0.8]).point;
    expect(Math.max(...flatTheta) - Math.min(...flatTheta)).toBeLessThan(5);
    expect(mae(f.point)).toBeLessThan(2);
    expect(mae(flatTheta)).toBeGreaterThan(8);
  });

  it('a change of slope re-slopes the planning signal, not a short native series whose families follow it', () => {
    // The same broken line (growth tripled for the last quarter) as 200 months and as 200 daily peaks.
    const rng = new Prng(6);
    const values = Float64Array.from({ length: 200 }, (_, t) => 100 + t + 2 * Math.max(0, t - 150) + rng.normal());
    const at = (stepMs: number) => Float64Array.from({ length: 200 }, (_, i) => Date.UTC(2010, 0, 1) + i * stepMs);
    const daily = forecastSeries({ timestamps: at(24 * H), values }, { horizonSteps: 30 });
    expect(daily.slopeChange?.slopeAfter).toBeCloseTo(3, 0);
    const months = forecastSeries({ timestamps: Float64Array.from({ length: 200 }, (_, i) => Date.UTC(2000, i, 1)), values }, { horizonSteps: 30 });
    expect(months.slopeChange).toBeNull();
    // its combination still continues today's growth, not the average since the start
    expect(months.point[29] - months.point[0]).toBeGreaterThan(2.5 * 29);
  });

  it('a seasonal swing proportional to the level is forecast on the log scale, and closer than on the original one', () => {
    // AirPassengers-like: 6 years of monthly data growing 12% a year, the summer peak 35% of the level.
    const rng = new Prng(9);
    const value = (t: number) => 100 * Math.pow(1.12, t / 12) * (1 + 0.35 * Math.sin((2 * Math.PI * (t - 3)) / 12)) * (1 + 0.01 * rng.normal());
    const all = monthly(84, value);
    const n = 72;
    const f = forecastSeries({ timestamps: all.timestamps.subarray(0, n), values: all.values.subarray(0, n) }, { horizonSteps: 12 });
    expect(f.periods).toEqual([12]);
    expect(f.model).toBe('mean(log(mstl_ets)+log(auto_arima)+log(mstl_theta)+log(ets_add))');
    const raw = f.candidates.find((c) => c.model === 'mean(mstl_ets+auto_arima+mstl_theta+ets_add)');
    expect(f.candidates[0].note).toMatch(/^log scale: backtests/);
    expect(f.candidates[0].mase).toBeLessThan(raw?.mase as number);
    const future = all.values.subarray(n);
    const onOriginal = ensembleModel(['mstl_ets', 'auto_arima', 'mstl_theta', 'ets_add'].map((a) => findModel(a) as Model), 'mean')
      .fit(all.values.subarray(0, n), { periods: [12], stepMs: 30 * 24 * H })
      .predict(12, [0.8]).point;
    const mae = (p: Float64Array) => p.reduce((s, v, k) => s + Math.abs(v - future[k]), 0) / 12;
    expect(mae(f.point)).toBeLessThan(mae(onOriginal));
  });
});
