import type { Migration } from './Migration.js';
import { VIEW_COMMENTS } from './schemaComments.js';
import { quoteLiteral } from '../sql.js';

/** The column migration 9 adds to exhaustion. */
export const EXHAUSTION_P_NEVER_COMMENT =
  'Probability (0 to 1) that the threshold is not reached within the horizon: the share of the forecast sample paths that never reach it (without a noise estimate, 0 or 1 by the point forecast). NULL for rows written before schema 9.';

/**
 * "Not within the horizon" as a probability: exhaustion keeps the share of
 * sample paths that never reach the threshold, so a beyond_horizon row with
 * P(never) 0.55 reads differently from one with 1. latest_exhaustion is
 * recreated so its column list (and the schema reference) shows p_never.
 */
export const exhaustionPNever: Migration = {
  version: 9,
  description: 'exhaustion.p_never: the probability the threshold is not reached within the horizon, also in latest_exhaustion',
  statements: [
    `ALTER TABLE exhaustion ADD COLUMN p_never DOUBLE`,
    `COMMENT ON COLUMN exhaustion.p_never IS ${quoteLiteral(EXHAUSTION_P_NEVER_COMMENT)}`,
    `CREATE OR REPLACE VIEW latest_exhaustion AS
       SELECT s.resource, s.name, s.labels, s.unit, e.*, f.model, f.mase
       FROM exhaustion e
       JOIN latest_forecasts f USING (run_id, series_id)
       JOIN series s USING (series_id)`,
    // CREATE OR REPLACE drops a view's comment: restore it.
    `COMMENT ON VIEW latest_exhaustion IS ${quoteLiteral(VIEW_COMMENTS.latest_exhaustion)}`,
  ],
};
