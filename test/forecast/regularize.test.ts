import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { regularize } from '../../src/forecast/regularize.js';
import { addSteps, inferStep } from '../../src/forecast/Step.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

describe('regularize', () => {
  it('sorts, keeps the last of repeated timestamps, drops NaN and interpolates gaps', () => {
    const ts = Float64Array.from([T0 + 3 * H, T0, T0 + H, T0 + H, T0 + 6 * H, T0 + 2 * H]);
    const vs = Float64Array.from([30, 0, 99, 10, 60, NaN]);
    const r = regularize(ts, vs);
    expect(r.step).toEqual({ kind: 'fixed', ms: H });
    expect(Array.from(r.timestamps)).toEqual([0, 1, 2, 3, 4, 5, 6].map((k) => T0 + k * H));
    expect(Array.from(r.values)).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(Array.from(r.observed)).toEqual([1, 1, 0, 1, 0, 0, 1]);
    expect(r).toMatchObject({ n: 4, missing: 3, gapCount: 2, dropped: 2 });
  });

  it('infers calendar months and quarters, not 30-day steps', () => {
    const months = Float64Array.from([0, 1, 2, 3, 4], (m) => Date.UTC(2026, m, 1));
    expect(inferStep(months)).toEqual({ kind: 'months', months: 1 });
    const quarters = Float64Array.from([0, 3, 6, 9, 12], (m) => Date.UTC(2025, m, 1));
    expect(inferStep(quarters)).toEqual({ kind: 'months', months: 3 });
    const r = regularize(Float64Array.from([0, 1, 3], (m) => Date.UTC(2026, m, 1)), Float64Array.from([1, 2, 4]));
    expect(r.timestamps[2]).toBe(Date.UTC(2026, 2, 1));
    expect(r.values[2]).toBe(3);
    expect(addSteps(Date.UTC(2026, 0, 31), { kind: 'months', months: 1 }, 2)).toBe(Date.UTC(2026, 2, 31));
  });

  it('names the series when it is unusable', () => {
    expect(() => regularize(Float64Array.from([T0, T0 + H]), Float64Array.from([NaN, NaN]), 'disk-a')).toThrow(/disk-a: no finite values/);
    expect(() => regularize(Float64Array.from([T0, T0 + H]), Float64Array.from([1, 2]), 'disk-a')).toThrow(DataError);
    expect(() => regularize(Float64Array.from([T0, T0 + H]), Float64Array.from([1, 2]), 'disk-a')).toThrow(/needs at least 3 points/);
  });
});
