import type { Forecast, ForecastInterval } from './Forecast.js';
import { normalQuantile } from './stats.js';

/** Quantile function of the standardised forecast error (normal or Student-t). */
export type Quantile = (p: number) => number;

/**
 * Levels sorted ascending, rejecting anything outside (0, 1): a level of 95
 * instead of 0.95 is a caller bug that would otherwise give silent nonsense.
 */
export function checkedLevels(levels: readonly number[]): number[] {
  for (const level of levels) {
    if (!(level > 0 && level < 1)) throw new RangeError(`interval level must be in (0, 1), got ${level}`);
  }
  return [...levels].sort((a, b) => a - b);
}

/**
 * Symmetric intervals point ± q((1+level)/2)·sd[k]. Every model's error
 * distribution is summarised by a per-step scale `sd`, so the band ordering
 * (95% contains 80%) and lower <= point <= upper hold by construction.
 */
export function symmetricForecast(
  point: Float64Array,
  sd: Float64Array,
  levels: readonly number[],
  quantile: Quantile = normalQuantile,
): Forecast {
  const intervals: ForecastInterval[] = checkedLevels(levels).map((level) => {
    const z = quantile(0.5 + level / 2);
    const lower = new Float64Array(point.length);
    const upper = new Float64Array(point.length);
    for (let k = 0; k < point.length; k++) {
      // a non-finite or negative scale would break the interval contract; treat it as no spread
      const s = sd[k] > 0 && Number.isFinite(sd[k]) ? sd[k] : 0;
      lower[k] = point[k] - z * s;
      upper[k] = point[k] + z * s;
    }
    return { level, lower, upper };
  });
  return { point, intervals };
}

/** Rejects a horizon that is not a non-negative integer (a caller bug). */
export function checkedHorizon(h: number): number {
  if (!Number.isInteger(h) || h < 0) throw new RangeError(`horizon must be a non-negative integer, got ${h}`);
  return h;
}
