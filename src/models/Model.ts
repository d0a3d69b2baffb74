import type { Forecast } from './Forecast.js';

/**
 * What a model is told about the series besides its values. Models receive a
 * regular, gap-free series (the forecast layer interpolates gaps and records them).
 */
export interface FitContext {
  /** Seasonal periods present, in steps (hourly data: [24, 168]); empty when none. */
  readonly periods: readonly number[];
  /** Milliseconds between consecutive observations. */
  readonly stepMs: number;
}

/** An unfitted model specification. Pure: no I/O, no clock, deterministic. */
export interface Model {
  /** Unique, stable name; stored with every forecast run. */
  readonly alias: string;
  /** The fewest observations `fit` accepts in this context. */
  minLength(ctx: FitContext): number;
  /**
   * Fits the model to `y` (finite values, regular spacing, no NaN).
   * Throws `ModelError` with a reason a user can act on when it cannot.
   */
  fit(y: Float64Array, ctx: FitContext): FittedModel;
}

/** A fitted model: immutable; `predict` may be called many times. */
export interface FittedModel {
  readonly alias: string;
  /** In-sample fitted values, same length as the training series; NaN where undefined. */
  readonly fitted: Float64Array;
  /** Fitted parameters worth storing for traceability (slopes, smoothing weights, changepoints). */
  readonly params: Readonly<Record<string, ModelParam>>;
  /**
   * Point forecast for steps 1..h after the last observation and model-based
   * intervals for each level (fractions in (0, 1)). Always `lower <= point <= upper`.
   */
  predict(h: number, levels: readonly number[]): Forecast;
}

export type ModelParam = number | string | boolean | readonly number[];
