import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { normalQuantile, residualSigma } from './stats.js';

/** Naive: tomorrow equals today. Random-walk intervals widen with sqrt(h). */
export const naive: Model = {
  alias: 'naive',
  minLength: () => 2,
  fit(y: Float64Array, _ctx: FitContext): FittedModel {
    if (y.length < 2) throw new ModelError('naive', `needs at least 2 points, series has ${y.length}`);
    const fitted = new Float64Array(y.length).fill(NaN);
    for (let i = 1; i < y.length; i++) fitted[i] = y[i - 1];
    const sigma = residualSigma(y, fitted);
    const last = y[y.length - 1];
    return {
      alias: 'naive',
      fitted,
      params: { last, sigma },
      predict(h: number, levels: readonly number[]): Forecast {
        const point = new Float64Array(h).fill(last);
        const intervals = [...levels].sort((a, b) => a - b).map((level) => {
          const z = normalQuantile(0.5 + level / 2);
          const lower = new Float64Array(h);
          const upper = new Float64Array(h);
          for (let k = 0; k < h; k++) {
            const half = z * sigma * Math.sqrt(k + 1);
            lower[k] = last - half;
            upper[k] = last + half;
          }
          return { level, lower, upper };
        });
        return { point, intervals };
      },
    };
  },
};
