import type { FitContext, Model } from '../models/Model.js';
import { seasonalNaive } from '../models/seasonalNaive.js';

/** Alias of the longest-cycle repeat (on hourly data with daily and weekly cycles: last week, repeated). */
export const SEASONAL_REPEAT_ALIAS = 'seasonal_repeat_longest';

/**
 * The seasonal naive model at the longest detected period rather than the
 * first: with daily and weekly cycles in hourly data, "same hour last week"
 * keeps both the intraday profile and the weekday/weekend difference, which
 * few Fourier terms cannot draw. A candidate only when more than one period
 * is present (otherwise it is `seasonal_naive` itself).
 */
export const seasonalRepeat: Model = {
  alias: SEASONAL_REPEAT_ALIAS,
  minLength: (ctx: FitContext) => (ctx.periods.length > 1 ? seasonalNaive.minLength(longest(ctx)) : Number.POSITIVE_INFINITY),
  fit(y, ctx) {
    const fitted = seasonalNaive.fit(y, longest(ctx));
    return { ...fitted, alias: SEASONAL_REPEAT_ALIAS, predict: (h, levels) => fitted.predict(h, levels) };
  },
};

function longest(ctx: FitContext): FitContext {
  return { ...ctx, periods: [Math.max(...ctx.periods)] };
}
