import type { Quarter } from '../time/quarters.js';
import type { UsageView } from './usageView.js';

/** Headroom over one period: capacity left above the period's peak usage. */
export interface PeriodHeadroom {
  readonly label: string;
  readonly endMs: number;
  readonly capacity: number;
  /** Peak forecast usage in the period, expected and conservative (80% upper edge). */
  readonly peakExpected: number;
  readonly peakConservative: number;
  readonly headroomExpected: number;
  readonly headroomConservative: number;
  /** Headroom as a fraction of capacity. */
  readonly ratioExpected: number;
  readonly ratioConservative: number;
  /** False when the forecast does not reach the period's end (the horizon is shorter). */
  readonly complete: boolean;
}

/**
 * Headroom now and in each quarter: capacity at the quarter's end minus the
 * highest usage forecast within it, because capacity must hold the quarter's
 * peak, not its average or its last day.
 */
export function quarterHeadroom(u: UsageView, quarters: readonly Quarter[], nowMs: number): PeriodHeadroom[] {
  const out: PeriodHeadroom[] = [];
  for (const q of quarters) {
    let peakE = -Infinity;
    let peakC = -Infinity;
    let cap = NaN;
    const from = Math.max(q.startMs, nowMs);
    for (let k = 0; k < u.timestamps.length; k++) {
      const t = u.timestamps[k];
      if (t < from || t >= q.endMs) continue;
      peakE = Math.max(peakE, u.expected[k]);
      peakC = Math.max(peakC, u.conservative[k]);
      cap = u.capacity[k];
    }
    if (!Number.isFinite(peakE)) continue;
    if (q.startMs <= nowMs) {
      peakE = Math.max(peakE, u.usedNow);
      peakC = Math.max(peakC, u.usedNow);
    }
    const last = u.timestamps[u.timestamps.length - 1];
    out.push({
      label: q.label,
      endMs: q.endMs,
      capacity: cap,
      peakExpected: peakE,
      peakConservative: peakC,
      headroomExpected: cap - peakE,
      headroomConservative: cap - peakC,
      ratioExpected: (cap - peakE) / cap,
      ratioConservative: (cap - peakC) / cap,
      complete: last >= q.endMs - 86_400_000,
    });
  }
  return out;
}
