import { describe, it, expect } from 'vitest';
import { ModelError } from '../../src/errors.js';
import type { FitContext, Model } from '../../src/models/Model.js';
import { MODELS, findModel } from '../../src/models/registry.js';
import { logTransformed } from '../../src/models/logTransformed.js';
import { hourly, hourlyNoSeason, series } from './synthetic.js';

/**
 * The contract every registered model honours. Models that may legitimately
 * refuse a shape of series (logistic without saturation) list it here; they
 * must still refuse with a ModelError, and must fit the series named `fits`.
 */
const MAY_REFUSE: Record<string, { fits: string }> = {
  logistic: { fits: 'saturating' },
};

const ctx: FitContext = hourly;

function fixtures(model: Model): [string, Float64Array][] {
  const min = model.minLength(ctx);
  return [
    ['trend', series(1000, (t) => 100 + 0.5 * t, 5, 11)],
    ['daily', series(24 * 35, (t) => 200 + 0.05 * t + 30 * Math.sin((2 * Math.PI * t) / 24), 3, 12)],
    ['constant', new Float64Array(800).fill(42)],
    ['saturating', series(800, (t) => 1000 / (1 + Math.exp(-0.02 * (t - 300))) + 20, 4, 13)],
    ['short', series(min, (t) => 50 + 0.3 * t, 1, 14)],
  ];
}

const LEVELS = [0.95, 0.8];
const H = 200;

describe('model registry', () => {
  it('aliases are unique and non-empty', () => {
    const aliases = MODELS.map((m) => m.alias);
    expect(new Set(aliases).size).toBe(aliases.length);
    for (const a of aliases) expect(a).toMatch(/^[a-z][a-z0-9_]*$/);
  });
});

/** Transforms that wrap a model honour the same contract (the fixtures are positive, as the log needs). */
const WRAPPED: readonly Model[] = ['mstl_ets', 'theta'].map((a) => logTransformed(findModel(a) as Model));

describe.each([...MODELS, ...WRAPPED].map((m) => [m.alias, m] as const))('contract: %s', (alias, model) => {
  it('minLength is a positive integer in a seasonal context', () => {
    const min = model.minLength(ctx);
    expect(Number.isInteger(min)).toBe(true);
    expect(min).toBeGreaterThanOrEqual(1);
  });

  describe.each(fixtures(model))('on %s series', (name, y) => {
    const refusable = MAY_REFUSE[alias] !== undefined && MAY_REFUSE[alias].fits !== name;

    it('fits and forecasts within the contract', () => {
      const copy = Float64Array.from(y);
      let fm;
      try {
        fm = model.fit(y, ctx);
      } catch (e) {
        if (refusable && e instanceof ModelError) return;
        throw e;
      }
      expect(y).toEqual(copy); // input not mutated
      expect(fm.alias).toBe(alias);
      expect(fm.fitted.length).toBe(y.length);
      for (const v of fm.fitted) expect(Number.isNaN(v) || Number.isFinite(v)).toBe(true);
      for (const v of Object.values(fm.params)) {
        if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
      }
      const f = fm.predict(H, LEVELS);
      expect(f.point.length).toBe(H);
      expect(f.intervals.map((i) => i.level)).toEqual([0.8, 0.95]);
      const [i80, i95] = f.intervals;
      for (let k = 0; k < H; k++) {
        expect(Number.isFinite(f.point[k])).toBe(true);
        for (const iv of f.intervals) {
          expect(iv.lower.length).toBe(H);
          expect(iv.upper.length).toBe(H);
          expect(Number.isFinite(iv.lower[k]) && Number.isFinite(iv.upper[k])).toBe(true);
          expect(iv.lower[k]).toBeLessThanOrEqual(f.point[k]);
          expect(iv.upper[k]).toBeGreaterThanOrEqual(f.point[k]);
        }
        expect(i95.lower[k]).toBeLessThanOrEqual(i80.lower[k]);
        expect(i95.upper[k]).toBeGreaterThanOrEqual(i80.upper[k]);
      }
      // predict is repeatable and fit is deterministic
      expect(fm.predict(H, LEVELS)).toEqual(f);
      const again = model.fit(Float64Array.from(y), ctx);
      expect(again.fitted).toEqual(fm.fitted);
      expect(again.params).toEqual(fm.params);
      expect(again.predict(H, LEVELS)).toEqual(f);
      expect(fm.predict(0, LEVELS).point.length).toBe(0);
    });
  });

  it('throws ModelError below minLength', () => {
    const min = model.minLength(ctx);
    for (const n of [0, min - 1]) {
      if (n < 0) continue;
      const y = series(n, (t) => 10 + t, 0.5, 3);
      expect(() => model.fit(y, ctx)).toThrow(ModelError);
    }
  });

  it('without seasonal periods: fits or refuses with ModelError', () => {
    const min = model.minLength(hourlyNoSeason);
    expect(min).toBeGreaterThanOrEqual(1); // may be Infinity: no length suffices
    const y = series(600, (t) => 100 + 0.5 * t, 5, 21);
    try {
      const fm = model.fit(y, hourlyNoSeason);
      expect(Number.isFinite(min)).toBe(true);
      expect(fm.predict(10, [0.9]).point.length).toBe(10);
    } catch (e) {
      expect(e).toBeInstanceOf(ModelError);
    }
  });
});
