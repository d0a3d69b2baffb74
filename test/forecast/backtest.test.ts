import { describe, expect, it } from 'vitest';
import { crossValidate, mase, planBacktest } from '../../src/forecast/backtest.js';
import type { Model } from '../../src/models/Model.js';
import { naive } from '../../src/models/naive.js';

/** Knows the whole series: the harness must score it exactly 0. */
function oracle(full: Float64Array): Model {
  return {
    alias: 'oracle',
    minLength: () => 1,
    fit: (y) => ({
      alias: 'oracle',
      fitted: y.slice(),
      params: {},
      predict: (h, levels) => {
        const point = full.slice(y.length, y.length + h);
        return { point, intervals: levels.map((level) => ({ level, lower: point.map((v) => v - 1), upper: point.map((v) => v + 1) })) };
      },
    }),
  };
}

describe('rolling-origin backtest', () => {
  const ctx = { periods: [], stepMs: 1 };

  it('plans horizon-matched windows that leave a third of the series for training', () => {
    expect(planBacktest(100, 10, 5)).toEqual({ horizon: 10, origins: [84, 86, 88, 90] });
    const capped = planBacktest(395, 180, 10);
    expect(capped?.horizon).toBe(158);
    expect(capped?.origins.every((o) => o >= 132 && o + 158 <= 395)).toBe(true);
    expect(planBacktest(4, 10, 5)).toBeNull();
  });

  it('scores an oracle at exactly 0', () => {
    const y = Float64Array.from({ length: 60 }, (_, i) => Math.sin(i) * 10 + i);
    const plan = planBacktest(60, 6, 2) as NonNullable<ReturnType<typeof planBacktest>>;
    expect(mase(crossValidate(oracle(y), y, ctx, plan))).toBe(0);
  });

  it('scores naive on a straight line at the known MASE of h(h+1)/2h steps of slope', () => {
    // y = 2t: naive's error at step k is 2k, the in-sample naive error is 2, so MASE = mean(k) = (h+1)/2.
    const y = Float64Array.from({ length: 100 }, (_, i) => 2 * i);
    const plan = planBacktest(100, 8, 2) as NonNullable<ReturnType<typeof planBacktest>>;
    expect(mase(crossValidate(naive, y, ctx, plan))).toBeCloseTo(4.5, 12);
  });
});
