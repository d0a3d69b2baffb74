import { daysBetween, formatDate } from '../time/dates.js';
import { headlineExhaustion, type ResourceReport } from './ReportModel.js';
import { formatQuantity } from './units.js';

/** The headroom a recommendation aims to keep through the horizon. */
const TARGET_UTILISATION = 0.8;
const DAY = 86_400_000;

/**
 * One sentence saying what to do about a resource, from how soon it may run
 * out (the earliest plausible date, p10) and, for rising usage, how much
 * capacity keeps it under 80% through the horizon at the upper band.
 */
export function recommendAction(r: ResourceReport, asOfMs: number, horizonEndMs: number | null, tz: string): string {
  const e = headlineExhaustion(r);
  if (!e || e.status === 'beyond_horizon') return horizonEndMs === null ? 'No action needed.' : `No action needed before ${formatDate(horizonEndMs, tz)}.`;
  const add = amountText(r, horizonEndMs, tz);
  if (e.status === 'past') return `At capacity now: add capacity or shed load immediately${add ? `; ${add}` : ''}.`;
  const first = e.p10Ms ?? e.p50Ms;
  if (first === null) return 'Review: the forecast crosses capacity but the date is uncertain.';
  const days = daysBetween(asOfMs, first);
  if (days <= 14) return `Act this week: may be full in ${Math.max(days, 0)} days (${formatDate(first, tz)})${add ? `; ${add}` : ''}.`;
  if (days <= 60) return `Order capacity now: may be full from ${formatDate(first, tz)}${add ? `; ${add}` : ''}.`;
  return `Plan an expansion before ${formatDate(first - 30 * DAY, tz)} (30 days ahead of the earliest plausible date)${add ? `; ${add}` : ''}.`;
}

function amountText(r: ResourceReport, horizonEndMs: number | null, tz: string): string | null {
  if (r.direction !== 'rising' || r.capacity === null || r.capacity <= 0) return null;
  const peak = r.forecastPeak.upper ?? r.forecastPeak.p50;
  if (peak === null || !Number.isFinite(peak)) return null;
  const needed = peak / TARGET_UTILISATION - r.capacity;
  if (needed <= 0) return null;
  return `adding about ${formatQuantity(needed, r.unit)} keeps it under ${Math.round(TARGET_UTILISATION * 100)}% until ${formatDate(horizonEndMs, tz)}`;
}
