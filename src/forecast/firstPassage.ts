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
  const rng = mulberry32(0x5eed);
  const pool = input.residuals && input.residuals.length >= 30 && sigma > 0 ? input.residuals : null;
  const wobble = pool ? () => pool[Math.floor(rng() * pool.length)] : sigma > 0 ? () => sigma * normal(rng) : () => 0;
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

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(rng(), 1e-300))) * Math.cos(2 * Math.PI * rng());
}
