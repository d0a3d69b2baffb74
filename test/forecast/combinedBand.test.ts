import { describe, expect, it } from 'vitest';
import { combinedBandShare, scaledBand } from '../../src/forecast/combinedBand.js';
import { ensembleModel } from '../../src/forecast/ensemble.js';
import { forecastSeries } from '../../src/forecast/forecastSeries.js';
import type { BacktestWindow } from '../../src/forecast/backtest.js';
import { Prng } from '../../src/demo/prng.js';
import { logTransformed } from '../../src/models/logTransformed.js';
import { findModel } from '../../src/models/registry.js';
import type { Model } from '../../src/models/Model.js';

const window = (actual: number[], point: number[]): BacktestWindow => ({
  origin: 10,
  actual: Float64Array.from(actual),
  point: Float64Array.from(point),
  width: Float64Array.from(actual, () => 1),
  scale: 1,
});

describe('a mean combination’s band floor', () => {
  const a = findModel('naive') as Model;
  const b = findModel('drift') as Model;
  const combo = ensembleModel([a, b], 'mean', 'mean');

  it('is its members’ average band narrowed by the share of their backtest error the combination kept', () => {
    // members miss by 2 and 4 on average (typical 3), the combination by 1.5: share 0.5
    const kept = new Map([
      [a.alias, [window([10, 10], [12, 12])]],
      [b.alias, [window([10, 10], [6, 6])]],
    ]);
    expect(combinedBandShare(combo, kept, [window([10, 10], [8.5, 11.5])])).toBeCloseTo(0.5, 12);
    const band = scaledBand({ level: 0.8, lower: Float64Array.from([8, 6]), upper: Float64Array.from([14, 16]) }, Float64Array.from([10, 10]), 0.5);
    expect(Array.from(band.lower)).toEqual([9, 8]);
    expect(Array.from(band.upper)).toEqual([12, 13]);
  });

  it('is never widened, and is the plain band for a single model or missing windows', () => {
    const kept = new Map([
      [a.alias, [window([10], [11])]],
      [b.alias, [window([10], [11])]],
    ]);
    expect(combinedBandShare(combo, kept, [window([10], [13])])).toBe(1);
    expect(combinedBandShare(a, kept, [window([10], [10.5])])).toBe(1);
    expect(combinedBandShare(combo, new Map([[a.alias, [window([10], [11])]]]), [window([10], [10.5])])).toBe(1);
  });

  it('lets a short native series’ mean combination have a band narrower than its members’ average', () => {
    // 6 years of monthly data, a yearly cycle: the mean of the ETS, ARIMA, Theta (on the STL-adjusted series) and Holt–Winters families leads
    const rng = new Prng(1);
    const n = 72;
    const timestamps = Float64Array.from({ length: n }, (_, i) => Date.UTC(2012, i, 1));
    const values = Float64Array.from({ length: n }, (_, i) => 100 + 0.5 * i + 10 * Math.sin((2 * Math.PI * i) / 12) + rng.normal());
    const f = forecastSeries({ timestamps, values }, { horizonSteps: 12 });
    expect(f.model).toMatch(/^mean\((log\()?mstl_ets\)?\+(log\()?auto_arima\)?\+(log\()?mstl_theta\)?\+(log\()?ets_add\)?\)$/);
    // on whichever scale the combination was chosen
    const onLog = f.model.startsWith('mean(log(');
    const members = ['mstl_ets', 'auto_arima', 'mstl_theta', 'ets_add'].map((m) => (onLog ? logTransformed(findModel(m) as Model) : (findModel(m) as Model)));
    const average = ensembleModel(members, 'mean').fit(values, { periods: [12], stepMs: 30 * 86_400_000 }).predict(12, [0.8]).intervals[0];
    const band = f.intervals.find((i) => i.level === 0.8)!;
    for (let k = 0; k < 12; k++) {
      // with the members' full average band as the floor, no step could be narrower than it
      expect(band.upper[k] - band.lower[k]).toBeLessThan(average.upper[k] - average.lower[k]);
      expect(band.lower[k]).toBeLessThanOrEqual(f.point[k]);
      expect(band.upper[k]).toBeGreaterThanOrEqual(f.point[k]);
    }
  });
});
