import type { Migration } from './Migration.js';
import { quoteLiteral } from '../sql.js';
import { ANALYST_VIEW_COMMENTS } from './schemaComments.js';

const RUN_COLUMNS: Record<string, { type: string; comment: string }> = {
  expected_count: {
    type: 'INTEGER',
    comment: 'Series the run set out to forecast (after resource and shard filters); NULL for runs made before schema 4.',
  },
  forecast_count: { type: 'INTEGER', comment: 'Series forecast (a forecasts row without error); NULL before schema 4.' },
  skipped_count: {
    type: 'INTEGER',
    comment: 'Series with no stored samples, so nothing to forecast and no forecasts row; NULL before schema 4.',
  },
  error: {
    type: 'VARCHAR',
    comment:
      'Why the run failed, e.g. the series count did not add up (expected_count ≠ forecast_count + failed_count + skipped_count); NULL when ok.',
  },
};

const CAPACITY_PAIRS = {
  comment:
    "How pulled capacity series (metric 'capacity') pair with the usage series of their resource: same resource and identical labels. One row per pair, per usage series without a capacity, and per capacity series without usage; only resources that have capacity series appear.",
  columns: {
    resource: 'Resource.',
    labels: 'Labels shared by the pair (or of the unmatched series).',
    usage_series_id: 'Usage series; NULL when status is no_usage.',
    capacity_series_id: 'Capacity series; NULL when status is no_capacity.',
    capacity: "Latest value of the capacity series: what a forecast run copies to series.capacity of the usage series.",
    capacity_at: 'Timestamp of that latest capacity sample.',
    status:
      'paired; no_capacity (a usage series no capacity series has the labels of: it gets no capacity, so no headroom or exhaustion date); no_usage (a capacity series whose labels match no usage series: usually the capacity query keeps or drops a label the usage query does not).',
  },
};

/** Columns migration 4 adds to data_quality (migration 2's are in ANALYST_VIEW_COMMENTS). */
export const DATA_QUALITY_COLUMNS: Record<string, string> = {
  capacity_pairing:
    "For series of resources with pulled capacity series: paired, no_capacity (usage series no capacity series matches) or no_usage (capacity series matching no usage series); see capacity_pairs. NULL otherwise.",
};

/**
 * Forecast runs record how many series they expected and how many they
 * forecast, failed or skipped, so a run whose counts do not add up is
 * visibly failed; and capacity-to-usage pairing becomes one view that the
 * forecast and analysts read alike (data_quality flags the unmatched).
 */
export const runCountsCapacityPairs: Migration = {
  version: 4,
  description: 'forecast run series counts and error; capacity_pairs view; data_quality.capacity_pairing',
  statements: [
    ...Object.entries(RUN_COLUMNS).map(([c, d]) => `ALTER TABLE forecast_runs ADD COLUMN ${c} ${d.type}`),
    // Labels compare as sorted entries: MAP equality in DuckDB depends on key order.
    `CREATE VIEW capacity_pairs AS
       WITH keyed AS (
         SELECT series_id, resource, metric, labels, list_sort(map_entries(labels)) AS label_key FROM series
       ),
       cap AS (SELECT * FROM keyed WHERE metric = 'capacity'),
       usage AS (SELECT * FROM keyed WHERE metric <> 'capacity' AND resource IN (SELECT resource FROM cap)),
       latest AS (
         SELECT series_id, arg_max(value, ts) AS value, max(ts) AS ts
         FROM samples WHERE series_id IN (SELECT series_id FROM cap)
         GROUP BY series_id
       )
       SELECT coalesce(u.resource, c.resource) AS resource,
              coalesce(u.labels, c.labels) AS labels,
              u.series_id AS usage_series_id,
              c.series_id AS capacity_series_id,
              l.value AS capacity,
              l.ts AS capacity_at,
              CASE WHEN u.series_id IS NULL THEN 'no_usage' WHEN c.series_id IS NULL THEN 'no_capacity' ELSE 'paired' END AS status
       FROM usage u
       FULL OUTER JOIN cap c ON u.resource = c.resource AND u.label_key = c.label_key
       LEFT JOIN latest l ON l.series_id = c.series_id`,
    // data_quality as in migration 2, plus capacity_pairing.
    `CREATE OR REPLACE VIEW data_quality AS
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
       ),
       pairing AS (
         SELECT series_id, min(status) AS capacity_pairing
         FROM (
           SELECT usage_series_id AS series_id, status FROM capacity_pairs WHERE usage_series_id IS NOT NULL
           UNION ALL
           SELECT capacity_series_id, status FROM capacity_pairs WHERE capacity_series_id IS NOT NULL
         )
         GROUP BY series_id
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
              coalesce(ps.errors, []::VARCHAR[]) AS pull_errors,
              pr.capacity_pairing
       FROM series s
       LEFT JOIN stored st USING (series_id)
       LEFT JOIN pull_summary ps USING (series_id)
       LEFT JOIN latest_forecasts f USING (series_id)
       LEFT JOIN pairing pr USING (series_id)`,
    ...Object.entries(RUN_COLUMNS).map(([c, d]) => `COMMENT ON COLUMN forecast_runs.${c} IS ${quoteLiteral(d.comment)}`),
    `COMMENT ON COLUMN forecast_runs.series_count IS ${quoteLiteral('Series with a forecasts row in the run: forecast_count + failed_count.')}`,
    `COMMENT ON COLUMN forecast_runs.status IS ${quoteLiteral("running, ok or failed (a crash, or series counts that do not add up: see error).")}`,
    `COMMENT ON VIEW capacity_pairs IS ${quoteLiteral(CAPACITY_PAIRS.comment)}`,
    ...Object.entries(CAPACITY_PAIRS.columns).map(([c, text]) => `COMMENT ON COLUMN capacity_pairs.${c} IS ${quoteLiteral(text)}`),
    // CREATE OR REPLACE drops a view's comments: restore them, with the new column's.
    `COMMENT ON VIEW data_quality IS ${quoteLiteral(ANALYST_VIEW_COMMENTS.data_quality.comment)}`,
    ...Object.entries({ ...ANALYST_VIEW_COMMENTS.data_quality.columns, ...DATA_QUALITY_COLUMNS }).map(
      ([c, text]) => `COMMENT ON COLUMN data_quality.${c} IS ${quoteLiteral(text)}`,
    ),
  ],
};
