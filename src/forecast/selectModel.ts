import { ModelError } from '../errors.js';
import type { FitContext, Model } from '../models/Model.js';
import { crossValidate, mase, planBacktest, type BacktestPlan, type BacktestWindow } from './backtest.js';

/** How one candidate model did in the backtest. */
export interface CandidateScore {
  readonly model: string;
  /** Mean absolute scaled error; null when the model could not be backtested. */
  readonly mase: number | null;
  /** Why the candidate was not scored (too short, fit failed). */
  readonly error?: string;
  /** How it was scored, when not on the common backtest. */
  readonly note?: string;
}

export interface Selection {
  readonly plan: BacktestPlan | null;
  /** Scored candidates, best first, then the ones that failed. */
  readonly ranking: readonly CandidateScore[];
  readonly windows: ReadonlyMap<string, readonly BacktestWindow[]>;
}

/**
 * Scores every candidate on the same rolling-origin backtest and ranks them by
 * MASE. A model that throws is recorded with its reason, never fatal.
 */
export function selectModel(models: readonly Model[], y: Float64Array, ctx: FitContext, horizon: number, maxWindows = 4): Selection {
  const minTrain = Math.min(...models.map((m) => m.minLength(ctx)));
  const plan = planBacktest(y.length, horizon, minTrain, maxWindows);
  const scores: CandidateScore[] = [];
  const windows = new Map<string, BacktestWindow[]>();
  for (const model of models) {
    if (!plan) {
      scores.push({ model: model.alias, mase: null, error: `series too short to backtest (${y.length} points)` });
      continue;
    }
    const needs = model.minLength(ctx);
    if (!Number.isFinite(needs)) {
      scores.push({ model: model.alias, mase: null, error: 'not applicable to this series (no seasonal period, or its window is longer than the data)' });
      continue;
    }
    if (plan.origins[0] < needs) {
      scores.push({ model: model.alias, mase: null, error: `needs ${needs} points to fit, backtest trains on ${plan.origins[0]}` });
      continue;
    }
    try {
      const w = crossValidate(model, y, ctx, plan);
      const score = mase(w);
      if (!Number.isFinite(score)) throw new ModelError(model.alias, 'backtest error is not finite');
      windows.set(model.alias, w);
      scores.push({ model: model.alias, mase: score });
    } catch (err) {
      scores.push({ model: model.alias, mase: null, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const ranking = [
    ...scores.filter((s) => s.mase !== null).sort((a, b) => (a.mase as number) - (b.mase as number) || a.model.localeCompare(b.model)),
    ...scores.filter((s) => s.mase === null),
  ];
  return { plan, ranking, windows };
}

