import { quoteLiteral } from '../sql.js';
import type { Migration } from './Migration.js';

const FORECAST_RUN_COLUMNS: Record<string, string> = {
  plan_file: 'Plan file the run was planned with (as given on the command line); NULL without a plan.',
  plan_sha256: 'SHA-256 (hex) of the plan file’s bytes at run time: two runs with the same hash used the same plan.',
  planning: 'Planning settings used, as JSON: defaults (thresholds, lead_time_s, target_headroom, risk, warning_window_s, fiscal_year_start_month, group_by, capacity_changes) and per-resource overrides.',
};

const LATEST_RECOMMENDATIONS: { comment: string; columns: Record<string, string> } = {
  comment: "What to add, by when, per series, from the same run as latest_forecasts (its newest successful baseline run), late ones and the soonest order dates first.",
  columns: {
    run_id: 'Forecast run (the series’ newest successful baseline run, as in latest_forecasts).',
    as_of: 'Data cutoff of that run.',
    series_id: 'Series.',
    resource: 'Resource of the series.',
    name: 'Readable series name.',
    labels: 'Series labels.',
    unit: 'Unit of amount.',
    capacity: 'Capacity of the series now (series.capacity).',
    action: 'none or add.',
    amount: 'Capacity to add, in the series unit (0 with none).',
    needed_by: 'When usage first eats into the target headroom; NULL when it does not within the horizon.',
    order_by: 'needed_by minus the procurement lead time.',
    lead_time_days: 'Procurement lead time in days.',
    late: 'The order date has already passed.',
    risk: 'conservative (80% band upper edge) or expected (median).',
    target_headroom: 'Fraction of capacity kept free.',
    capacity_changes: 'Planned capacity changes applied (JSON list of {at, kind, amount, note}).',
  },
};

/**
 * Provenance of forecast runs (which plan file and planning settings made
 * them) and the latest recommendations as a view. Adds columns and a view
 * only: rows of earlier versions keep their meaning, with NULL provenance.
 */
export const runProvenance: Migration = {
  version: 6,
  description: 'forecast_runs.plan_file, plan_sha256 and planning; latest_recommendations view; pulls.status interrupted',
  statements: [
    `ALTER TABLE forecast_runs ADD COLUMN plan_file VARCHAR`,
    `ALTER TABLE forecast_runs ADD COLUMN plan_sha256 VARCHAR`,
    `ALTER TABLE forecast_runs ADD COLUMN planning JSON`,
    `CREATE VIEW latest_recommendations AS
       SELECT r.run_id, l.as_of, r.series_id, s.resource, s.name, s.labels, s.unit, s.capacity,
              r.action, r.amount, r.needed_by, r.order_by, r.lead_time_s / 86400.0 AS lead_time_days,
              r.late, r.risk, r.target_headroom, r.capacity_changes
       FROM recommendations r
       JOIN latest_forecasts l USING (run_id, series_id)
       JOIN series s USING (series_id)
       ORDER BY r.late DESC, r.order_by NULLS LAST, s.resource, s.name`,
    // A pull stopped by SIGINT/SIGTERM now ends as 'interrupted' (the pull and run commands mark it on the way out).
    `COMMENT ON COLUMN pulls.status IS ${quoteLiteral("running, ok, partial (some stores or chunks missing: see warnings), failed, or interrupted (stopped by SIGINT/SIGTERM; what it stored is kept and the next pull resumes after it).")}`,
    ...Object.entries(FORECAST_RUN_COLUMNS).map(([c, text]) => `COMMENT ON COLUMN forecast_runs.${c} IS ${quoteLiteral(text)}`),
    `COMMENT ON VIEW latest_recommendations IS ${quoteLiteral(LATEST_RECOMMENDATIONS.comment)}`,
    ...Object.entries(LATEST_RECOMMENDATIONS.columns).map(([c, text]) => `COMMENT ON COLUMN latest_recommendations.${c} IS ${quoteLiteral(text)}`),
  ],
};
