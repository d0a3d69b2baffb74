import type { Step } from './Step.js';
import { DAY } from '../time/constants.js';


/** Seasonal periods worth testing for a step, in steps: daily, weekly, yearly (or 12 months, 4 quarters). */
export function candidatePeriods(step: Step): number[] {
  if (step.kind === 'months') return step.months === 1 ? [12] : step.months === 3 ? [4] : [];
  const out: number[] = [];
  for (const span of [DAY, 7 * DAY, 365 * DAY]) {
    const p = span / step.ms;
    if (p >= 2 && Number.isInteger(p)) out.push(p);
  }
  return out;
}

/** A detected period and how much of the detrended variance its profile explains. */
export interface DetectedPeriod {
  readonly period: number;
  readonly strength: number;
}

/**
 * Which candidate periods are present. A period counts when the average
 * profile by phase explains a fair share of the variance left after removing
 * a moving-average trend, and (for a multiple of a period already found, such
 * as a week of hours after the day) a fair share of what the shorter one leaves unexplained.
 * Needs two full cycles.
 */
export function detectSeasonality(y: Float64Array, step: Step, threshold = 0.2): DetectedPeriod[] {
  const found: DetectedPeriod[] = [];
  for (const p of candidatePeriods(step)) {
    if (y.length < 2 * p) continue;
    const r = detrend(y, p);
    const sp = profileStrength(r, p) - p / r.length;
    const divisors = found.filter((f) => p % f.period === 0);
    if (sp < threshold) continue;
    if (divisors.length === 0) {
      found.push({ period: p, strength: sp });
      continue;
    }
    // A multiple (a week after a day) counts when it cuts the residual variance the shorter cycle
    // leaves, per degree of freedom, by a fair share: a weekend that only damps the daily profile
    // explains little of the total but most of the rest, while chance alone cuts nothing.
    const n = r.length;
    const leftByMultiple = (1 - profileStrength(r, p)) / (n - p);
    const leftByShorter = Math.min(...divisors.map((f) => (1 - profileStrength(r, f.period)) / (n - f.period)));
    if (1 - leftByMultiple / leftByShorter >= threshold / 4) found.push({ period: p, strength: sp });
  }
  return found;
}

/** y minus its centred moving average of width p (edges use the nearest full window). */
function detrend(y: Float64Array, p: number): Float64Array {
  const n = y.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + y[i];
  const r = new Float64Array(n);
  const half = Math.floor(p / 2);
  for (let i = 0; i < n; i++) {
    const start = Math.min(Math.max(0, i - half), n - p);
    r[i] = y[i] - (prefix[start + p] - prefix[start]) / p;
  }
  return r;
}

/** Share of variance of r explained by its mean per phase (i mod p). */
function profileStrength(r: Float64Array, p: number): number {
  const sums = new Float64Array(p);
  const counts = new Float64Array(p);
  let mean = 0;
  for (let i = 0; i < r.length; i++) {
    sums[i % p] += r[i];
    counts[i % p]++;
    mean += r[i];
  }
  mean /= r.length;
  let total = 0;
  let residual = 0;
  for (let i = 0; i < r.length; i++) {
    const d = r[i] - mean;
    const e = r[i] - sums[i % p] / counts[i % p];
    total += d * d;
    residual += e * e;
  }
  return total > 0 ? 1 - residual / total : 0;
}
