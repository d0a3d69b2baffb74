import { probit } from 'simple-statistics';

/** Quantiles of the first time sample paths reach a limit, with the share that never does. */
export interface FirstPassage {
  /** 10th, 50th and 90th percentiles of the passage time (ms); null where that share of paths never reaches it. */
  readonly p10: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  /** Share of paths that do not reach the limit within the horizon. */
  readonly pNever: number;
}

/** What the paths are drawn from: a calibrated band and the signal's own step-to-step noise. */
export interface PassageInput {
  /** Time each step's value is reached by (bucket ends for peak envelopes). */
  readonly ends: Float64Array;
  readonly point: Float64Array;
  /** The band at `level` (0.8: the 10th and 90th percentiles of each step's value). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Standard deviation of the signal around its own course (day-to-day wobble of the daily peaks). */
  readonly noise: number;
  /** Recent residuals of the signal: when 30 or more, each step's wobble is one of them, drawn at random (heavy tails, spikes). */
  readonly residuals?: Float64Array;
  /** The band's level; the passage quantiles returned are (1 − level)/2, 1/2 and (1 + level)/2. */
  readonly level: number;
  /** The limit at each step; reached when the value is ≥ it (callers mirror falling resources). */
  readonly limits: Float64Array;
  /** Where the signal is now. */
  readonly start: { readonly t: number; readonly value: number };
}

const PATHS = 1000;

/**
 * First-passage quantiles over sample paths. The band is split into a part
 * every step shares (level and trend uncertainty: one standard-normal draw
 * per path scales the band's upper or lower half-width, so a path is a
 * quantile curve of the band) and the signal's independent wobble (the
 * noise), which the band also contains at each step. A noisy path reaches
 * a limit before its smooth course does: the realized daily peaks touch
 * capacity on their first high day, and that is when it runs out. The
 * shared part's half-width is what remains of the band after the noise,
 * so each step's spread matches the calibrated band.
 *
 * Deterministic: a fixed-seed generator and stratified draws for the shared part.
 */
export function firstPassage(input: PassageInput): FirstPassage {
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
  const pool = input.residuals && input.residuals.length >= 30 && sigma > 0 ? input.residuals : null;
  const zs = strataZ();
  const times = new Float64Array(PATHS);
  // The paths take ~1,000 × h steps per threshold per series, the hot loop of a fleet run: the generator
  // (mulberry32) is written out inline with its state in a local, and no closure is called per step
  // (a closure over mutable state ran 2.7× slower). The draws and the arithmetic are those of the plain form:
  // one uniform per step from the residual pool, or two for a Box–Muller normal.
  let state = 0x5eed >>> 0;
  const startGap = start.value - limits[0];
  // Paths whose course stays below the limit by more than the largest wobble can never reach it. The course
  // rises with z (z < 0 takes the lower half-width, z ≥ 0 the upper), and z with m, so they are the first
  // paths: found by bisection, set to "never", and their draws skipped by moving the generator's state,
  // a counter, as far as they would have (one draw per step each). Normal wobble is unbounded: no skip.
  const maxWobble = pool ? largest(pool) : sigma > 0 ? Infinity : 0;
  const canReach = (m: number): boolean => {
    const z = zs[m];
    const spread = z >= 0 ? up : down;
    for (let k = 0; k < h; k++) if (!(point[k] + z * spread[k] + maxWobble < limits[k])) return true;
    return false;
  };
  let first = 0;
  if (maxWobble !== Infinity) {
    let hi = PATHS;
    while (first < hi) {
      const mid = (first + hi) >>> 1;
      if (canReach(mid)) hi = mid;
      else first = mid + 1;
    }
  }
  times.fill(Infinity, 0, first);
  if (pool) state = (state + (Math.imul((first * h) >>> 0, 0x6d2b79f5) >>> 0)) >>> 0;
  for (let m = first; m < PATHS; m++) {
    const z = zs[m];
    const spread = z >= 0 ? up : down;
    let prevT = start.t;
    let prevGap = startGap;
    let hit = Infinity;
    for (let k = 0; k < h; k++) {
      let wobble = 0;
      if (pool) {
        let t = (state = (state + 0x6d2b79f5) >>> 0);
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        wobble = pool[Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * pool.length)];
      } else if (sigma > 0) {
        let t = (state = (state + 0x6d2b79f5) >>> 0);
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        const u1 = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
        t = state = (state + 0x6d2b79f5) >>> 0;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        const u2 = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
        wobble = sigma * (Math.sqrt(-2 * Math.log(Math.max(u1, 1e-300))) * Math.cos(2 * Math.PI * u2));
      }
      const v = point[k] + z * spread[k] + wobble;
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

/** The largest value; Infinity when any is NaN, so nothing is taken as out of reach. */
function largest(values: Float64Array): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) return Infinity;
    if (values[i] > max) max = values[i];
  }
  return max;
}

let zTable: Float64Array | null = null;

/** The stratified standard-normal draws of the shared part, one per path: the same for every call, so made once. */
function strataZ(): Float64Array {
  if (!zTable) {
    zTable = new Float64Array(PATHS);
    for (let m = 0; m < PATHS; m++) zTable[m] = probit((m + 0.5) / PATHS);
  }
  return zTable;
}
