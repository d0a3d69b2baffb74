import { UsageError } from '../errors.js';
import type { Scenario } from '../forecast/scenario.js';
import { HORIZON_HISTORY_RATIO, limitHorizon } from '../pipeline/horizonLimit.js';
import { describeMismatch, scenarioMismatches } from '../plan/scenarioMatches.js';
import type { Store } from '../store/Store.js';

/**
 * Checks made before a stored fleet is forecast, shared by `forecast --db`
 * and `run`: scenarios that name no stored resource, and a horizon longer
 * than the history supports (capped). Each is a warning, or with `--strict`
 * a usage error (exit 2) before anything is written; and, given `planFile:
 * null`, a database whose earlier runs had a plan file. Returns the horizon to use.
 */
export async function checkBeforeForecast(
  store: Store,
  o: { scenarios: readonly Scenario[]; horizonMs: number; strict: boolean; horizonFlag: string; warn: (message: string) => void; planFile?: string | null },
): Promise<number> {
  if (o.planFile === null) {
    // Planning settings must not change silently: a database last planned with a plan file, forecast without one,
    // gets the default lead times and thresholds.
    const last = (await store.query(`SELECT plan_file, run_id FROM forecast_runs WHERE status = 'ok' AND plan_file IS NOT NULL ORDER BY run_id DESC LIMIT 1`)).rows[0];
    if (last) o.warn(`no --plan: planning with the defaults (30-day lead time, warn at 80%), while run #${last[1]} was planned with ${last[0]}; pass --plan ${last[0]} to keep its settings`);
  }
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
