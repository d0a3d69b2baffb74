import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { type AdditiveEtsFit, autoAdditiveEts, fitAdditiveEts } from './etsAdditive.js';
import { checkedHorizon, symmetricForecast } from './intervals.js';
import { mstl } from './stl.js';

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
    const first = ctx.periods.map((p) => Math.round(p)).filter((p) => p >= 2 && y.length > 2 * p);
    return fitMstlEts('stl_ets', y, { ...ctx, periods: first.length > 0 ? [Math.min(...first)] : [] });
  },
};

/** stlf's own choice is one damped model; exported for reference tests against stlf(etsmodel = "AAN", damped = TRUE). */
export function fitMstlEts(alias: string, y: Float64Array, ctx: FitContext, trend?: 'N' | 'A' | 'Ad'): FittedModel {
  const n = y.length;
  if (n < MIN_POINTS) throw new ModelError(alias, `needs at least ${MIN_POINTS} points, series has ${n}`);
  // a period needs more than two cycles for STL
  const periods = ctx.periods.map((p) => Math.round(p)).filter((p) => p >= 2 && n > 2 * p);
  const decomposition = mstl(y, periods);
  const adjusted = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let s = 0;
    for (const seasonal of decomposition.seasonals) s += seasonal[t];
    adjusted[t] = y[t] - s;
  }
  const ets: AdditiveEtsFit = trend === undefined ? autoAdditiveEts(adjusted) : fitAdditiveEts(adjusted, trend);
  const fitted = new Float64Array(n);
  for (let t = 0; t < n; t++) fitted[t] = ets.fitted[t] + (y[t] - adjusted[t]);
  return {
    alias,
    fitted,
    params: {
      periods: decomposition.periods,
      trend: ets.trend,
      alpha: ets.alpha,
      beta: ets.beta,
      phi: ets.phi,
      level: ets.level,
      slope: ets.slope,
      sigma: Math.sqrt(ets.sigma2),
    },
    predict(h: number, levels: readonly number[]): Forecast {
      checkedHorizon(h);
      const { mean, sd } = ets.forecast(h);
      for (let i = 0; i < decomposition.periods.length; i++) {
        const p = decomposition.periods[i];
        const seasonal = decomposition.seasonals[i];
        // the last full cycle, repeated: step k ahead takes the value one or more periods before it
        for (let k = 0; k < h; k++) mean[k] += seasonal[n - p + (k % p)];
      }
      return symmetricForecast(mean, sd, levels);
    },
  };
}

const MIN_POINTS = 4;
