import { TZDate, tz } from '@date-fns/tz';
import { addDays } from 'date-fns';
import { DAY } from './constants.js';
import { formatDate } from './dates.js';
import { nextQuarter, quarterOf, type QuarterCalendar } from './quarters.js';

/** A stretch of time a report is about: a quarter, or whole days from one date to another. */
export interface Period {
  readonly kind: 'quarter' | 'range';
  /** "2027-Q1", "FY2027-Q4" or "2027-01-01 – 2027-02-15". */
  readonly label: string;
  readonly startMs: number;
  /** Exclusive end. */
  readonly endMs: number;
}

/** The quarter containing `ms` as a period. */
export function quarterPeriod(ms: number, calendar: QuarterCalendar): Period {
  return { kind: 'quarter', ...quarterOf(ms, calendar) };
}

/** A range of whole days, `from` and `to` inclusive (`YYYY-MM-DD` in `timeZone`); null when unparsable or empty. */
export function parseRange(from: string, to: string, timeZone: string): Period | null {
  const a = parseDay(from, timeZone);
  const b = parseDay(to, timeZone);
  if (a === null || b === null || b < a) return null;
  const end = addDays(b, 1, { in: tz(timeZone) }).getTime();
  return { kind: 'range', label: `${formatDate(a, timeZone)} – ${formatDate(b, timeZone)}`, startMs: a, endMs: end };
}

/** The period right after `p`: the next quarter, or a range of the same number of days. */
export function nextPeriod(p: Period, calendar: QuarterCalendar): Period {
  if (p.kind === 'quarter') return { kind: 'quarter', ...nextQuarter(p, calendar) };
  const days = Math.round((p.endMs - p.startMs) / DAY);
  const end = addDays(p.endMs, days, { in: tz(calendar.timeZone) }).getTime();
  return { kind: 'range', label: `${formatDate(p.endMs, calendar.timeZone)} – ${formatDate(end - 1, calendar.timeZone)}`, startMs: p.endMs, endMs: end };
}

/** The last day inside the period, as a date in `timeZone` (`2027-03-31`). */
export function lastDay(p: Pick<Period, 'endMs'>, timeZone: string): string {
  return formatDate(p.endMs - 1, timeZone);
}

/** `YYYY-MM-DD` as local midnight in `timeZone`; null when it is not a real date. */
export function parseDay(text: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new TZDate(y, mo - 1, d, timeZone);
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return null;
  return date.getTime();
}
