import type { ForecastInterval } from '../models/Forecast.js';
import type { Model } from '../models/Model.js';
import { mase, type BacktestWindow } from './backtest.js';

/**
 * A forecast's own band is the floor under its calibrated one. A mean
 * combination's own band is its members' average, a typical member's
 * uncertainty, while the combination misses by less than a typical member
 * (why it is chosen): its floor is that band narrowed by this share, the
 * combination's backtest error over its members' average error on the same
 * windows (at most 1). 1 for a single model or when a member's windows are
 * missing.
 */
export function combinedBandShare(model: (Model & { members?: readonly Model[] }) | undefined, kept: ReadonlyMap<string, readonly BacktestWindow[]>, own: readonly BacktestWindow[]): number {
  const members = model?.members ?? [];
  const theirs = members.map((m) => kept.get(m.alias));
  if (members.length === 0 || theirs.some((w) => w === undefined)) return 1;
  const typical = theirs.reduce((s, w) => s + mase(w as BacktestWindow[]), 0) / members.length;
  const share = mase(own) / typical;
  return Number.isFinite(share) && share > 0 ? Math.min(1, share) : 1;
}

/** A band narrowed (share < 1) around the point forecast. */
export function scaledBand(band: ForecastInterval, point: Float64Array, share: number): ForecastInterval {
  if (share === 1) return band;
  return { level: band.level, lower: band.lower.map((v, k) => point[k] - share * (point[k] - v)), upper: band.upper.map((v, k) => point[k] + share * (v - point[k])) };
}
