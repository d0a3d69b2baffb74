/** A central prediction interval: `level` is a fraction (0.8 = 80%). */
export interface ForecastInterval {
  readonly level: number;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/**
 * What every fitted model predicts: `point[k]` is the forecast k+1 steps after
 * the last observation; one interval per requested level, ascending by level.
 */
export interface Forecast {
  readonly point: Float64Array;
  readonly intervals: readonly ForecastInterval[];
}

/** Returns the interval at `level` (compared with a tolerance), or undefined. */
export function intervalAt(forecast: Forecast, level: number): ForecastInterval | undefined {
  return forecast.intervals.find((i) => Math.abs(i.level - level) < 1e-9);
}
