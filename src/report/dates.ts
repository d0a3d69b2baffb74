/** Dates for reports: always in an explicit, named time zone. */

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

/** `2027-03-02` in `timeZone`. */
export function formatDate(ms: number | null, timeZone: string): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  return formatter(timeZone, false).format(ms);
}

/** `2027-03-02 14:00` in `timeZone`. */
export function formatDateTime(ms: number | null, timeZone: string): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  return formatter(timeZone, true).format(ms).replace(', ', ' ');
}

/** Throws a RangeError for an unknown IANA zone, so bad --tz values fail early. */
export function checkTimeZone(timeZone: string): string {
  formatter(timeZone, false);
  return timeZone;
}

/** Whole days from `fromMs` to `toMs` (negative when in the past). */
export function daysBetween(fromMs: number, toMs: number): number {
  return Math.round((toMs - fromMs) / 86_400_000);
}
