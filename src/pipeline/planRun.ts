import { checkScenarioDates } from '../plan/normalizePlanning.js';
import { DEFAULT_PLANNING, planningFor, type PlanningSpec } from '../plan/Planning.js';
import { PlanError } from '../errors.js';
import type { Scenario } from '../forecast/scenario.js';
import type { Shard } from '../shard.js';
import { formatPlanPath } from '../plan/planPath.js';
import type { ErrorBudgetRecord } from '../store/ForecastRecord.js';
import type { Store } from '../store/Store.js';
import { numberOrNull } from '../store/sqlValues.js';
import { errorBudgets } from './errorBudgets.js';
import { forecastStore, type ForecastRunSummary, type PlanSource } from './forecastStore.js';

export interface PlanRunOptions {
  readonly asOfMs: number;
  readonly horizonMs: number;
  readonly planning: PlanningSpec | null;
  /** Scenarios to run (a selection of the plan's, or inline what-ifs). */
  readonly scenarios: readonly Scenario[];
  readonly models?: readonly string[];
  readonly workers?: number;
  readonly shard?: Shard;
  readonly onProgress?: (done: number, total: number) => void;
  /** The plan file behind `planning`, recorded on the runs. */
  readonly planSource?: PlanSource | null;
}

/**
 * A series or SLO at risk: its critical threshold is (or will be, by p50) crossed within the warning window; the p50
 * date with its 80% interval and what dated it (null dates: already past).
 */
export interface Risk {
  readonly name: string;
  readonly what: string;
  readonly atMs: number | null;
  readonly p10Ms: number | null;
  readonly p90Ms: number | null;
  /** The forecast model, or how an error budget was dated. */
  readonly model: string | null;
}

export interface PlanRunResult {
  readonly forecast: ForecastRunSummary;
  readonly budgets: readonly ErrorBudgetRecord[];
  readonly risks: readonly Risk[];
}

/**
 * One planning run: forecast every series with its planning settings,
 * each scenario beside the baseline, the SLOs' error budgets, and the risks
 * cron alerts on (exit code 3 with --fail-on-risk).
 */
export async function planRun(store: Store, o: PlanRunOptions): Promise<PlanRunResult> {
  checkScenarioDates(o.scenarios, o.asOfMs, o.asOfMs + o.horizonMs, (path, detail) => {
    throw new PlanError(formatPlanPath(path), detail);
  });
  // Runs a killed process left 'running' never count as latest; close them so the history says what happened.
  await store.connection.run(`UPDATE forecast_runs SET status = 'failed', finished_at = coalesce(finished_at, now()), error = coalesce(error, 'interrupted: the process ended before the run finished') WHERE status = 'running'`);
  const forecast = await forecastStore(store, {
    asOfMs: o.asOfMs,
    horizonMs: o.horizonMs,
    levels: [0.8, 0.95],
    thresholds: [0.8, 0.9, 1],
    planning: o.planning,
    scenarios: o.scenarios,
    ...(o.models ? { models: o.models } : {}),
    ...(o.workers ? { workers: o.workers } : {}),
    ...(o.shard ? { shard: o.shard } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.planSource ? { planSource: o.planSource } : {}),
  });
  const budgets = await errorBudgets(store, o.planning?.slos ?? [], o.horizonMs);
  await store.writeErrorBudgets(forecast.runId, budgets);
  return { forecast, budgets, risks: await risks(store, forecast.runId, o, budgets) };
}

/** How an error budget's date is made (the Risk's model): pipeline/errorBudgets.ts. */
const BUDGET_METHOD = 'error and request forecasts, rolling window replayed';

async function risks(store: Store, runId: number, o: PlanRunOptions, budgets: readonly ErrorBudgetRecord[]): Promise<Risk[]> {
  const windowEnd = o.asOfMs + (o.planning?.defaults.warningWindowMs ?? DEFAULT_PLANNING.warningWindowMs);
  const reader = await store.connection.runAndReadAll(
    `SELECT s.name, s.resource, e.threshold, e.status, epoch_ms(e.p50)::DOUBLE, epoch_ms(e.p10)::DOUBLE, epoch_ms(e.p90)::DOUBLE, f.model
     FROM exhaustion e JOIN series s USING (series_id) LEFT JOIN forecasts f USING (run_id, series_id)
     WHERE e.run_id = $1 AND e.status IN ('past', 'within') ORDER BY e.p50 NULLS FIRST`,
    [runId],
  );
  const out: Risk[] = [];
  for (const [name, resource, threshold, status, p50, p10, p90, model] of reader.getRows()) {
    const critical = planningFor(o.planning, String(resource)).thresholds.critical;
    if (Math.abs(Number(threshold) - critical) > 1e-9) continue;
    const dated = { p10Ms: numberOrNull(p10), p90Ms: numberOrNull(p90), model: model === null ? null : String(model) };
    if (status === 'past') out.push({ name: String(name), what: `past its critical threshold (${critical * 100}%)`, atMs: null, ...dated });
    else if (Number(p50) <= windowEnd) out.push({ name: String(name), what: `reaches its critical threshold (${critical * 100}%)`, atMs: Number(p50), ...dated });
  }
  for (const b of budgets) {
    const dated = { p10Ms: b.p10, p90Ms: b.p90, model: BUDGET_METHOD };
    if (b.status === 'past') out.push({ name: b.slo, what: 'error budget spent', atMs: null, ...dated });
    else if (b.p50 !== null && b.p50 <= windowEnd) out.push({ name: b.slo, what: 'error budget runs out', atMs: b.p50, ...dated });
  }
  return out;
}
