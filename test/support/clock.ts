/**
 * The one frozen clock of the test suite: the demo fleet's history ends here
 * (2026-11-24 09:30 UTC), and every test that needs "now" uses it, so dates
 * in outputs never depend on when the suite runs. TZ is pinned to UTC in
 * vitest.config.ts.
 */
export const FROZEN_NOW = Date.UTC(2026, 10, 24, 9, 30);

/** A clock for CliContext and Store.open that always says `ms`. */
export function frozenClock(ms: number = FROZEN_NOW): () => number {
  return () => ms;
}
