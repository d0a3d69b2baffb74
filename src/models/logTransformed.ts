import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, Model } from './Model.js';

/**
 * A model fitted to log(y) and carried back by exp (R: `lambda = 0`, the
 * Box-Cox log). A seasonal swing that grows in proportion to the level is
 * additive on the log scale, where the additive decompositions and
 * ARIMA can draw it. The point is the back-transformed median (R's default,
 * `biasadj = FALSE`); the bounds are the back-transformed bounds, so they
 * stay ordered and positive. Only defined for strictly positive data.
 */
export function logTransformed(inner: Model): Model {
  const alias = `log(${inner.alias})`;
  return {
    alias,
    minLength: (ctx: FitContext) => inner.minLength(ctx),
    fit(y: Float64Array, ctx: FitContext): FittedModel {
      const logY = new Float64Array(y.length);
      for (let i = 0; i < y.length; i++) {
        if (!(y[i] > 0)) throw new ModelError(alias, `the log needs positive values; point ${i} is ${y[i]}`);
        logY[i] = Math.log(y[i]);
      }
      const fitted = inner.fit(logY, ctx);
      return {
        alias,
        fitted: fitted.fitted.map(Math.exp),
        params: { ...fitted.params, transform: 'log' },
        predict(h: number, levels: readonly number[]): Forecast {
          const f = fitted.predict(h, levels);
          return {
            point: f.point.map(Math.exp),
            intervals: f.intervals.map((iv) => ({ level: iv.level, lower: iv.lower.map(Math.exp), upper: iv.upper.map(Math.exp) })),
          };
        },
      };
    },
  };
}
