import type { UsageView } from './usageView.js';

/** What to order and when, to keep the target headroom through the horizon. */
export interface Recommendation {
  readonly action: 'none' | 'add';
  /** Capacity to add (in the series unit); 0 with `none`. */
  readonly amount: number;
  /** When usage first eats into the target headroom; null when it never does within the horizon. */
  readonly neededByMs: number | null;
  /** `neededBy` minus the procurement lead time. */
  readonly orderByMs: number | null;
  /** The order date has already passed: expedite. */
  readonly late: boolean;
  readonly risk: 'conservative' | 'expected';
  readonly targetHeadroom: number;
}

export interface RecommendOptions {
  /** Fraction of capacity to keep free (0.2 keeps 20%). */
  readonly targetHeadroom: number;
  readonly leadTimeMs: number;
  /** `conservative` plans on the 80% band's upper edge; `expected` on the median. */
  readonly risk: 'conservative' | 'expected';
  readonly nowMs: number;
}

/**
 * Sizes the addition as the largest shortfall over the horizon of capacity
 * against usage / (1 − target), so headroom holds at the worst step, not only
 * at the end, and dates it by the first step with a shortfall.
 */
export function recommend(u: UsageView, o: RecommendOptions): Recommendation {
  const usage = o.risk === 'conservative' ? u.conservative : u.expected;
  const keep = 1 - o.targetHeadroom;
  let amount = Math.max(0, u.usedNow / keep - (u.capacity[0] ?? NaN));
  let neededBy: number | null = amount > 0 ? o.nowMs : null;
  for (let k = 0; k < usage.length; k++) {
    const shortfall = usage[k] / keep - u.capacity[k];
    if (shortfall >= 0 && neededBy === null) neededBy = u.timestamps[k];
    amount = Math.max(amount, shortfall);
  }
  if (!(amount > 0) || neededBy === null) {
    return { action: 'none', amount: 0, neededByMs: null, orderByMs: null, late: false, risk: o.risk, targetHeadroom: o.targetHeadroom };
  }
  const orderBy = neededBy - o.leadTimeMs;
  return { action: 'add', amount, neededByMs: neededBy, orderByMs: orderBy, late: orderBy < o.nowMs, risk: o.risk, targetHeadroom: o.targetHeadroom };
}
