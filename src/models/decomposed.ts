import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, ModelParam } from './Model.js';
import { checkedHorizon } from './intervals.js';
import { mstl } from './stl.js';

/** Seasonal periods (whole steps) that STL can estimate on n points: more than two cycles each. */
export function decomposablePeriods(ctx: FitContext, n: number): number[] {
  return [...new Set(ctx.periods.map((p) => Math.round(p)))].filter((p) => p >= 2 && n > 2 * p).sort((a, b) => a - b);
}

/**
 * R's forecast.stl / forecast.mstl with any forecaster: MSTL removes each
 * seasonal component, `fitAdjusted` models the seasonally adjusted series
 * (it must not be seasonal itself), and each seasonal component is carried
 * forward as its last full cycle and added to the point and both bounds
 * (R treats the seasonal part as known). With no decomposable period the
 * forecaster runs on the series itself.
 */
export function fitDecomposed(
  alias: string,
  y: Float64Array,
  periods: readonly number[],
  fitAdjusted: (adjusted: Float64Array) => FittedModel,
): FittedModel {
  const n = y.length;
  const decomposition = mstl(y, periods);
  const adjusted = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let s = 0;
    for (const seasonal of decomposition.seasonals) s += seasonal[t];
    adjusted[t] = y[t] - s;
  }
  const inner = fitAdjusted(adjusted);
  const fitted = Float64Array.from(inner.fitted, (v, t) => v + (y[t] - adjusted[t]));
  const params: Record<string, ModelParam> = { ...inner.params, periods: decomposition.periods };
  return {
    alias,
    fitted,
    params,
    predict(h: number, levels: readonly number[]): Forecast {
      checkedHorizon(h);
      const f = inner.predict(h, levels);
      const season = new Float64Array(h);
      for (let i = 0; i < decomposition.periods.length; i++) {
        const p = decomposition.periods[i];
        const seasonal = decomposition.seasonals[i];
        // the last full cycle, repeated: step k ahead takes the value a whole number of periods before it
        for (let k = 0; k < h; k++) season[k] += seasonal[n - p + (k % p)];
      }
      const add = (a: Float64Array) => a.map((v, k) => v + season[k]);
      return {
        point: add(f.point),
        intervals: f.intervals.map((iv) => ({ level: iv.level, lower: add(iv.lower), upper: add(iv.upper) })),
      };
    },
  };
}
