import { UsageError } from '../errors.js';
import { DAY, HOUR, MINUTE, SECOND, WEEK, YEAR } from './constants.js';

const UNIT_MS = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY, w: WEEK, y: YEAR } as const;
type Unit = keyof typeof UNIT_MS;

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/y;

/**
 * Parses a Prometheus-style duration (`90d`, `12w`, `36h`, `1h30m`, `5m`) into
 * milliseconds. Rejects negatives, zero, overflow and anything unparsable, naming
 * `what` (the flag or YAML path) in the message.
 */
export function parseDuration(text: string, what = 'duration'): number {
  const s = text.trim();
  if (s === '') throw new UsageError(`${what}: empty duration (expected e.g. 90d, 12w, 36h)`);
  PART.lastIndex = 0;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    PART.lastIndex = pos;
    const m = PART.exec(s);
    if (!m) throw new UsageError(`${what}: '${text}' is not a duration (expected e.g. 90d, 12w, 36h, 1h30m)`);
    total += Number(m[1]) * UNIT_MS[m[2] as Unit];
    pos = PART.lastIndex;
  }
  // Decimal fractions of units carry float noise (0.1h); a sub-millisecond remainder is a real fraction.
  const whole = Math.round(total);
  if (!Number.isFinite(total) || Math.abs(total - whole) > 1e-6 || whole <= 0 || whole > 1000 * UNIT_MS.y) {
    throw new UsageError(`${what}: '${text}' is out of range (must be a whole number of milliseconds, positive, at most 1000y)`);
  }
  return whole;
}

/** Formats milliseconds as the shortest exact Prometheus duration (`3600000` → `1h`). */
export function formatDuration(ms: number): string {
  if (ms <= 0 || !Number.isFinite(ms)) return `${ms}ms`;
  const units: Unit[] = ['w', 'd', 'h', 'm', 's', 'ms'];
  for (const u of units) {
    if (ms % UNIT_MS[u] === 0) return `${ms / UNIT_MS[u]}${u}`;
  }
  return `${ms}ms`;
}

export const MS = UNIT_MS;
