import type { FitContext, Model } from '../models/Model.js';

/** Where the rolling-origin backtest cuts the series: training lengths, each followed by `horizon` held-out steps. */
export interface BacktestPlan {
  readonly horizon: number;
  /** Training lengths, ascending. */
  readonly origins: readonly number[];
}

/** One backtest window: what the model said and what happened. */
export interface BacktestWindow {
  readonly origin: number;
  readonly actual: Float64Array;
  readonly point: Float64Array;
  /** The model's own 80% half-width per step, used to normalise errors for conformal intervals. */
  readonly width: Float64Array;
  /** In-sample mean absolute (seasonal) naive error of the training part: the MASE denominator. */
  readonly scale: number;
}

/**
 * Plans a horizon-matched rolling-origin backtest: the held-out horizon is
 * the forecast horizon, capped at 40% of the series so that several windows
 * fit, and every training part holds at least `minTrain` points (five at least, and a third
 * of the series). Null when not even one window fits.
 */
export function planBacktest(n: number, horizon: number, minTrain: number, maxWindows = 4): BacktestPlan | null {
  const h = Math.max(1, Math.min(horizon, Math.floor(n * 0.4)));
  // Fewer than 5 training points says nothing about a model.
  const floor = Math.max(minTrain, Math.ceil(n / 3), 5);
  const spacing = Math.max(1, Math.floor(h / maxWindows));
  const origins: number[] = [];
  for (let j = 0; j < maxWindows; j++) {
    const origin = n - h - j * spacing;
    if (origin < floor) break;
    origins.unshift(origin);
  }
  return origins.length > 0 ? { horizon: h, origins } : null;
}

/** Fits `model` at every origin of `plan` and forecasts the held-out steps. Throws what the model throws. */
export function crossValidate(model: Model, y: Float64Array, ctx: FitContext, plan: BacktestPlan): BacktestWindow[] {
  const lag = ctx.periods[0] ?? 1;
  return plan.origins.map((origin) => {
    const train = y.subarray(0, origin);
    const fitted = model.fit(train, ctx);
    const forecast = fitted.predict(plan.horizon, [0.8]);
    const band = forecast.intervals[0];
    const width = new Float64Array(plan.horizon);
    for (let k = 0; k < plan.horizon; k++) width[k] = (band.upper[k] - band.lower[k]) / 2;
    return {
      origin,
      actual: y.slice(origin, origin + plan.horizon),
      point: forecast.point,
      width,
      scale: naiveScale(train, lag < origin ? lag : 1),
    };
  });
}

/** Mean absolute scaled error over all windows (Hyndman & Koehler 2006). */
export function mase(windows: readonly BacktestWindow[]): number {
  let sum = 0;
  for (const w of windows) {
    let abs = 0;
    for (let k = 0; k < w.actual.length; k++) abs += Math.abs(w.actual[k] - w.point[k]);
    sum += abs / w.actual.length / w.scale;
  }
  return sum / windows.length;
}

/** Mean |y[t] - y[t-lag]|; never 0, so a constant series still has a finite MASE. */
function naiveScale(y: Float64Array, lag: number): number {
  let sum = 0;
  let mag = 0;
  for (let t = lag; t < y.length; t++) sum += Math.abs(y[t] - y[t - lag]);
  for (let t = 0; t < y.length; t++) mag += Math.abs(y[t]);
  const scale = sum / Math.max(1, y.length - lag);
  return Math.max(scale, 1e-9 * (mag / y.length), Number.MIN_VALUE);
}
