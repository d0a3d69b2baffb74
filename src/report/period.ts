import { TZDate, tz } from '@date-fns/tz';
import { addDays, addQuarters, getQuarter, getYear, startOfQuarter } from 'date-fns';
import { formatDate } from './dates.js';
import type { ReportPeriod } from './ReportModel.js';

/** The calendar quarter containing `ms`, its boundaries at midnight in `timeZone`. */
export function quarterOf(ms: number, timeZone: string): ReportPeriod {
  const ctx = { in: tz(timeZone) };
  const start = startOfQuarter(ms, ctx);
  return quarterFrom(start.getTime(), timeZone);
}

/** Parses `2027-Q1` (case-insensitive); null when it is not one. */
export function parseQuarter(text: string, timeZone: string): ReportPeriod | null {
  const m = /^(\d{4})-?Q([1-4])$/i.exec(text.trim());
  if (!m) return null;
  const start = new TZDate(Number(m[1]), (Number(m[2]) - 1) * 3, 1, timeZone);
  return quarterFrom(start.getTime(), timeZone);
}

/** A range of whole days, `from` and `to` inclusive (`YYYY-MM-DD` in `timeZone`); null when unparsable or empty. */
export function parseRange(from: string, to: string, timeZone: string): ReportPeriod | null {
  const a = parseDay(from, timeZone);
  const b = parseDay(to, timeZone);
  if (a === null || b === null || b < a) return null;
  const end = addDays(b, 1, { in: tz(timeZone) }).getTime();
  return { kind: 'range', label: `${formatDate(a, timeZone)} – ${formatDate(b, timeZone)}`, startMs: a, endMs: end };
}

/** The period right after `p`: the next quarter, or a range of the same number of days. */
export function nextPeriod(p: ReportPeriod, timeZone: string): ReportPeriod {
  if (p.kind === 'quarter') return quarterFrom(addQuarters(p.startMs, 1, { in: tz(timeZone) }).getTime(), timeZone);
  const days = Math.round((p.endMs - p.startMs) / 86_400_000);
  const end = addDays(p.endMs, days, { in: tz(timeZone) }).getTime();
  return { kind: 'range', label: `${formatDate(p.endMs, timeZone)} – ${formatDate(end - 1, timeZone)}`, startMs: p.endMs, endMs: end };
}

/** The last day inside the period, as a date in `timeZone` (`2027-03-31`). */
export function lastDay(p: ReportPeriod, timeZone: string): string {
  return formatDate(p.endMs - 1, timeZone);
}

function quarterFrom(startMs: number, timeZone: string): ReportPeriod {
  const ctx = { in: tz(timeZone) };
  const end = addQuarters(startMs, 1, ctx).getTime();
  return { kind: 'quarter', label: `${getYear(startMs, ctx)}-Q${getQuarter(startMs, ctx)}`, startMs, endMs: end };
}

function parseDay(text: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new TZDate(y, mo - 1, d, timeZone);
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return null;
  return date.getTime();
}
