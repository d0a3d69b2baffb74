import type { Migration } from './Migration.js';
import { quoteLiteral } from '../sql.js';

const TABLES: Record<string, { comment: string; columns: Record<string, string> }> = {
  recommendations: {
    comment: 'What to add and when, per series in a forecast run, to keep the target headroom through the horizon.',
    columns: {
      run_id: 'Forecast run (scenario runs have their own).',
      series_id: 'Series.',
      risk: 'conservative (plans on the 80% band upper edge) or expected (the median).',
      target_headroom: 'Fraction of capacity kept free.',
      action: 'none or add.',
      amount: 'Capacity to add, in the series unit (0 with none).',
      needed_by: 'When usage first eats into the target headroom; NULL when it does not within the horizon.',
      order_by: 'needed_by minus the procurement lead time.',
      lead_time_s: 'Procurement lead time used, in seconds.',
      late: 'The order date has already passed.',
      capacity_changes: 'Planned capacity changes applied (JSON list of {at, kind, amount, note}).',
    },
  },
  error_budgets: {
    comment: 'Error-budget state and forecast per SLO and forecast run: budget left, burn-rate alerts, when the budget runs out.',
    columns: {
      run_id: 'Forecast run.',
      slo: 'SLO name.',
      objective: 'Target ratio of good requests, e.g. 0.999.',
      window_s: 'Rolling window in seconds (30 days = 2592000).',
      as_of: 'End of the data the state is computed at.',
      remaining: 'Share of the window budget left (negative when overspent).',
      error_ratio: 'Errors / requests over the window.',
      alerts: 'Burn-rate alerts (JSON list of {severity, long_s, short_s, factor, long_rate, short_rate, firing}).',
      status: 'past (spent), within (runs out within the horizon), beyond_horizon.',
      p10: 'Earliest plausible date the budget runs out.',
      p50: 'Median date.',
      p90: 'Latest plausible date; NULL when not within the horizon.',
    },
  },
};

/**
 * Planning results: recommendations and error budgets, kept per run like
 * everything else so they can be traced and compared.
 */
export const planningTables: Migration = {
  version: 3,
  description: 'recommendations and error_budgets tables',
  statements: [
    `CREATE TABLE recommendations (
       run_id           INTEGER NOT NULL,
       series_id        VARCHAR NOT NULL,
       risk             VARCHAR NOT NULL,
       target_headroom  DOUBLE NOT NULL,
       action           VARCHAR NOT NULL,
       amount           DOUBLE NOT NULL,
       needed_by        TIMESTAMPTZ,
       order_by         TIMESTAMPTZ,
       lead_time_s      BIGINT NOT NULL,
       late             BOOLEAN NOT NULL,
       capacity_changes JSON,
       PRIMARY KEY (run_id, series_id)
     )`,
    `CREATE TABLE error_budgets (
       run_id       INTEGER NOT NULL,
       slo          VARCHAR NOT NULL,
       objective    DOUBLE NOT NULL,
       window_s     BIGINT NOT NULL,
       as_of        TIMESTAMPTZ NOT NULL,
       remaining    DOUBLE NOT NULL,
       error_ratio  DOUBLE NOT NULL,
       alerts       JSON NOT NULL,
       status       VARCHAR NOT NULL,
       p10          TIMESTAMPTZ,
       p50          TIMESTAMPTZ,
       p90          TIMESTAMPTZ,
       PRIMARY KEY (run_id, slo)
     )`,
    ...Object.entries(TABLES).flatMap(([table, t]) => [
      `COMMENT ON TABLE ${table} IS ${quoteLiteral(t.comment)}`,
      ...Object.entries(t.columns).map(([c, text]) => `COMMENT ON COLUMN ${table}.${c} IS ${quoteLiteral(text)}`),
    ]),
  ],
};
