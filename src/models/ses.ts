import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { fitAdditiveEts } from './etsAdditive.js';
import { checkedHorizon, symmetricForecast } from './intervals.js';

/**
 * ses: simple exponential smoothing, ETS(A,N,N) with α and the initial
 * level by maximum likelihood (R's forecast::ses). A flat forecast at the
 * smoothed level whose band widens as σ·√(1 + (h−1)α²). Choose it for
 * level series without trend or season; it is the M4 combinations'
 * simplest member and the random walk's better-behaved relative.
 */
export const ses: Model = {
  alias: 'ses',
  minLength: () => MIN_POINTS,
  fit(y: Float64Array, _ctx: FitContext): FittedModel {
    if (y.length < MIN_POINTS) throw new ModelError('ses', `needs at least ${MIN_POINTS} points, series has ${y.length}`);
    const fit = fitAdditiveEts(y, 'N');
    return {
      alias: 'ses',
      fitted: fit.fitted,
      params: { alpha: fit.alpha, level: fit.level, sigma: Math.sqrt(fit.sigma2) },
      predict(h: number, levels: readonly number[]): Forecast {
        checkedHorizon(h);
        const { mean, sd } = fit.forecast(h);
        return symmetricForecast(mean, sd, levels);
      },
    };
  },
};

/** α and ℓ0 plus one residual degree of freedom. */
const MIN_POINTS = 3;
