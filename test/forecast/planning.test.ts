import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capacityAt } from '../../src/forecast/capacityTimeline.js';
import { exhaustion, type ExhaustionInput } from '../../src/forecast/exhaustion.js';
import { quarterHeadroom } from '../../src/forecast/headroom.js';
import { quartersFrom } from '../../src/time/quarters.js';
import { recommend } from '../../src/forecast/recommend.js';
import { applyScenario } from '../../src/forecast/scenario.js';
import { usageView } from '../../src/forecast/usageView.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);

/** 50 + perDay·k, band ±spread·k, daily for `days`. */
function line(start: number, perDay: number, spread = 0, days = 200): ExhaustionInput {
  const timestamps = Float64Array.from({ length: days }, (_, k) => T0 + (k + 1) * DAY);
  const point = Float64Array.from({ length: days }, (_, k) => start + perDay * (k + 1));
  return {
    timestamps, point,
    intervals: [{ level: 0.8, lower: point.map((v, k) => v - spread * (k + 1)), upper: point.map((v, k) => v + spread * (k + 1)) }],
    data: { lastSignal: start, lastSignalMs: T0 },
  };
}

describe('capacity as a timeline', () => {
  it('applies planned changes in date order', () => {
    const ts = Float64Array.from([T0, T0 + 10 * DAY, T0 + 20 * DAY, T0 + 30 * DAY]);
    const c = capacityAt(100, [{ atMs: T0 + 25 * DAY, kind: 'set', amount: 500 }, { atMs: T0 + 5 * DAY, kind: 'add', amount: 50 }], ts);
    expect(Array.from(c)).toEqual([100, 150, 150, 500]);
  });

  it('a capacity step pushes the crossing out by exactly step / growth', () => {
    // 50 + 1/day reaches 100 on day 50. Adding 30 on day 40 moves it to day 80.
    const f = line(50, 1);
    const base = exhaustion(f, { capacity: 100, threshold: 1, direction: 'rising' });
    const cap = capacityAt(100, [{ atMs: T0 + 40 * DAY, kind: 'add', amount: 30 }], f.timestamps);
    const more = exhaustion(f, { capacity: cap, threshold: 1, direction: 'rising' });
    expect(base.p50).toBe(T0 + 50 * DAY);
    expect(more.p50).toBe(T0 + 80 * DAY);
  });

  it('a constant series never exhausts', () => {
    expect(exhaustion(line(50, 0), { capacity: 100, threshold: 1, direction: 'rising' }).status).toBe('beyond_horizon');
  });
});

describe('headroom and recommendations', () => {
  const f = line(50, 0.5, 0.1, 200);
  const cap = new Float64Array(200).fill(100);
  const u = usageView(f, cap, 100, 'rising');

  it('headroom per quarter is capacity minus the quarter peak', () => {
    const qs = quartersFrom(T0, 2, { fiscalYearStartMonth: 1, timeZone: 'UTC' });
    const h = quarterHeadroom(u, qs, T0);
    // Q4 2026 ends 2027-01-01, 61 days after T0: peak expected 50 + 0.5·60 (last step inside the quarter).
    expect(h[0].label).toBe('2026-Q4');
    expect(h[0].peakExpected).toBeCloseTo(50 + 0.5 * 60, 9);
    expect(h[0].headroomExpected).toBeCloseTo(100 - 80, 9);
    expect(h[0].ratioConservative).toBeCloseTo((100 - (80 + 0.1 * 60)) / 100, 9);
  });

  it('recommends the amount that keeps the target headroom at the worst step, ordered a lead time ahead', () => {
    const r = recommend(u, { targetHeadroom: 0.2, leadTimeMs: 30 * DAY, risk: 'expected', nowMs: T0 });
    // Usage reaches 80 (=100·(1−0.2)) on day 60; at day 200 usage is 150, needing 150/0.8 = 187.5.
    expect(r.action).toBe('add');
    expect(r.neededByMs).toBe(T0 + 60 * DAY);
    expect(r.orderByMs).toBe(T0 + 30 * DAY);
    expect(r.amount).toBeCloseTo(87.5, 9);
    const conservative = recommend(u, { targetHeadroom: 0.2, leadTimeMs: 30 * DAY, risk: 'conservative', nowMs: T0 });
    expect(conservative.amount).toBeGreaterThan(r.amount);
    expect(conservative.neededByMs as number).toBeLessThan(r.neededByMs as number);
    const none = recommend(usageView(line(10, 0), cap, 100, 'rising'), { targetHeadroom: 0.2, leadTimeMs: 0, risk: 'conservative', nowMs: T0 });
    expect(none).toMatchObject({ action: 'none', amount: 0, neededByMs: null });
  });

  it('falling resources (free space) read as usage', () => {
    const free = line(50, -0.5, 0, 200);
    const v = usageView(free, cap, 100, 'falling');
    expect(v.usedNow).toBe(50);
    expect(v.expected[9]).toBeCloseTo(55, 9);
  });
});

describe('what-if scenarios', () => {
  it('traffic +30% from a date moves the crossing to the closed-form day', () => {
    // 50 + 1/day; ×1.3 from day 10 (value 60 → 78): reaches 100 when 1.3·(50+k) = 100, k = 26.92.
    const f = line(50, 1);
    const { forecast } = applyScenario(f, { name: 'traffic', changes: [{ kind: 'growth', factor: 1.3, fromMs: T0 + 10 * DAY }] });
    const e = exhaustion(forecast, { capacity: 100, threshold: 1, direction: 'rising' });
    expect(((e.p50 as number) - T0) / DAY).toBeCloseTo(100 / 1.3 - 50, 6);
  });

  it('returns capacity changes and a step in usage', () => {
    const f = line(50, 0);
    const out = applyScenario(f, { name: 'tenant', changes: [{ kind: 'step', amount: 25, atMs: T0 + 5 * DAY }, { kind: 'capacity', change: { atMs: T0, kind: 'add', amount: 10 } }] });
    expect(out.forecast.point[3]).toBe(50);
    expect(out.forecast.point[4]).toBe(75);
    expect(out.capacityChanges).toHaveLength(1);
  });

  it('a larger growth multiplier never makes the date later', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 3, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 100 }), (a, extra, day) => {
        const f = line(50, 0.3, 0.05);
        const at = (factor: number) => exhaustion(applyScenario(f, { name: 'x', changes: [{ kind: 'growth', factor, fromMs: T0 + day * DAY }] }).forecast, { capacity: 100, threshold: 1, direction: 'rising' });
        const low = at(a);
        const high = at(a + extra);
        if (low.p50 !== null) expect(high.p50 as number).toBeLessThanOrEqual(low.p50);
        if (low.p10 !== null) expect(high.p10 as number).toBeLessThanOrEqual(low.p10);
      }),
    );
  });
});
