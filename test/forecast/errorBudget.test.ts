import { describe, expect, it } from 'vitest';
import { budgetExhaustion, budgetStatus, burnRate } from '../../src/forecast/errorBudget.js';

const MIN5 = 300_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 9, 1);

/** 30 days of 5-minute counts: 1000 requests and `errors(i)` errors per step. */
function history(days: number, errors: (i: number) => number) {
  const n = (days * DAY) / MIN5;
  const timestamps = Float64Array.from({ length: n }, (_, i) => T0 + (i + 1) * MIN5);
  return { timestamps, errors: Float64Array.from({ length: n }, (_, i) => errors(i)), totals: new Float64Array(n).fill(1000) };
}

describe('error budgets', () => {
  it('burn rate and budget left in closed form', () => {
    // 0.5 errors per 1000 requests against a 99.9% SLO: burn rate 0.5, half the budget left.
    const h = history(30, () => 0.5);
    const now = h.timestamps[h.timestamps.length - 1];
    expect(burnRate(h, 0.999, now, 30 * DAY)).toBeCloseTo(0.5, 9);
    const s = budgetStatus(h, 0.999, 30 * DAY, now);
    expect(s.remaining).toBeCloseTo(0.5, 9);
    expect(s.alerts.every((a) => !a.firing)).toBe(true);
  });

  it('fires the fast-burn page only when both of its windows burn above 14.4×', () => {
    const n = (30 * DAY) / MIN5;
    // The last hour burns at 20× (20 errors per 1000 at 99.9%).
    const h = history(30, (i) => (i >= n - 12 ? 20 : 0));
    const s = budgetStatus(h, 0.999, 30 * DAY, h.timestamps[n - 1]);
    const fast = s.alerts[0];
    expect(fast.longRate).toBeCloseTo(20, 9);
    expect(fast.shortRate).toBeCloseTo(20, 9);
    expect(fast.firing).toBe(true);
    expect(s.alerts[3].firing).toBe(false);
  });

  it('replays the rolling window: old errors age out', () => {
    // An incident 20 days ago spent 60% of the budget; from now on errors burn at 0.5×.
    // The window reaches 100% only if old errors stay; they age out at day 10, so never.
    const n = (30 * DAY) / MIN5;
    const incident = (10 * DAY) / MIN5;
    const h = history(30, (i) => (i >= incident && i < incident + 12 ? (0.6 * 30 * 1000 * 288 * 0.001) / 12 : 0));
    expect(budgetStatus(h, 0.999, 30 * DAY, h.timestamps[n - 1]).remaining).toBeCloseTo(0.4, 6);
    const fSteps = (60 * DAY) / MIN5;
    const ts = Float64Array.from({ length: fSteps }, (_, k) => h.timestamps[n - 1] + (k + 1) * MIN5);
    const calm = { timestamps: ts, errors: new Float64Array(fSteps).fill(0.5), errorsLow: new Float64Array(fSteps).fill(0.4), errorsHigh: new Float64Array(fSteps).fill(0.6), totals: new Float64Array(fSteps).fill(1000) };
    expect(budgetExhaustion(h, calm, 0.999, 30 * DAY).status).toBe('beyond_horizon');
    // At 2× from now: 0.6 (incident) + 2·d/30 ≥ 1 at d = 6 days, before the incident ages out.
    const hot = { ...calm, errors: new Float64Array(fSteps).fill(2), errorsHigh: new Float64Array(fSteps).fill(3), errorsLow: new Float64Array(fSteps).fill(1) };
    const e = budgetExhaustion(h, hot, 0.999, 30 * DAY);
    expect(e.status).toBe('within');
    expect(((e.p50 as number) - h.timestamps[n - 1]) / DAY).toBeCloseTo(6, 1);
    expect(e.p10 as number).toBeLessThan(e.p50 as number);
  });
});
