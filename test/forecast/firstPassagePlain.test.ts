import fc from 'fast-check';
import { probit } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { firstPassage, type FirstPassage, type PassageInput } from '../../src/forecast/firstPassage.js';

/**
 * firstPassage as first written (commit 6cb8630): closures for the generator and the wobble, the stratified
 * draws computed per path. The fast form inlines them; it must give exactly these numbers.
 */
function plainFirstPassage(input: PassageInput): FirstPassage {
  const PATHS = 1000;
  const { ends, point, lower, upper, limits, start } = input;
  const h = point.length;
  const sigma = Math.max(0, input.noise);
  const zBand = probit((1 + input.level) / 2);
  const up = new Float64Array(h);
  const down = new Float64Array(h);
  for (let k = 0; k < h; k++) {
    const noiseHalf = zBand * sigma;
    up[k] = Math.sqrt(Math.max(0, (upper[k] - point[k]) ** 2 - noiseHalf ** 2)) / zBand;
    down[k] = Math.sqrt(Math.max(0, (point[k] - lower[k]) ** 2 - noiseHalf ** 2)) / zBand;
  }
  let s = 0x5eed >>> 0;
  const rng = () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(rng(), 1e-300))) * Math.cos(2 * Math.PI * rng());
  const pool = input.residuals && input.residuals.length >= 30 && sigma > 0 ? input.residuals : null;
  const wobble = pool ? () => pool[Math.floor(rng() * pool.length)] : sigma > 0 ? () => sigma * normal() : () => 0;
  const times = new Float64Array(PATHS);
  for (let m = 0; m < PATHS; m++) {
    const z = probit((m + 0.5) / PATHS);
    let prevT = start.t;
    let prevGap = start.value - limits[0];
    let hit = Infinity;
    for (let k = 0; k < h; k++) {
      const v = point[k] + (z >= 0 ? z * up[k] : z * down[k]) + wobble();
      const gap = v - limits[k];
      if (gap >= 0) {
        const denom = gap - prevGap;
        const share = denom === 0 ? 1 : Math.min(1, Math.max(0, -prevGap / denom));
        hit = prevT + share * (ends[k] - prevT);
        break;
      }
      prevT = ends[k];
      prevGap = gap;
    }
    times[m] = hit;
  }
  times.sort();
  const q = (p: number) => {
    const v = times[Math.min(PATHS - 1, Math.floor(p * PATHS))];
    return Number.isFinite(v) ? v : null;
  };
  let never = 0;
  for (const t of times) if (!Number.isFinite(t)) never++;
  return { p10: q((1 - input.level) / 2), p50: q(0.5), p90: q((1 + input.level) / 2), pNever: never / PATHS };
}

const DAY = 86_400_000;

const residual = fc.oneof({ arbitrary: fc.double({ min: -30, max: 30, noNaN: true }), weight: 50 }, { arbitrary: fc.constant(NaN), weight: 1 });

/** A forecast path with a band, a limit it may or may not reach, and a wobble of each kind (pool, normal, none). */
const passageInput = fc
  .record({
    h: fc.integer({ min: 1, max: 120 }),
    base: fc.double({ min: 0, max: 100, noNaN: true }),
    slope: fc.double({ min: -1, max: 3, noNaN: true }),
    width: fc.double({ min: 0, max: 20, noNaN: true }),
    noise: fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 10, noNaN: true })),
    // Pools of 30 or more residuals are drawn from; shorter ones fall back to normal wobble.
    pool: fc.oneof(fc.constant(null), fc.array(residual, { minLength: 1, maxLength: 29 }), fc.array(residual, { minLength: 30, maxLength: 200, size: 'max' })),
    // Where the limit sits, as a share of how far the paths can rise: some limits every path reaches, some none.
    reach: fc.double({ min: 0.02, max: 1.5, noNaN: true }),
    level: fc.constantFrom(0.8, 0.9, 0.95),
  })
  .map(({ h, base, slope, width, noise, pool, reach, level }): PassageInput => {
    const limit = base + 1 + reach * (Math.abs(slope) * h + 3 * width * Math.sqrt(h) + 30);
    const point = Float64Array.from({ length: h }, (_, k) => base + slope * (k + 1));
    return {
      ends: Float64Array.from({ length: h }, (_, k) => (k + 1) * DAY),
      point,
      lower: point.map((v, k) => v - width * Math.sqrt(k + 1)),
      upper: point.map((v, k) => v + 1.3 * width * Math.sqrt(k + 1)),
      noise,
      ...(pool ? { residuals: Float64Array.from(pool) } : {}),
      level,
      // A capacity step half way, as a capacity change in the plan gives.
      limits: Float64Array.from({ length: h }, (_, k) => (k < h / 2 ? limit : limit * 1.2)),
      start: { t: 0, value: base },
    };
  });

describe('firstPassage (inlined generator, out-of-reach paths skipped)', () => {
  it('gives exactly the numbers of its plain form, for pooled, normal and no wobble, limits in and out of reach', () => {
    let pooledAndReached = 0;
    fc.assert(
      fc.property(passageInput, (input) => {
        const plain = plainFirstPassage(input);
        if (input.residuals && input.residuals.length >= 30 && input.noise > 0 && plain.pNever > 0 && plain.pNever < 1) pooledAndReached++;
        expect(firstPassage(input)).toEqual(plain);
      }),
      { numRuns: 500, seed: 15 },
    );
    // The cases that matter most for the skipping: residual pools, and limits some paths reach.
    expect(pooledAndReached).toBeGreaterThan(20);
  });
});
