import type { Store } from './Store.js';

/** Usage now of one series: the highest peak of the last 7 days (the lowest, for falling resources). */
export interface UsageNow {
  /** The raw peak (a free-bytes minimum for falling resources). */
  readonly peak: number;
  /** In usage terms: `peak`, or capacity − peak for falling resources. */
  readonly used: number;
  readonly atMs: number;
}

/**
 * Usage now of every series as of `asOfMs` (null: the latest data), from the
 * SQL macro `usage_now` that the headroom views use too: one definition for
 * the report, `capplan headroom`, the recommendations and the views. A peak,
 * not the last sample, so a report made on Sunday night does not plan on
 * weekend lows.
 */
export async function usageNow(store: Store, asOfMs: number | null): Promise<Map<string, UsageNow>> {
  const reader = await store.connection.runAndReadAll(
    `SELECT series_id, peak, used, epoch_ms(usage_at)::DOUBLE FROM usage_now(CASE WHEN $1::BIGINT IS NULL THEN NULL ELSE epoch_ms($1::BIGINT) END)`,
    [asOfMs === null ? null : Math.round(asOfMs)],
  );
  const out = new Map<string, UsageNow>();
  for (const [id, peak, used, at] of reader.getRowsJS()) {
    out.set(String(id), { peak: Number(peak), used: used === null ? NaN : Number(used), atMs: Number(at) });
  }
  return out;
}
