import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { checkedHorizon, symmetricForecast } from './intervals.js';
import { fitLine, linePredictionSd } from './ols.js';
import { studentTQuantile } from './stats.js';

const DAY_MS = 86_400_000;

/**
 * Points in a Prometheus range selector `[window]` at this step: the range is
 * left-open (t - window, t], so 1d at 1h holds 24 samples, not 25.
 */
function windowPoints(windowMs: number, ctx: FitContext): number {
  return ctx.stepMs > 0 ? Math.floor(windowMs / ctx.stepMs + 1e-9) : 0;
}

/**
 * Builds a Prometheus `predict_linear(v[window], t)` equivalent: OLS over the
 * last `window` of samples only, extrapolated from the latest point. Choose it
 * to reproduce (and put intervals on) the alert rules operators already run,
 * e.g. `predict_linear(disk_free[1d], 4*3600) < 0`; it reacts to recent slope
 * changes that a whole-history fit averages away. It needs the full window:
 * a "30d" forecast from a week of data would be a mislabelled 7d one.
 * Fitted values are the window's line and NaN before the window.
 */
export function predictLinear(alias: string, windowMs: number, label: string): Model {
  const model: Model = {
    alias,
    minLength(ctx: FitContext): number {
      const w = windowPoints(windowMs, ctx);
      // fewer than 3 samples leave no residual to size the interval with
      return w >= 3 ? w : Number.POSITIVE_INFINITY;
    },
    fit(y: Float64Array, ctx: FitContext): FittedModel {
      const w = windowPoints(windowMs, ctx);
      if (w < 3) {
        throw new ModelError(alias, `a ${label} window holds only ${w} samples at this step; it needs at least 3`);
      }
      const n = y.length;
      if (n < w) throw new ModelError(alias, `needs the full ${label} window (${w} points), series has ${n}`);
      const start = n - w;
      const line = fitLine(y, start, n);
      const fitted = new Float64Array(n).fill(NaN);
      for (let i = start; i < n; i++) fitted[i] = line.intercept + line.slope * (i - start);
      const dof = w - 2;
      return {
        alias,
        fitted,
        params: {
          window: w,
          windowMs,
          slope: line.slope,
          level: line.intercept + line.slope * (w - 1),
          sigma: line.sigma,
        },
        predict(h: number, levels: readonly number[]): Forecast {
          checkedHorizon(h);
          const point = new Float64Array(h);
          const sd = new Float64Array(h);
          for (let k = 0; k < h; k++) {
            const x0 = w + k;
            point[k] = line.intercept + line.slope * x0;
            sd[k] = linePredictionSd(line, x0);
          }
          return symmetricForecast(point, sd, levels, (p) => studentTQuantile(p, dof));
        },
      };
    },
  };
  return model;
}

/** predict_linear over the last day: tracks the current day's growth rate. */
export const predictLinear1d = predictLinear('predict_linear_1d', DAY_MS, '1d');
/** predict_linear over the last week: one full weekly cycle, so weekday effects average out. */
export const predictLinear7d = predictLinear('predict_linear_7d', 7 * DAY_MS, '7d');
/** predict_linear over the last 30 days: the monthly-trend view used for capacity reviews. */
export const predictLinear30d = predictLinear('predict_linear_30d', 30 * DAY_MS, '30d');
