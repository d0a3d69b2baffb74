/** Deterministic synthetic series for model tests. */
import { Prng } from '../../src/demo/prng.js';

/** mulberry32: a tiny seeded PRNG so every test run sees the same noise. (the demo's own, src/demo/prng.ts) */
export function prng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}

/** Standard normal draws (Box–Muller) from a seeded PRNG. */
export function gaussian(seed: number): () => number {
  const u = prng(seed);
  return () => {
    const u1 = Math.max(u(), 1e-12);
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u());
  };
}

/** y[t] = f(t) + sd·N(0,1). */
export function series(n: number, f: (t: number) => number, sd = 0, seed = 1): Float64Array {
  const g = gaussian(seed);
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) y[t] = f(t) + (sd > 0 ? sd * g() : 0);
  return y;
}

export const HOUR = 3_600_000;
export const hourly = { periods: [24, 168], stepMs: HOUR } as const;
export const hourlyNoSeason = { periods: [], stepMs: HOUR } as const;
