import type { Store } from '../store/Store.js';

/**
 * How far ahead a forecast may reach: at most this many times the longest
 * stored history. Beyond it a trend is pure extrapolation (the backtest
 * scores horizons up to 40% of the history), and a long horizon alone fills
 * the database with points and makes the next diff report risks "resolved"
 * by the horizon, not by the data.
 */
export const HORIZON_HISTORY_RATIO = 2;

export interface HorizonCheck {
  /** The horizon to use: the asked one, or the limit when it was longer. */
  readonly horizonMs: number;
  readonly askedMs: number;
  /** Longest stored usage history (ms); null when nothing is stored. */
  readonly historyMs: number | null;
  readonly capped: boolean;
}

/** Caps `askedMs` at HORIZON_HISTORY_RATIO × the longest stored history (usage series, not capacity ones). */
export async function limitHorizon(store: Store, askedMs: number): Promise<HorizonCheck> {
  const r = await store.query(`SELECT max(epoch_ms(last_ts) - epoch_ms(first_ts))::DOUBLE FROM series WHERE metric <> 'capacity'`);
  const span = r.rows[0]?.[0];
  const historyMs = span === null || span === undefined ? null : Number(span);
  if (historyMs === null || historyMs <= 0) return { horizonMs: askedMs, askedMs, historyMs, capped: false };
  const limit = HORIZON_HISTORY_RATIO * historyMs;
  return askedMs > limit ? { horizonMs: limit, askedMs, historyMs, capped: true } : { horizonMs: askedMs, askedMs, historyMs, capped: false };
}
