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

/** Halving depth bound: deep enough to reach a one-point window from any window a server accepts (2^31 points). */
export const DEFAULT_MAX_HALVINGS = 31;

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
 * The server refused a window even after halving it as far as allowed (down
 * to one point by default): the query is too heavy for the server's limits,
 * whatever the window size. Keeps the server's own error.
 */
export class WindowRefusedError extends PromApiError {
  constructor(
    readonly window: Window,
    readonly serverError: PromApiError,
  ) {
    super(
      `${serverError.message}; refused even for a ${window.points}-point window from ${new Date(window.startMs).toISOString()}: ` +
        `the query needs more than the server allows per request. Raise the server's limits (Prometheus --query.max-samples and --query.timeout, ` +
        `VictoriaMetrics -search.maxSamplesPerQuery and -search.maxQueryDuration, Mimir -querier.max-samples), or make the query lighter ` +
        `(a shorter range selector or subquery). Lowering the source's maxPoints (--max-points for an ad-hoc pull) saves the refused requests before the size that works is found`,
      serverError.status,
      serverError.serverMessage,
      serverError.errorType,
      serverError.code,
    );
  }
}

/**
 * Samples one request aims at at most, once the answer's series count is
 * known: a large fleet's windows shrink so that one answer (and its decoded
 * arrays) stays a few tens of MB, while a small fleet still gets whole
 * maxPoints windows (each request has a fixed cost at the server and in the
 * store, measured in bench/pull.ts: cutting 4.3M samples into more windows
 * cost more CPU than it won in overlap on a 2-core machine).
 */
export const TARGET_SAMPLES_PER_REQUEST = 2_000_000;

/** Windows are not cut below this many points to meet the sample target (a fleet of 100,000 series still gets whole days). */
export const MIN_WINDOW_POINTS = 24;

/**
 * The size (in points) of the windows still to be cut for one query. It is
 * the smaller of two bounds: the server's limit, which starts at the source's
 * maxPoints and only shrinks (once the server refused a window of n points,
 * the rest of the range is cut at the size that then worked, so later windows
 * are not refused again); and the sample target, learnt from each answer's
 * series count (`TARGET_SAMPLES_PER_REQUEST`).
 */
export class WindowSizer {
  private limit: number;
  private target: number;

  constructor(maxPoints: number) {
    if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new RangeError(`maxPoints must be a positive integer, got ${maxPoints}`);
    this.limit = maxPoints;
    this.target = maxPoints;
  }

  get points(): number {
    return Math.min(this.limit, this.target);
  }

  /** A window of `points` was refused as too large: nothing larger than half of it is cut again. */
  refused(points: number): void {
    this.limit = Math.max(1, Math.min(this.limit, Math.ceil(points / 2)));
  }

  /** An answer held `series` series: later windows hold at most the sample target. */
  observed(series: number): void {
    this.target = Math.max(MIN_WINDOW_POINTS, Math.floor(TARGET_SAMPLES_PER_REQUEST / Math.max(1, series)));
  }
}

/**
 * Cuts consecutive windows over [start, end] (aligned to the step) when they
 * are needed, each at the sizer's current size, so a size learnt from a
 * refusal applies to every window not yet started.
 */
export function windowProducer(startMs: number, endMs: number, stepMs: number, sizer: WindowSizer): () => Window | null {
  const aligned = alignRange(startMs, endMs, stepMs);
  let next = aligned?.startMs ?? Infinity;
  const last = aligned?.endMs ?? -Infinity;
  return () => {
    if (next > last) return null;
    const points = Math.min(sizer.points, (last - next) / stepMs + 1);
    const w = { startMs: next, endMs: next + (points - 1) * stepMs, points };
    next = w.endMs + stepMs;
    return w;
  };
}

/**
 * Fetches one window, halving it (recursively, down to one point unless
 * `maxHalvings` says otherwise) when the server says it is too large, and
 * stitches the halves. A sizer, when given, learns each refused size.
 */
export async function fetchWindow(
  fetch: (w: Window) => Promise<RangeResult>,
  w: Window,
  stepMs: number,
  maxHalvings = DEFAULT_MAX_HALVINGS,
  sizer?: WindowSizer,
): Promise<RangeResult> {
  try {
    return await fetch(w);
  } catch (err) {
    if (!isTooLarge(err) || err instanceof WindowRefusedError) throw err;
    if (maxHalvings <= 0 || w.points < 2) throw err instanceof WindowRefusedError ? err : new WindowRefusedError(w, err as PromApiError);
    sizer?.refused(w.points);
    const [a, b] = halveWindow(w, stepMs);
    // Pieces go one after the other: the server just said it is struggling.
    const parts = [await fetchWindow(fetch, a, stepMs, maxHalvings - 1, sizer)];
    // The rest is cut at the size that worked for the first half (or a size learnt since), not re-tried at half size.
    for (let rest: Window | null = b; rest !== null; ) {
      const n = Math.min(sizer?.points ?? rest.points, rest.points);
      const piece: Window = { startMs: rest.startMs, endMs: rest.startMs + (n - 1) * stepMs, points: n };
      parts.push(await fetchWindow(fetch, piece, stepMs, maxHalvings - 1, sizer));
      rest = n < rest.points ? { startMs: piece.endMs + stepMs, endMs: rest.endMs, points: rest.points - n } : null;
    }
    return concatResults(parts);
  }
}
