import { TZDate } from '@date-fns/tz';
import { readQuarterText } from './quarterText.js';

/** A planning quarter: [startMs, endMs) with boundaries at local midnight of its time zone. */
export interface Quarter {
  /** `2027-Q1` (calendar years) or `FY2027-Q4` (fiscal years). */
  readonly label: string;
  readonly startMs: number;
  /** Exclusive. */
  readonly endMs: number;
}

/** How years are cut into quarters: where the fiscal year starts, and in which zone days begin. */
export interface QuarterCalendar {
  /** 1 = January (calendar years); 4 = fiscal years starting in April. */
  readonly fiscalYearStartMonth: number;
  /** IANA zone of the quarter boundaries. */
  readonly timeZone: string;
}

export const UTC_CALENDAR: QuarterCalendar = { fiscalYearStartMonth: 1, timeZone: 'UTC' };

/**
 * The quarter containing `ms`. A fiscal year is named after the calendar year
 * it ends in (FY2027 starts in April 2026), the common convention; calendar
 * quarters read `2027-Q1`. Throws a RangeError for a month outside 1–12.
 */
export function quarterOf(ms: number, calendar: QuarterCalendar = UTC_CALENDAR): Quarter {
  const fs = checkMonth(calendar.fiscalYearStartMonth);
  const local = new TZDate(ms, calendar.timeZone);
  const y = local.getFullYear();
  const m = local.getMonth();
  const monthsIntoFy = (m - (fs - 1) + 12) % 12;
  const q = Math.floor(monthsIntoFy / 3);
  const startMonth = m - (monthsIntoFy % 3);
  const startMs = new TZDate(y, startMonth, 1, calendar.timeZone).getTime();
  const endMs = new TZDate(y, startMonth + 3, 1, calendar.timeZone).getTime();
  const fyStartYear = Math.floor((y * 12 + m - monthsIntoFy) / 12);
  const label = fs === 1 ? `${fyStartYear}-Q${q + 1}` : `FY${fyStartYear + 1}-Q${q + 1}`;
  return { label, startMs, endMs };
}

/** `count` consecutive quarters from the one containing `ms`. */
export function quartersFrom(ms: number, count: number, calendar: QuarterCalendar = UTC_CALENDAR): Quarter[] {
  const out: Quarter[] = [];
  let t = ms;
  for (let i = 0; i < count; i++) {
    const q = quarterOf(t, calendar);
    out.push(q);
    t = q.endMs;
  }
  return out;
}

/** The quarter right after `q`. */
export function nextQuarter(q: Quarter, calendar: QuarterCalendar = UTC_CALENDAR): Quarter {
  return quarterOf(q.endMs, calendar);
}

/**
 * Parses `2027-Q1` or `FY2027-Q1` (case-insensitive, the dash optional); null
 * when the text is not a quarter. With fiscal years (start month other than
 * January) both forms name the fiscal quarter, so `2027-Q1` is `FY2027-Q1`.
 */
export function parseQuarter(text: string, calendar: QuarterCalendar = UTC_CALENDAR): Quarter | null {
  const named = readQuarterText(text);
  if (!named) return null;
  const fs = checkMonth(calendar.fiscalYearStartMonth);
  const year = named.year;
  const q = named.quarter - 1;
  const startMonth = fs === 1 ? 3 * q : fs - 1 - 12 + 3 * q;
  return quarterOf(new TZDate(year, startMonth, 1, calendar.timeZone).getTime(), calendar);
}

function checkMonth(m: number): number {
  if (!Number.isInteger(m) || m < 1 || m > 12) throw new RangeError(`fiscal year start month ${m} must be 1 to 12`);
  return m;
}
