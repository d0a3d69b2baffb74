/** Retry timing for transient source failures. */
export interface BackoffPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  readonly baseMs: number;
  readonly maxMs: number;
  /** Upper bound on a server's Retry-After, so a misconfigured proxy cannot park a pull for a day. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { retries: 4, baseMs: 500, maxMs: 30_000, maxRetryAfterMs: 300_000 };

/**
 * Exponential backoff with full jitter (AWS architecture blog): uniform in
 * [0, min(max, base·2^attempt)], which spreads a fleet of retrying clients
 * better than equal jitter. A server's Retry-After wins when given.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number, retryAfterMs: number | null): number {
  if (retryAfterMs !== null) return Math.min(Math.max(0, retryAfterMs), policy.maxRetryAfterMs);
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  return Math.floor(random() * cap);
}

/** Parses Retry-After: delta seconds or an HTTP date; null when absent or unparsable. */
export function parseRetryAfter(value: unknown, nowMs: number): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}
