import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { checkedHorizon, symmetricForecast } from './intervals.js';
import { residualSigma } from './stats.js';

/**
 * Drift: naive plus the average historical slope, i.e. the line from the
 * first to the last observation extended forward. Choose it for a random
 * walk with a trend (counters, cumulative usage) where OLS would pull the
 * forecast back towards old levels; it always starts from the latest value.
 */
export const drift: Model = {
  alias: 'drift',
  // 3 points: with 2 the single residual is zero by construction and sigma would be 0
  minLength: () => 3,
  fit(y: Float64Array, _ctx: FitContext): FittedModel {
    const n = y.length;
    if (n < 3) throw new ModelError('drift', `needs at least 3 points, series has ${n}`);
    const slope = (y[n - 1] - y[0]) / (n - 1);
    const fitted = new Float64Array(n).fill(NaN);
    for (let i = 1; i < n; i++) fitted[i] = y[i - 1] + slope;
    // residuals sum to zero because the slope is their mean: one degree of freedom used
    const sigma = residualSigma(y, fitted, 1);
    const last = y[n - 1];
    return {
      alias: 'drift',
      fitted,
      params: { slope, last, sigma },
      predict(h: number, levels: readonly number[]): Forecast {
        checkedHorizon(h);
        const point = new Float64Array(h);
        const sd = new Float64Array(h);
        for (let k = 0; k < h; k++) {
          const steps = k + 1;
          point[k] = last + slope * steps;
          // Var = hσ² (random walk) + h²σ²/(T-1) (slope is a mean of T-1 differences);
          // fpp3 Table 5.2 writes h/T, the exact derivation gives h/(T-1).
          sd[k] = sigma * Math.sqrt(steps * (1 + steps / (n - 1)));
        }
        return symmetricForecast(point, sd, levels);
      },
    };
  },
};
