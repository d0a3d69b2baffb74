import { describe, it, expect } from 'vitest';
import { ModelError } from '../../src/errors.js';
import type { FitContext } from '../../src/models/Model.js';
import { findModel } from '../../src/models/registry.js';
import { series } from './synthetic.js';

/**
 * Shapes capacity metrics take that the shared contract test does not: byte counts near 1e12, ratios near 0,
 * exact lines (zero residuals), a step, a sawtooth, negative values, minimal lengths, daily data with a weekly period.
 * Every new model must either forecast within the contract or refuse with a ModelError.
 */
const ALIASES = ['auto_arima', 'theta', 'dotm', 'ses', 'stl_ets', 'mstl_ets', 'mstl_arima', 'mstl_theta', 'combo_median'];
const daily: FitContext = { periods: [7], stepMs: 86_400_000 };
const SHAPES: [string, Float64Array, FitContext][] = [
  ['bytes near 1e12 with a weekly cycle', series(180, (t) => 8e11 + 1e9 * t + 5e10 * Math.sin((2 * Math.PI * t) / 7), 1e9, 1), daily],
  ['ratios near zero', series(120, (t) => 0.001 + 1e-5 * t, 1e-5, 2), daily],
  ['an exact line', Float64Array.from({ length: 60 }, (_, t) => 3 + 2 * t), daily],
  ['a step', Float64Array.from({ length: 90 }, (_, t) => (t < 60 ? 10 : 40)), daily],
  ['a sawtooth (log rotation)', Float64Array.from({ length: 140 }, (_, t) => 20 + (t % 14) * 5), daily],
  ['negative values', series(100, (t) => -50 + Math.sin(t / 3) * 10, 2, 3), daily],
  ['nine points', Float64Array.from([5, 7, 6, 8, 9, 8, 10, 11, 10]), daily],
  ['zeros with a few spikes', Float64Array.from({ length: 84 }, (_, t) => (t % 20 === 0 ? 100 : 0)), daily],
];

describe.each(ALIASES)('%s on awkward capacity series', (alias) => {
  const model = findModel(alias)!;
  it.each(SHAPES)('%s', (_name, y, ctx) => {
    let fm;
    try {
      fm = model.fit(y, ctx);
    } catch (e) {
      expect(e).toBeInstanceOf(ModelError);
      return;
    }
    const f = fm.predict(30, [0.8, 0.95]);
    for (let k = 0; k < 30; k++) {
      expect(Number.isFinite(f.point[k])).toBe(true);
      for (const iv of f.intervals) {
        expect(Number.isFinite(iv.lower[k]) && Number.isFinite(iv.upper[k])).toBe(true);
        expect(iv.lower[k]).toBeLessThanOrEqual(f.point[k]);
        expect(iv.upper[k]).toBeGreaterThanOrEqual(f.point[k]);
      }
    }
  });
});
