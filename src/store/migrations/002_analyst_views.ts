import type { Migration } from './Migration.js';
import { analystCommentStatements } from './schemaComments.js';

/**
 * Views and macros for the questions analysts ask most, on top of schema 1.
 * No table changes: a database at version 2 holds exactly the data of version 1.
 *
 * Calendar buckets (days, weeks, quarters) are UTC, whatever the reader's
 * session time zone, so every client sees the same rows.
 */
export const analystViews: Migration = {
  version: 2,
  description: 'analyst views: exhaustion history, backtest accuracy, data quality, headroom by group and quarter, daily and weekly peaks',
  statements: [
    // How each series' exhaustion dates moved from one baseline run to the next.
    `CREATE VIEW exhaustion_history AS
       SELECT e.series_id, s.resource, s.name, s.labels, e.threshold, e.run_id, r.as_of, f.model,
              e.status, e.p10, e.p50, e.p90,
              (epoch(e.p50) - epoch(r.as_of)) / 86400 AS p50_days,
              lag(e.run_id) OVER w AS previous_run_id,
              lag(e.p50) OVER w AS previous_p50,
              (epoch(e.p50) - epoch(lag(e.p50) OVER w)) / 86400 AS p50_change_days
       FROM exhaustion e
       JOIN forecast_runs r USING (run_id)
       JOIN series s USING (series_id)
       LEFT JOIN forecasts f USING (run_id, series_id)
       WHERE r.scenario IS NULL AND r.status = 'ok'
       WINDOW w AS (PARTITION BY e.series_id, e.threshold ORDER BY e.run_id)`,
    // coverage is JSON [{level, achieved}]; level 0.8 compared with a tolerance as it went through JSON.
    `CREATE VIEW backtest_accuracy AS
       WITH f AS (
         SELECT model, mase,
                from_json(coverage, '[{"level":"DOUBLE","achieved":"DOUBLE"}]') AS cov
         FROM latest_forecasts
         WHERE model IS NOT NULL
       )
       SELECT model,
              count(*) AS series_count,
              median(mase) AS median_mase,
              avg(mase) AS mean_mase,
              max(mase) AS max_mase,
              avg(CASE WHEN mase < 1 THEN 1 ELSE 0 END) FILTER (WHERE mase IS NOT NULL) AS share_beating_naive,
              avg(list_filter(cov, c -> abs(c.level - 0.8) < 1e-9)[1].achieved) AS mean_coverage_80,
              avg(list_filter(cov, c -> abs(c.level - 0.95) < 1e-9)[1].achieved) AS mean_coverage_95
       FROM f
       GROUP BY model`,
    // A pull touched a series if it stored samples of it, or was a pull of the series' resource
    // (a failed pull may have stored nothing).
    `CREATE VIEW data_quality AS
       WITH stored AS (
         SELECT series_id, min(ts) AS first_sample, max(ts) AS last_sample, count(*) AS samples,
                list(DISTINCT resolution_s ORDER BY resolution_s) AS resolutions_s,
                min(resolution_s) AS finest_resolution_s
         FROM samples GROUP BY series_id
       ),
       touched AS (
         SELECT DISTINCT series_id, pull_id FROM samples
         UNION
         SELECT s.series_id, p.pull_id FROM pulls p JOIN series s ON p.resource = s.resource
       ),
       pull_summary AS (
         SELECT t.series_id,
                count(*) AS pulls,
                count(*) FILTER (WHERE p.status = 'partial') AS partial_pulls,
                count(*) FILTER (WHERE p.status = 'failed') AS failed_pulls,
                list_sort(list_distinct(flatten(list(p.warnings)))) AS warnings,
                list_sort(list_distinct(list(p.error) FILTER (WHERE p.error IS NOT NULL))) AS errors,
                list_sort(list_distinct(list(p.resolution) FILTER (WHERE p.resolution IS NOT NULL))) AS source_resolutions
         FROM touched t JOIN pulls p USING (pull_id)
         GROUP BY t.series_id
       )
       SELECT s.series_id, s.resource, s.name, s.labels,
              st.first_sample, st.last_sample, coalesce(st.samples, 0) AS samples,
              CASE WHEN st.samples IS NULL OR st.finest_resolution_s <= 0 THEN NULL
                   ELSE st.samples / ((epoch(st.last_sample) - epoch(st.first_sample)) / st.finest_resolution_s + 1) END AS completeness,
              st.resolutions_s,
              ps.source_resolutions,
              f.run_id AS forecast_run_id, f.data_points, f.data_missing, f.data_gaps, f.data_resolution_s, f.aggregation,
              coalesce(ps.pulls, 0) AS pulls,
              coalesce(ps.partial_pulls, 0) AS partial_pulls,
              coalesce(ps.failed_pulls, 0) AS failed_pulls,
              coalesce(ps.partial_pulls, 0) + coalesce(ps.failed_pulls, 0) > 0 AS incomplete_pulls,
              coalesce(ps.warnings, []::VARCHAR[]) AS warnings,
              coalesce(ps.errors, []::VARCHAR[]) AS pull_errors
       FROM series s
       LEFT JOIN stored st USING (series_id)
       LEFT JOIN pull_summary ps USING (series_id)
       LEFT JOIN latest_forecasts f USING (series_id)`,
    // Rolls the headroom view up per resource (group_by = 'resource') and per value of one label.
    // The parameter is bound like a column inside GROUP BY queries, hence any_value(label).
    `CREATE MACRO headroom_by(label) AS TABLE
       SELECT resource,
              CASE WHEN grouping(labels[label]) = 1 THEN 'resource' ELSE any_value(label) END AS group_by,
              labels[label] AS group_value,
              any_value(unit) AS unit,
              count(*) AS series_count,
              sum(usage) AS usage,
              sum(capacity) AS capacity,
              sum(headroom) AS headroom,
              sum(headroom) / nullif(sum(capacity), 0) AS headroom_ratio,
              min(headroom_ratio) AS min_headroom_ratio,
              arg_min(name, headroom_ratio) AS tightest_series
       FROM headroom
       GROUP BY GROUPING SETS ((resource), (resource, labels[label]))`,
    `CREATE VIEW headroom_by_group AS SELECT * FROM headroom_by('cluster')`,
    // Peak forecast per UTC calendar quarter of the latest forecasts; 'falling' resources are at risk at their minimum.
    `CREATE VIEW headroom_by_quarter AS
       WITH q AS (
         SELECT p.series_id,
                date_trunc('quarter', p.ts AT TIME ZONE 'UTC')::DATE AS quarter,
                max(p.ts) AS through,
                max(p.value) AS peak_forecast,
                min(p.value) AS low_forecast,
                max(p.upper) FILTER (WHERE abs(p.level - 0.8) < 1e-9) AS peak_upper_80,
                min(p.lower) FILTER (WHERE abs(p.level - 0.8) < 1e-9) AS low_lower_80
         FROM latest_forecast_points p
         GROUP BY ALL
       )
       SELECT s.series_id, s.resource, s.name, s.labels, s.unit, q.quarter,
              (q.quarter + INTERVAL 3 MONTH - INTERVAL 1 DAY)::DATE AS quarter_end,
              q.through,
              s.capacity,
              CASE WHEN r.direction = 'falling' THEN q.low_forecast ELSE q.peak_forecast END AS forecast_peak,
              CASE WHEN r.direction = 'falling' THEN q.low_forecast ELSE s.capacity - q.peak_forecast END AS headroom,
              CASE WHEN r.direction = 'falling' THEN q.low_lower_80 ELSE s.capacity - q.peak_upper_80 END AS headroom_upper_80,
              CASE WHEN s.capacity IS NULL OR s.capacity = 0 THEN NULL
                   WHEN r.direction = 'falling' THEN q.low_forecast / s.capacity
                   ELSE (s.capacity - q.peak_forecast) / s.capacity END AS headroom_ratio
       FROM q
       JOIN series s USING (series_id)
       LEFT JOIN resources r USING (resource)`,
    `CREATE VIEW daily_peaks AS
       SELECT p.series_id, s.resource, p.day, p.samples, p.max_value, p.p95_value, p.mean_value, p.min_value
       FROM (
         SELECT series_id, (ts AT TIME ZONE 'UTC')::DATE AS day,
                count(*) AS samples,
                max(value) AS max_value,
                quantile_cont(value, 0.95) AS p95_value,
                avg(value) AS mean_value,
                min(value) AS min_value
         FROM samples
         GROUP BY ALL
       ) p
       JOIN series s USING (series_id)`,
    `CREATE VIEW weekly_peaks AS
       SELECT p.series_id, s.resource, p.week, p.samples, p.max_value, p.p95_value, p.mean_value, p.min_value
       FROM (
         SELECT series_id, date_trunc('week', ts AT TIME ZONE 'UTC')::DATE AS week,
                count(*) AS samples,
                max(value) AS max_value,
                quantile_cont(value, 0.95) AS p95_value,
                avg(value) AS mean_value,
                min(value) AS min_value
         FROM samples
         GROUP BY ALL
       ) p
       JOIN series s USING (series_id)`,
    ...analystCommentStatements(),
  ],
};
