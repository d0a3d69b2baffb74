import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, parseRetryAfter } from '../../../src/source/prometheus/backoff.js';
import { displayUrl, redact } from '../../../src/source/prometheus/redact.js';

describe('backoff', () => {
  const policy = { ...DEFAULT_BACKOFF, baseMs: 100, maxMs: 1000, maxRetryAfterMs: 60_000 };

  it('draws uniformly below an exponentially growing, capped ceiling', () => {
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, policy, () => 0.999999, null))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(5, policy, () => 0, null)).toBe(0);
  });

  it('prefers Retry-After, capped', () => {
    expect(backoffDelay(0, policy, () => 0.5, 7000)).toBe(7000);
    expect(backoffDelay(0, policy, () => 0.5, 3_600_000)).toBe(60_000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});

describe('redact', () => {
  it('removes every secret and URL userinfo', () => {
    expect(redact('Bearer abc123 failed; abc123 again; http://u:p@host/x', ['abc123'])).toBe('Bearer [REDACTED] failed; [REDACTED] again; http://[REDACTED]@host/x');
    expect(displayUrl('https://u:p@thanos:9090/api/v1/query_range?token=x')).toBe('https://thanos:9090/api/v1/query_range');
  });
});
