import { UsageError } from '../errors.js';

/** A planning quarter: [startMs, endMs) in UTC, labelled by calendar or fiscal year. */
export interface Quarter {
  readonly label: string;
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * The quarter containing `ms`. With a fiscal year starting in month
 * `fiscalStartMonth` (1 = January, the calendar), the fiscal year is named
 * after the calendar year it ends in (FY2027 starting April 2026), the
 * common convention; calendar quarters read `2027-Q1`.
 */
export function quarterOf(ms: number, fiscalStartMonth = 1): Quarter {
  checkMonth(fiscalStartMonth);
  const d = new Date(ms);
  const offset = fiscalStartMonth - 1;
  const monthsIntoFy = (d.getUTCMonth() - offset + 12) % 12;
  const q = Math.floor(monthsIntoFy / 3);
  const startMonth = d.getUTCMonth() - (monthsIntoFy % 3);
  const startMs = Date.UTC(d.getUTCFullYear(), startMonth, 1);
  const endMs = Date.UTC(d.getUTCFullYear(), startMonth + 3, 1);
  const fyStart = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - monthsIntoFy, 1));
  const label = offset === 0 ? `${fyStart.getUTCFullYear()}-Q${q + 1}` : `FY${fyStart.getUTCFullYear() + 1}-Q${q + 1}`;
  return { label, startMs, endMs };
}

/** `count` consecutive quarters from the one containing `ms`. */
export function quartersFrom(ms: number, count: number, fiscalStartMonth = 1): Quarter[] {
  const out: Quarter[] = [];
  let t = ms;
  for (let i = 0; i < count; i++) {
    const q = quarterOf(t, fiscalStartMonth);
    out.push(q);
    t = q.endMs;
  }
  return out;
}

/** Parses `2027-Q1` (calendar) or `FY2027-Q1` (fiscal, with `fiscalStartMonth`). */
export function parseQuarter(text: string, fiscalStartMonth = 1): Quarter {
  const m = /^(FY)?(\d{4})-?Q([1-4])$/i.exec(text.trim());
  if (!m) throw new UsageError(`--quarter: '${text}' is not a quarter (expected e.g. 2027-Q1 or FY2027-Q1)`);
  const year = Number(m[2]);
  const q = Number(m[3]) - 1;
  const fiscal = Boolean(m[1]) || fiscalStartMonth !== 1;
  const startMonth = fiscal ? fiscalStartMonth - 1 - (fiscalStartMonth === 1 ? 0 : 12) + 3 * q : 3 * q;
  return quarterOf(Date.UTC(year, startMonth, 1), fiscal ? fiscalStartMonth : 1);
}

function checkMonth(m: number): void {
  if (!Number.isInteger(m) || m < 1 || m > 12) throw new UsageError(`fiscal year start month ${m} must be 1 to 12`);
}
