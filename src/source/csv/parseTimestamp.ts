import { parseQuarter } from '../../time/quarters.js';
const ISO = /^(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;


/**
 * Parses a timestamp to ms UTC, or null when it is not one. Accepts ISO-8601
 * (a missing zone means UTC, never the machine's zone), `2026-01` (a month),
 * `2026-Q1` (a quarter's first day), and unix seconds or milliseconds
 * (told apart by magnitude: below 1e11 are seconds, i.e. before year 5138).
 */
export function parseTimestamp(text: string): number | null {
  const s = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    if (!Number.isFinite(n)) return null;
    return Math.abs(n) < 1e11 ? Math.round(n * 1000) : Math.round(n);
  }
  const q = parseQuarter(s);
  if (q) return q.startMs;
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
