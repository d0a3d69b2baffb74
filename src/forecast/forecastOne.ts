import { forecastSeries, type ForecastOptions, type SeriesForecast } from './forecastSeries.js';

/** One series to forecast, as sent to a worker. */
export interface FleetTask {
  readonly id: string;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly options: ForecastOptions;
  /** The caller's data for its own worker script (see FleetInput.context). */
  readonly context?: unknown;
}

/** A series' outcome: its forecast, or why it has none. */
export type FleetOutput = { readonly id: string; readonly result: SeriesForecast } | { readonly id: string; readonly error: string };

/** Forecasts one series, turning any failure into a recorded reason so one bad series never sinks a fleet. */
export function forecastOne(task: FleetTask): FleetOutput {
  try {
    return { id: task.id, result: forecastSeries({ id: task.id, timestamps: task.timestamps, values: task.values }, task.options) };
  } catch (err) {
    return { id: task.id, error: err instanceof Error ? err.message : String(err) };
  }
}
