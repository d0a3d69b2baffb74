import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { type AdditiveEtsFit, autoAdditiveEts, fitAdditiveEts } from './etsAdditive.js';
import { autoArima } from './autoArima.js';
import { decomposablePeriods, fitDecomposed } from './decomposed.js';
import { checkedHorizon, symmetricForecast } from './intervals.js';
import { theta } from './theta.js';

/**
 * mstl_ets: R's stlf / forecast(mstl(y)) for one or several seasonal
 * periods (hourly data: daily and weekly). MSTL removes each seasonal
 * component; an additive-error ETS (no seasonality; none, additive or
 * damped trend by AICc) forecasts the adjusted series; each seasonal
 * component is carried forward as its last full cycle. Choose it for sharp
 * intraday or weekly profiles that a few Fourier terms cannot draw.
 * Intervals are the ETS's, as in R (the seasonal part is taken as known).
 * Periods the series cannot hold twice are dropped; with none left the ETS
 * runs on the series itself.
 */
export const mstlEts: Model = {
  alias: 'mstl_ets',
  minLength: () => MIN_POINTS,
  fit(y: Float64Array, ctx: FitContext): FittedModel {
    return fitMstlEts('mstl_ets', y, ctx);
  },
};

/**
 * stl_ets: R's stlf on a single-period series: as mstl_ets with only the
 * shortest context period (the daily cycle of hourly data, the year of
 * monthly data), for series whose longer cycles are too few or too weak to
 * estimate.
 */
export const stlEts: Model = {
  alias: 'stl_ets',
  minLength: () => MIN_POINTS,
  fit(y: Float64Array, ctx: FitContext): FittedModel {
    const first = decomposablePeriods(ctx, y.length).slice(0, 1);
    return fitMstlEts('stl_ets', y, { ...ctx, periods: first });
  },
};

/** stlf's own choice is one damped model; exported for reference tests against stlf(etsmodel = "AAN", damped = TRUE). */
export function fitMstlEts(alias: string, y: Float64Array, ctx: FitContext, trend?: 'N' | 'A' | 'Ad'): FittedModel {
  const n = y.length;
  if (n < MIN_POINTS) throw new ModelError(alias, `needs at least ${MIN_POINTS} points, series has ${n}`);
  return fitDecomposed(alias, y, decomposablePeriods(ctx, n), (adjusted) => {
    const ets: AdditiveEtsFit = trend === undefined ? autoAdditiveEts(adjusted) : fitAdditiveEts(adjusted, trend);
    return {
      alias,
      fitted: ets.fitted,
      params: { trend: ets.trend, alpha: ets.alpha, beta: ets.beta, phi: ets.phi, level: ets.level, slope: ets.slope, sigma: Math.sqrt(ets.sigma2) },
      predict(h: number, levels: readonly number[]): Forecast {
        checkedHorizon(h);
        const { mean, sd } = ets.forecast(h);
        return symmetricForecast(mean, sd, levels);
      },
    };
  });
}

/**
 * mstl_arima: R's stlf(method = "arima"): a non-seasonal auto ARIMA on the
 * MSTL-adjusted series, the seasonal cycles carried forward. Seasonal
 * ARIMA cannot hold a weekly cycle of hourly data (a state of hundreds);
 * this is how the ARIMA family takes part on such series.
 */
export const mstlArima: Model = {
  alias: 'mstl_arima',
  minLength: () => autoArima.minLength({ periods: [], stepMs: 1 }),
  fit(y: Float64Array, ctx: FitContext): FittedModel {
    const min = autoArima.minLength({ periods: [], stepMs: ctx.stepMs });
    if (y.length < min) throw new ModelError('mstl_arima', `needs at least ${min} points, series has ${y.length}`);
    return fitDecomposed('mstl_arima', y, decomposablePeriods(ctx, y.length), (adjusted) => autoArima.fit(adjusted, { periods: [], stepMs: ctx.stepMs }));
  },
};

/** mstl_theta: the standard Theta method on the MSTL-adjusted series (R: stlf with forecastfunction = thetaf). */
export const mstlTheta: Model = {
  alias: 'mstl_theta',
  minLength: () => theta.minLength({ periods: [], stepMs: 1 }),
  fit(y: Float64Array, ctx: FitContext): FittedModel {
    const min = theta.minLength({ periods: [], stepMs: ctx.stepMs });
    if (y.length < min) throw new ModelError('mstl_theta', `needs at least ${min} points, series has ${y.length}`);
    return fitDecomposed('mstl_theta', y, decomposablePeriods(ctx, y.length), (adjusted) => theta.fit(adjusted, { periods: [], stepMs: ctx.stepMs }));
  },
};

const MIN_POINTS = 4;
