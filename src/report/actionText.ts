import { DAY } from '../time/constants.js';
import { formatDate } from '../time/dates.js';
import { headlineExhaustion, type ResourceReport } from './ReportModel.js';
import { formatPercent, formatQuantity } from './units.js';

/**
 * What to do about a resource, in one sentence, from the run's stored
 * recommendation (forecast/recommend.ts with the plan's target headroom, lead
 * time and risk): the same amount and dates `capplan headroom` prints.
 */
export function recommendationText(r: ResourceReport, horizonEndMs: number | null, tz: string): string {
  const rec = r.recommendation;
  const e = headlineExhaustion(r);
  if (!rec) {
    if (e?.status === 'past') return 'At capacity now: add capacity or shed load.';
    return horizonEndMs === null ? 'No action needed.' : `No action needed before ${formatDate(horizonEndMs, tz)}.`;
  }
  const keep = `keeps ${formatPercent(rec.targetHeadroom)} free`;
  if (rec.action === 'none') return `No order needed before ${formatDate(horizonEndMs, tz)} (${keep}).`;
  const amount = formatQuantity(rec.amount, r.unit);
  const lead = `${Math.round(rec.leadTimeMs / DAY)} d lead time`;
  if (rec.late) return `Late: order ${amount} now; needed by ${formatDate(rec.neededByMs, tz)}, the order-by date ${formatDate(rec.orderByMs, tz)} (${lead}) has passed.`;
  return `Order ${amount} by ${formatDate(rec.orderByMs, tz)} (needed by ${formatDate(rec.neededByMs, tz)}, ${lead}; ${keep}).`;
}
