import { ModelError } from '../errors.js';
import type { Forecast, ForecastInterval } from './Forecast.js';
import type { FitContext, FittedModel, Model, ModelParam } from './Model.js';
import { autoArima } from './autoArima.js';
import { checkedHorizon, checkedLevels } from './intervals.js';
import { decomposablePeriods } from './decomposed.js';
import { mstlArima, mstlEts, mstlTheta } from './mstlEts.js';
import { theta } from './theta.js';

/**
 * Robust forecast combination: at every step the median of the members'
 * point forecasts, and for every level the median of their lower bounds and
 * of their upper bounds. Medians of order statistics keep the contract for
 * free: each member has lower ≤ point ≤ upper and nested levels, and a
 * median preserves component-wise order, so the combination does too. The
 * median (rather than the mean) lets one member go astray — an ARIMA that
 * over-differences, a Theta drift on a turned trend — without dragging the
 * forecast (Petropoulos & Svetunkov 2020; the M4 combinations).
 */
export function combineForecasts(forecasts: readonly Forecast[], h: number, levels: readonly number[]): Forecast {
  if (forecasts.length === 0) throw new RangeError('no forecasts to combine');
  const sorted = checkedLevels(levels);
  const point = medianOf(forecasts.map((f) => f.point), h);
  const intervals: ForecastInterval[] = sorted.map((level) => {
    const members = forecasts.map((f) => {
      const iv = f.intervals.find((i) => Math.abs(i.level - level) < 1e-9);
      if (iv === undefined) throw new RangeError(`a member forecast has no ${level} interval`);
      return iv;
    });
    return {
      level,
      lower: medianOf(
        members.map((i) => i.lower),
        h,
      ),
      upper: medianOf(
        members.map((i) => i.upper),
        h,
      ),
    };
  });
  return { point, intervals };
}

/** Element-wise median of equal-length arrays, ignoring NaN (NaN when all are NaN). */
function medianOf(arrays: readonly ArrayLike<number>[], h: number): Float64Array {
  const out = new Float64Array(h);
  const buf = new Float64Array(arrays.length);
  for (let k = 0; k < h; k++) {
    let m = 0;
    for (const a of arrays) if (!Number.isNaN(a[k])) buf[m++] = a[k];
    if (m === 0) {
      out[k] = Number.NaN;
      continue;
    }
    const s = buf.subarray(0, m).sort();
    out[k] = m % 2 === 1 ? s[(m - 1) / 2] : (s[m / 2 - 1] + s[m / 2]) / 2;
  }
  return out;
}

/**
 * A model whose forecast is the median combination of `members` fitted to
 * the same series. A member that refuses the series (ModelError) is left
 * out and named in the params; the combination refuses only when all do.
 */
export function medianCombination(alias: string, members: readonly Model[]): Model {
  return {
    alias,
    minLength(ctx: FitContext): number {
      return Math.min(...members.map((m) => m.minLength(ctx)));
    },
    fit(y: Float64Array, ctx: FitContext): FittedModel {
      const fitted: FittedModel[] = [];
      const refused: string[] = [];
      const reasons: string[] = [];
      for (const m of members) {
        try {
          fitted.push(m.fit(y, ctx));
        } catch (e) {
          if (!(e instanceof ModelError)) throw e;
          refused.push(m.alias);
          reasons.push(e.message);
        }
      }
      if (fitted.length === 0) throw new ModelError(alias, `every member refused the series: ${reasons.join('; ')}`);
      const params: Record<string, ModelParam> = {
        members: fitted.map((f) => f.alias).join(','),
        refused: refused.join(','),
      };
      for (const f of fitted) {
        const name = f.params.model ?? f.params.trend;
        if (typeof name === 'string') params[`${f.alias}_model`] = name;
      }
      return {
        alias,
        fitted: medianOf(
          fitted.map((f) => f.fitted),
          y.length,
        ),
        params,
        predict(h: number, levels: readonly number[]): Forecast {
          checkedHorizon(h);
          return combineForecasts(
            fitted.map((f) => f.predict(h, levels)),
            h,
            levels,
          );
        },
      };
    },
  };
}

const singleSeason = medianCombination('combo_median', [mstlEts, autoArima, theta]);
const multiSeason = medianCombination('combo_median', [mstlEts, mstlArima, mstlTheta]);

/**
 * combo_median: the median of the ETS, ARIMA and Theta families. With at
 * most one seasonal period they are STL + ETS, auto ARIMA (seasonal) and
 * Theta (classical decomposition), as R runs them; with several (daily and
 * weekly cycles of hourly data), which seasonal ARIMA and Theta cannot
 * hold, all three run on the MSTL-adjusted series.
 */
export const comboMedian: Model = {
  alias: 'combo_median',
  minLength: (ctx: FitContext) => Math.min(singleSeason.minLength(ctx), multiSeason.minLength(ctx)),
  fit(y: Float64Array, ctx: FitContext): FittedModel {
    return (decomposablePeriods(ctx, y.length).length > 1 ? multiSeason : singleSeason).fit(y, ctx);
  },
};
