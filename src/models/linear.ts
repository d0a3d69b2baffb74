import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { checkedHorizon, symmetricForecast } from './intervals.js';
import { fitLine, linePredictionSd } from './ols.js';
import { studentTQuantile } from './stats.js';

/**
 * Linear: OLS trend y = a + b·t over the whole history, with textbook OLS
 * prediction intervals (Student-t, leverage term). Choose it for steady growth
 * without a strong cycle, e.g. disk usage; it is the baseline every fancier
 * trend model has to beat, and its intervals honestly widen with slope doubt.
 */
export const linear: Model = {
  alias: 'linear',
  // 3 points leave one degree of freedom for the residual sigma
  minLength: () => 3,
  fit(y: Float64Array, _ctx: FitContext): FittedModel {
    if (y.length < 3) throw new ModelError('linear', `needs at least 3 points, series has ${y.length}`);
    const line = fitLine(y);
    const n = y.length;
    const fitted = new Float64Array(n);
    for (let i = 0; i < n; i++) fitted[i] = line.intercept + line.slope * i;
    const dof = n - 2;
    return {
      alias: 'linear',
      fitted,
      params: { intercept: line.intercept, slope: line.slope, sigma: line.sigma, n },
      predict(h: number, levels: readonly number[]): Forecast {
        checkedHorizon(h);
        const point = new Float64Array(h);
        const sd = new Float64Array(h);
        for (let k = 0; k < h; k++) {
          const x0 = n + k;
          point[k] = line.intercept + line.slope * x0;
          sd[k] = linePredictionSd(line, x0);
        }
        return symmetricForecast(point, sd, levels, (p) => studentTQuantile(p, dof));
      },
    };
  },
};
