import type { Migration } from './Migration.js';
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
 * Means in a fixed order. A double sum's last digits depend on the order
 * DuckDB's threads hand rows over, so the same store read twice could show
 * (and export) different digits; an ordered aggregate gives the same number
 * every time. Views only: no data changes.
 */
export const deterministicMeans: Migration = {
  version: 8,
  description: 'daily_peaks, weekly_peaks and backtest_accuracy average in a fixed order: the same store gives the same digits',
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
    ...restoreComments('daily_peaks'),
    ...restoreComments('weekly_peaks'),
    ...restoreComments('backtest_accuracy'),
  ],
};
