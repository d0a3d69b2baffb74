import type { Migration } from './Migration.js';
import { ANALYST_VIEW_COMMENTS } from './schemaComments.js';
import { quoteLiteral } from '../sql.js';

/** Columns migration 10 adds to exhaustion_history (migration 2's are in ANALYST_VIEW_COMMENTS). */
export const EXHAUSTION_HISTORY_COLUMNS: Record<string, string> = {
  p_never: 'Probability that the threshold is not reached within the horizon, in this run (NULL for runs before schema 9).',
  previous_p_never: 'p_never in the previous run: a beyond_horizon series whose p_never falls from 1 to 0.6 is coming closer before it has a date.',
};

/**
 * exhaustion_history carries P(never) and its previous value, so an analyst
 * sees a series coming closer while it is still "beyond the horizon" — the
 * p50 dates cannot show that. Columns appended; the others keep their meaning.
 */
export const exhaustionHistoryPNever: Migration = {
  version: 10,
  description: 'exhaustion_history: p_never and previous_p_never',
  statements: [
    `CREATE OR REPLACE VIEW exhaustion_history AS
       SELECT e.series_id, s.resource, s.name, s.labels, e.threshold, e.run_id, r.as_of, f.model,
              e.status, e.p10, e.p50, e.p90,
              (epoch(e.p50) - epoch(r.as_of)) / 86400 AS p50_days,
              lag(e.run_id) OVER w AS previous_run_id,
              lag(e.p50) OVER w AS previous_p50,
              (epoch(e.p50) - epoch(lag(e.p50) OVER w)) / 86400 AS p50_change_days,
              e.p_never,
              lag(e.p_never) OVER w AS previous_p_never
       FROM exhaustion e
       JOIN forecast_runs r USING (run_id)
       JOIN series s USING (series_id)
       LEFT JOIN forecasts f USING (run_id, series_id)
       WHERE r.scenario IS NULL AND r.status = 'ok'
       WINDOW w AS (PARTITION BY e.series_id, e.threshold ORDER BY e.run_id)`,
    // CREATE OR REPLACE drops a view's comments: restore them, with the new columns'.
    `COMMENT ON VIEW exhaustion_history IS ${quoteLiteral(ANALYST_VIEW_COMMENTS.exhaustion_history.comment)}`,
    ...Object.entries({ ...ANALYST_VIEW_COMMENTS.exhaustion_history.columns, ...EXHAUSTION_HISTORY_COLUMNS }).map(
      ([c, text]) => `COMMENT ON COLUMN exhaustion_history.${c} IS ${quoteLiteral(text)}`,
    ),
  ],
};
