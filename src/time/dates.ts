import { DAY } from './constants.js';

/** Dates for people: always in an explicit, named IANA time zone. */

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withTime}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
    });
    cache.set(key, f);
  }
  return f;
}

/** `2027-03-02` in `timeZone`; `–` for null. */
export function formatDate(ms: number | null, timeZone: string): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  return formatter(timeZone, false).format(ms);
}

/** `2027-03-02 14:00` in `timeZone`; `–` for null. */
export function formatDateTime(ms: number | null, timeZone: string): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  return formatter(timeZone, true).format(ms).replace(', ', ' ');
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone, false);
    return true;
  } catch {
    return false;
  }
}

/** Whole days from `fromMs` to `toMs`, rounded (negative when `toMs` is earlier). */
export function daysBetween(fromMs: number, toMs: number): number {
  return Math.round((toMs - fromMs) / DAY);
}

/** ISO-8601 UTC (`2027-03-02T00:00:00.000Z`), or null for null and non-finite values. */
export function isoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}
