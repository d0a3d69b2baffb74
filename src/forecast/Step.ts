import { DAY } from '../time/constants.js';

/**
 * The spacing of a series: a fixed number of milliseconds, or whole calendar
 * months (monthly = 1, quarterly = 3) because months are not a fixed length.
 */
export type Step = { readonly kind: 'fixed'; readonly ms: number } | { readonly kind: 'months'; readonly months: number };

/** Average length of a step in ms (months count as 30.44 days). */
export function nominalMs(step: Step): number {
  return step.kind === 'fixed' ? step.ms : step.months * 30.436875 * DAY;
}

/** The timestamp `k` steps after `t0` (UTC calendar for months). */
export function addSteps(t0: number, step: Step, k: number): number {
  if (step.kind === 'fixed') return t0 + k * step.ms;
  const d = new Date(t0);
  return Date.UTC(
    d.getUTCFullYear(), d.getUTCMonth() + k * step.months, d.getUTCDate(),
    d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds(),
  );
}

/** Index of `t` on the grid starting at `t0` (rounded to the nearest step). */
export function stepIndex(t0: number, step: Step, t: number): number {
  if (step.kind === 'fixed') return Math.round((t - t0) / step.ms);
  const a = new Date(t0);
  const b = new Date(t);
  const months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  return Math.round(months / step.months);
}

/** "1h", "1d", "1 month", "1 quarter": how the step reads in reports. */
export function stepText(step: Step): string {
  if (step.kind === 'months') return step.months === 3 ? 'quarter' : step.months === 12 ? 'year' : step.months === 1 ? 'month' : step.months % 12 === 0 ? `${step.months / 12} years` : `${step.months} months`;
  const ms = step.ms;
  if (ms % DAY === 0) return `${ms / DAY}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}

/**
 * Infers the step from sorted, distinct timestamps: the most frequent spacing
 * (ties to the shorter, since gaps only ever lengthen spacings), or the median
 * when timestamps jitter so much that no spacing repeats; calendar
 * months/quarters/years when that spacing is 28–31, 89–92 or 365–366 days
 * (and whole multiples of years, such as a decennial census).
 */
export function inferStep(timestamps: Float64Array): Step {
  const diffs = new Float64Array(timestamps.length - 1);
  for (let i = 1; i < timestamps.length; i++) diffs[i - 1] = timestamps[i] - timestamps[i - 1];
  diffs.sort();
  const counts = new Map<number, number>();
  // Calendar spacings differ by a few days; bucket them as one.
  const key = (d: number) => (d >= 28 * DAY && d <= 31 * DAY ? 30 * DAY : d >= 89 * DAY && d <= 92 * DAY ? 91 * DAY : wholeYears(d) ? wholeYears(d) * 365 * DAY : Math.round(d / 1000) * 1000);
  for (const d of diffs) counts.set(key(d), (counts.get(key(d)) ?? 0) + 1);
  let best = diffs[Math.floor(diffs.length / 2)];
  let bestCount = 0;
  for (const [d, c] of counts) if (c > bestCount || (c === bestCount && d < best)) [best, bestCount] = [d, c];
  if (bestCount * 5 < diffs.length) best = diffs[Math.floor(diffs.length / 2)];
  const days = best / DAY;
  if (days >= 28 && days <= 31) return { kind: 'months', months: 1 };
  if (days >= 89 && days <= 92) return { kind: 'months', months: 3 };
  const years = wholeYears(best);
  if (years) return { kind: 'months', months: 12 * years };
  return { kind: 'fixed', ms: best };
}

/** A spacing of whole calendar years (1 to 100; leap days allowed), or 0. A census every ten years is 3652 or 3653 days. */
function wholeYears(d: number): number {
  const years = Math.round(d / (365.2425 * DAY));
  if (years < 1 || years > 100) return 0;
  const days = d / DAY;
  return days >= 365 * years && days <= 365 * years + Math.ceil(years / 4) ? years : 0;
}
