import type { Migration } from './Migration.js';
import { HEADROOM_MACRO_COMMENTS } from './007_headroom_views.js';
import { ANALYST_VIEW_COMMENTS } from './schemaComments.js';
import { quoteLiteral } from '../sql.js';

const PEAKS = (view: 'daily_peaks' | 'weekly_peaks', bucket: string, column: 'day' | 'week') => `
  CREATE OR REPLACE VIEW ${view} AS
    SELECT p.series_id, s.resource, p.${column}, p.samples, p.max_value, p.p95_value, p.mean_value, p.min_value
    FROM (
      SELECT series_id, ${bucket} AS ${column},
             count(*) AS samples,
             max(value) AS max_value,
             quantile_cont(value, 0.95) AS p95_value,
             avg(value ORDER BY ts) AS mean_value,
             min(value) AS min_value
      FROM samples
      GROUP BY ALL
    ) p
    JOIN series s USING (series_id)`;

const restoreComments = (view: keyof typeof ANALYST_VIEW_COMMENTS): string[] => [
  `COMMENT ON VIEW ${view} IS ${quoteLiteral(ANALYST_VIEW_COMMENTS[view].comment)}`,
  ...Object.entries(ANALYST_VIEW_COMMENTS[view].columns).map(([c, text]) => `COMMENT ON COLUMN ${view}.${c} IS ${quoteLiteral(text)}`),
];

/**
 * Sums and means in a fixed order. A double sum's last digits depend on the
 * order DuckDB's threads hand rows over, so the same store read twice could
 * show (and export) different digits; an ordered aggregate gives the same
 * number every time. Views and the headroom_by macro only: no data changes.
 */
export const deterministicMeans: Migration = {
  version: 8,
  description: 'headroom_by sums and daily_peaks, weekly_peaks, backtest_accuracy average in a fixed order: the same store gives the same digits',
  statements: [
    PEAKS('daily_peaks', `(ts AT TIME ZONE 'UTC')::DATE`, 'day'),
    PEAKS('weekly_peaks', `date_trunc('week', ts AT TIME ZONE 'UTC')::DATE`, 'week'),
    `CREATE OR REPLACE VIEW backtest_accuracy AS
       WITH f AS (
         SELECT series_id, model, mase,
                from_json(coverage, '[{"level":"DOUBLE","achieved":"DOUBLE"}]') AS cov
         FROM latest_forecasts
         WHERE model IS NOT NULL
       )
       SELECT model,
              count(*) AS series_count,
              median(mase) AS median_mase,
              avg(mase ORDER BY series_id) AS mean_mase,
              max(mase) AS max_mase,
              avg(CASE WHEN mase < 1 THEN 1 ELSE 0 END ORDER BY series_id) FILTER (WHERE mase IS NOT NULL) AS share_beating_naive,
              avg(list_filter(cov, c -> abs(c.level - 0.8) < 1e-9)[1].achieved ORDER BY series_id) AS mean_coverage_80,
              avg(list_filter(cov, c -> abs(c.level - 0.95) < 1e-9)[1].achieved ORDER BY series_id) AS mean_coverage_95
       FROM f
       GROUP BY model`,
    // headroom_by as migration 7 made it, its sums in series order. (Its views read it at query time.)
    `CREATE OR REPLACE MACRO headroom_by(label) AS TABLE
       SELECT resource,
              CASE WHEN grouping(coalesce(labels[label], '(none)')) = 1 THEN 'resource' ELSE any_value(label) END AS group_by,
              coalesce(labels[label], '(none)') AS group_value,
              any_value(unit) AS unit,
              count(*) AS series_count,
              sum(used ORDER BY series_id) AS usage,
              sum(capacity ORDER BY series_id) AS capacity,
              sum(headroom ORDER BY series_id) AS headroom,
              sum(headroom ORDER BY series_id) / nullif(sum(capacity ORDER BY series_id), 0) AS headroom_ratio,
              min(headroom_ratio) AS min_headroom_ratio,
              arg_min(display_name, headroom_ratio) AS tightest_series
       FROM headroom
       WHERE capacity > 0
       GROUP BY GROUPING SETS ((resource), (resource, coalesce(labels[label], '(none)')))`,
    `COMMENT ON MACRO TABLE headroom_by IS ${quoteLiteral(HEADROOM_MACRO_COMMENTS.headroom_by)}`,
    ...restoreComments('daily_peaks'),
    ...restoreComments('weekly_peaks'),
    ...restoreComments('backtest_accuracy'),
  ],
};
