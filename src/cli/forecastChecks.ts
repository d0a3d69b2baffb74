import { UsageError } from '../errors.js';
import type { Scenario } from '../forecast/scenario.js';
import { HORIZON_HISTORY_RATIO, limitHorizon } from '../pipeline/horizonLimit.js';
import { describeMismatch, scenarioMismatches } from '../plan/scenarioMatches.js';
import type { Store } from '../store/Store.js';

/**
 * Checks made before a stored fleet is forecast, shared by `forecast --db`
 * and `run`: scenarios that name no stored resource, and a horizon longer
 * than the history supports (capped). Each is a warning, or with `--strict`
 * a usage error (exit 2) before anything is written. Returns the horizon to use.
 */
export async function checkBeforeForecast(
  store: Store,
  o: { scenarios: readonly Scenario[]; horizonMs: number; strict: boolean; horizonFlag: string; warn: (message: string) => void },
): Promise<number> {
  const stored = new Set((await store.query(`SELECT DISTINCT resource FROM series`)).rows.map((r) => String(r[0])));
  for (const m of scenarioMismatches(o.scenarios, stored)) {
    const text = describeMismatch(m, stored);
    if (o.strict) throw new UsageError(`${text} (--strict)`);
    o.warn(text);
  }
  const h = await limitHorizon(store, o.horizonMs);
  if (h.capped) {
    const days = (ms: number) => `${Math.round(ms / 86_400_000)}d`;
    const text = `${o.horizonFlag} ${days(h.askedMs)} is longer than ${HORIZON_HISTORY_RATIO}× the longest stored history (${days(h.historyMs as number)})`;
    if (o.strict) throw new UsageError(`${text}; give at most ${days(h.horizonMs)} (--strict)`);
    o.warn(`${text}: forecasting ${days(h.horizonMs)} ahead instead`);
  }
  return h.horizonMs;
}
