import type { Store } from './Store.js';

/** How a scenario run moves one series' full (100%) date against its baseline. */
export interface ScenarioEffect {
  readonly seriesId: string;
  readonly baselineStatus: string;
  readonly scenarioStatus: string;
  readonly baselineP50Ms: number | null;
  readonly scenarioP50Ms: number | null;
  /** scenario − baseline p50 in days (negative: runs out earlier); null unless both are dated. */
  readonly days: number | null;
}

/**
 * The series whose full date a scenario run changes, against its baseline
 * run, soonest first; series the scenario leaves alone are not listed.
 * `capplan demo`, `capplan forecast` and the report's scenarios table all
 * read this.
 */
export async function scenarioEffects(store: Store, baselineRunId: number, scenarioRunId: number): Promise<ScenarioEffect[]> {
  const reader = await store.connection.runAndReadAll(
    `SELECT s.series_id, b.status, s.status, epoch_ms(b.p50)::DOUBLE, epoch_ms(s.p50)::DOUBLE
     FROM exhaustion s JOIN exhaustion b ON b.series_id = s.series_id AND b.threshold = s.threshold
     WHERE s.run_id = $1 AND b.run_id = $2 AND s.threshold = 1
       AND (b.p50 IS DISTINCT FROM s.p50 OR b.status <> s.status)
     ORDER BY s.p50 NULLS LAST, s.series_id`,
    [scenarioRunId, baselineRunId],
  );
  return reader.getRowsJS().map(([id, bs, ss, bp, sp]) => {
    const b = bp === null ? null : Number(bp);
    const s = sp === null ? null : Number(sp);
    return {
      seriesId: String(id),
      baselineStatus: String(bs),
      scenarioStatus: String(ss),
      baselineP50Ms: b,
      scenarioP50Ms: s,
      days: b !== null && s !== null ? Math.round((s - b) / 86_400_000) : null,
    };
  });
}
