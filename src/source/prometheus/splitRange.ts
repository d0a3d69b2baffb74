import type { RangeResult } from './matrix.js';
import { concatResults } from './matrix.js';
import { PromApiError } from './PromApiError.js';

/** One query_range call's span: points at startMs + k·step up to endMs, both inclusive. */
export interface Window {
  readonly startMs: number;
  readonly endMs: number;
  readonly points: number;
}

/** Prometheus' and Mimir's per-series limit; VictoriaMetrics allows 30,000. */
export const DEFAULT_MAX_POINTS = 11_000;

/** Halving depth bound: 2^6 = 64 pieces of the original window, enough for any sane server limit. */
export const DEFAULT_MAX_HALVINGS = 6;

/**
 * Snaps [start, end] inward to multiples of the step since the epoch, so every
 * pull of a resource, incremental or not, asks for the same instants and
 * re-pulled overlap lands on timestamps already stored. Null when empty.
 */
export function alignRange(startMs: number, endMs: number, stepMs: number): { startMs: number; endMs: number } | null {
  const s = Math.ceil(startMs / stepMs) * stepMs;
  const e = Math.floor(endMs / stepMs) * stepMs;
  return s <= e ? { startMs: s, endMs: e } : null;
}

/**
 * Splits [start, end] (aligned to the step) into consecutive windows of at
 * most `maxPoints` points. Each window ends one step before the next starts,
 * so stitched results have neither duplicates nor holes at the seams.
 */
export function splitRange(startMs: number, endMs: number, stepMs: number, maxPoints = DEFAULT_MAX_POINTS): Window[] {
  if (!(stepMs > 0)) throw new RangeError(`step must be positive, got ${stepMs}`);
  if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new RangeError(`maxPoints must be a positive integer, got ${maxPoints}`);
  const aligned = alignRange(startMs, endMs, stepMs);
  if (!aligned) return [];
  const total = (aligned.endMs - aligned.startMs) / stepMs + 1;
  const windows: Window[] = [];
  for (let k = 0; k < total; k += maxPoints) {
    const points = Math.min(maxPoints, total - k);
    const s = aligned.startMs + k * stepMs;
    windows.push({ startMs: s, endMs: s + (points - 1) * stepMs, points });
  }
  return windows;
}

/** Two windows covering `w` exactly, split on a step boundary. */
export function halveWindow(w: Window, stepMs: number): [Window, Window] {
  const first = Math.ceil(w.points / 2);
  const mid = w.startMs + (first - 1) * stepMs;
  return [
    { startMs: w.startMs, endMs: mid, points: first },
    { startMs: mid + stepMs, endMs: w.endMs, points: w.points - first },
  ];
}

const TOO_LARGE = [
  /exceeded maximum resolution/i,
  /too many points/i,
  /would load too many samples/i,
  /query time range exceeds the limit/i,
  /max-query-length/i,
];

/**
 * Whether a failure would likely go away on a shorter range: a point limit
 * (Prometheus, VictoriaMetrics), a sample limit (422), a query length limit
 * (Mimir) or a timeout (503, a gateway's 504, or our own client timeout).
 */
export function isTooLarge(err: unknown): boolean {
  if (!(err instanceof PromApiError)) return false;
  if (err.code === 'timeout' || err.errorType === 'timeout') return true;
  if (err.status === 503 || err.status === 504) return true;
  const text = `${err.serverMessage ?? ''} ${err.message}`;
  return TOO_LARGE.some((re) => re.test(text));
}

/**
 * Fetches one window, halving it (recursively, at most `maxHalvings` deep)
 * when the server says it is too large, and stitches the halves.
 */
export async function fetchWindow(
  fetch: (w: Window) => Promise<RangeResult>,
  w: Window,
  stepMs: number,
  maxHalvings = DEFAULT_MAX_HALVINGS,
): Promise<RangeResult> {
  try {
    return await fetch(w);
  } catch (err) {
    if (!isTooLarge(err) || maxHalvings <= 0 || w.points < 2) throw err;
    const [a, b] = halveWindow(w, stepMs);
    // Halves go one after the other: the server just said it is struggling.
    const left = await fetchWindow(fetch, a, stepMs, maxHalvings - 1);
    const right = await fetchWindow(fetch, b, stepMs, maxHalvings - 1);
    return concatResults([left, right]);
  }
}
