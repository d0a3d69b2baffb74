import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exhaustion, type ExhaustionInput } from '../../src/forecast/exhaustion.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);

/** A straight line from `start` growing `perDay`, with a band of ±`spread`·k around it. */
function line(start: number, perDay: number, spread: number, days = 100): ExhaustionInput {
  const timestamps = Float64Array.from({ length: days }, (_, k) => T0 + (k + 1) * DAY);
  const point = Float64Array.from({ length: days }, (_, k) => start + perDay * (k + 1));
  return {
    timestamps,
    point,
    intervals: [{ level: 0.8, lower: point.map((v, k) => v - spread * (k + 1)), upper: point.map((v, k) => v + spread * (k + 1)) }],
    data: { lastSignal: start, lastSignalMs: T0 },
  };
}

describe('exhaustion', () => {
  it('dates the crossing of a line in closed form, with the band edges giving p10 and p90', () => {
    // 50 + 1/day reaches 100 on day 50; the upper edge (1.25/day) on day 40; the lower (0.75/day) on day 66.67.
    const e = exhaustion(line(50, 1, 0.25), { capacity: 100, threshold: 1, direction: 'rising' });
    expect(e.status).toBe('within');
    expect(e.p50).toBe(T0 + 50 * DAY);
    expect(e.p10).toBe(T0 + 40 * DAY);
    expect((e.p90 as number) - T0).toBeCloseTo((200 / 3) * DAY, -1);
  });

  it('says past when already at the limit, beyond_horizon when the line never gets there', () => {
    expect(exhaustion(line(95, 1, 0.1), { capacity: 100, threshold: 0.9, direction: 'rising' }).status).toBe('past');
    const flat = exhaustion(line(50, 0, 0.1), { capacity: 100, threshold: 1, direction: 'rising' });
    expect(flat).toMatchObject({ status: 'beyond_horizon', p50: null, p90: null, horizonEndMs: T0 + 100 * DAY });
    expect(flat.p10).toBeNull();
  });

  it('mirrors falling resources: free space is exhausted at (1 − threshold) of capacity', () => {
    const e = exhaustion(line(50, -1, 0), { capacity: 100, threshold: 0.9, direction: 'falling' });
    expect(e.limit).toBeCloseTo(10, 12);
    expect(e.p50).toBe(T0 + 40 * DAY);
  });

  it('keeps p10 ≤ p50 ≤ p90, and a smaller capacity never moves the date later', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 80, noNaN: true }), fc.double({ min: 0.01, max: 5, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 101, max: 400, noNaN: true }), fc.double({ min: 0.5, max: 1, noNaN: true }), (start, perDay, spread, capacity, shrink) => {
        const f = line(start, perDay, spread);
        const a = exhaustion(f, { capacity, threshold: 1, direction: 'rising' });
        const b = exhaustion(f, { capacity: capacity * shrink, threshold: 1, direction: 'rising' });
        if (a.p10 !== null && a.p50 !== null) expect(a.p10).toBeLessThanOrEqual(a.p50);
        if (a.p50 !== null && a.p90 !== null) expect(a.p50).toBeLessThanOrEqual(a.p90);
        if (a.p50 !== null && b.status !== 'past') expect(b.p50 as number).toBeLessThanOrEqual(a.p50);
      }),
    );
  });
});

describe('exhaustion over sample paths', () => {
  it('with the signal’s noise, dates earlier than the smooth band edges and mirrors falling resources', () => {
    const smooth = exhaustion(line(50, 1, 0.25), { capacity: 100, threshold: 1, direction: 'rising' });
    const noisy = exhaustion({ ...line(50, 1, 0.25), noise: 3 }, { capacity: 100, threshold: 1, direction: 'rising' });
    expect(noisy.status).toBe('within');
    expect(noisy.p50 as number).toBeLessThan(smooth.p50 as number);
    expect(noisy.p10 as number).toBeLessThanOrEqual(noisy.p50 as number);
    expect(noisy.pNever).toBeLessThan(0.01);
    // Remaining space falling from 50 by 1/day towards 0: the same dates as usage rising by 1/day to 100.
    const base = line(50, -1, 0.25);
    const falling = exhaustion({ ...base, noise: 3 }, { capacity: 100, threshold: 1, direction: 'falling' });
    const rising = exhaustion({ ...line(-50, 1, 0.25), noise: 3 }, { capacity: 0, threshold: 1, direction: 'rising' });
    expect(falling.p50).toBe(rising.p50);
  });

  it('gives a probability of never within the horizon', () => {
    const e = exhaustion({ ...line(50, 0.4, 0.3), noise: 1 }, { capacity: 100, threshold: 1, direction: 'rising' });
    // The point forecast ends at 90 after 100 days: most paths never get to 100, some (the steeper ones) do.
    expect(e.status).toBe('beyond_horizon');
    expect(e.p50).toBeNull();
    expect(e.pNever).toBeGreaterThan(0.5);
    expect(e.pNever).toBeLessThan(1);
    expect(e.p10).not.toBeNull();
  });
});
