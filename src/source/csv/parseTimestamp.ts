import { readQuarterText } from '../../time/quarterText.js';
const ISO = /^(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;


/**
 * Parses a timestamp to ms UTC, or null when it is not one. Accepts ISO-8601
 * (a missing zone means UTC, never the machine's zone), `2026-01` (a month),
 * `2026-Q1` (a quarter's first day), and unix seconds or milliseconds
 * (told apart by magnitude: below 1e11 are seconds, i.e. before year 5138).
 */
export function parseTimestamp(text: string): number | null {
  const s = text.trim();
  const fast = fixedIso(s);
  if (fast !== undefined) return fast;
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    if (!Number.isFinite(n)) return null;
    return Math.abs(n) < 1e11 ? Math.round(n * 1000) : Math.round(n);
  }
  // A quarter's first day, UTC (calendar quarters: a timestamp has no fiscal year).
  const q = readQuarterText(s);
  if (q) return Date.UTC(q.year, (q.quarter - 1) * 3, 1);
  const m = ISO.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const month = Number(mo);
  const day = d === undefined ? 1 : Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = sec === undefined ? 0 : Number(sec);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  let ms = Date.UTC(Number(y), month - 1, day, hour, minute, second) + (frac ? Math.round(Number(frac) * 1000) : 0);
  // Date.UTC rolls 2026-02-31 over to March: reject instead of guessing.
  if (new Date(ms).getUTCDate() !== day) return null;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

const DIGIT_0 = 0x30;

/**
 * The shape almost every exported file uses, `2026-01-31T12:00:00Z` with
 * optional `.sss` and zone (or a space for the T), read without a regex: a CSV
 * of hourly series is mostly timestamps, and this is several times faster.
 * Returns undefined for anything else (including seconds = 60 and years before
 * 1970) so the general parser decides; the results agree wherever both apply.
 */
function fixedIso(s: string): number | null | undefined {
  const n = s.length;
  if (n !== 19 && n !== 20 && n !== 23 && n !== 24) return undefined;
  const c10 = s.charCodeAt(10);
  if (s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d || (c10 !== 0x54 && c10 !== 0x20) || s.charCodeAt(13) !== 0x3a || s.charCodeAt(16) !== 0x3a) return undefined;
  const hasFraction = n >= 23;
  if (hasFraction && s.charCodeAt(19) !== 0x2e) return undefined;
  if ((n === 20 || n === 24) && s.charCodeAt(n - 1) !== 0x5a) return undefined;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const millis = hasFraction ? digits(s, 20, 3) : 0;
  if (year < 1970 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || millis < 0 || second > 59) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second) + millis;
}

/** The decimal number in s[from, from + count), or -1 if any character is not a digit. */
function digits(s: string, from: number, count: number): number {
  let v = 0;
  for (let k = from; k < from + count; k++) {
    const d = s.charCodeAt(k) - DIGIT_0;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
