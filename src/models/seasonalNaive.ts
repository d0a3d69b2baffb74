import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { checkedHorizon, symmetricForecast } from './intervals.js';
import { residualSigma } from './stats.js';

/** The season length in whole steps, or undefined when none is usable. */
function seasonLength(ctx: FitContext): number | undefined {
  const p = ctx.periods[0];
  if (p === undefined || !Number.isFinite(p)) return undefined;
  const m = Math.round(p);
  return m >= 2 ? m : undefined;
}

/**
 * Seasonal naive: every future step repeats the value one season earlier
 * (season = the first of ctx.periods). Choose it for strongly cyclic series
 * without trend, and as the seasonal baseline a seasonal model must beat; it
 * never smooths a real pattern away. Intervals (fpp3 §5.5) widen only once
 * per whole season ahead: sigma·sqrt(⌊(h-1)/m⌋ + 1).
 */
export const seasonalNaive: Model = {
  alias: 'seasonal_naive',
  minLength(ctx: FitContext): number {
    const m = seasonLength(ctx);
    // two seasons: one to repeat and one to measure the residual sigma against
    return m === undefined ? Number.POSITIVE_INFINITY : 2 * m;
  },
  fit(y: Float64Array, ctx: FitContext): FittedModel {
    const m = seasonLength(ctx);
    if (m === undefined) {
      throw new ModelError('seasonal_naive', 'no seasonal period of at least 2 steps is known for this series');
    }
    const n = y.length;
    if (n < 2 * m) {
      throw new ModelError('seasonal_naive', `needs two seasons (${2 * m} points at period ${m}), series has ${n}`);
    }
    const fitted = new Float64Array(n).fill(NaN);
    for (let i = m; i < n; i++) fitted[i] = y[i - m];
    const sigma = residualSigma(y, fitted);
    const lastSeason = y.slice(n - m);
    return {
      alias: 'seasonal_naive',
      fitted,
      params: { period: m, sigma },
      predict(h: number, levels: readonly number[]): Forecast {
        checkedHorizon(h);
        const point = new Float64Array(h);
        const sd = new Float64Array(h);
        for (let k = 0; k < h; k++) {
          point[k] = lastSeason[k % m];
          sd[k] = sigma * Math.sqrt(Math.floor(k / m) + 1);
        }
        return symmetricForecast(point, sd, levels);
      },
    };
  },
};
