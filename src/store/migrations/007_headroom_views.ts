import { CONTEXT_LABELS, DESCRIPTIVE_LABELS } from '../displayName.js';
import { quoteLiteral } from '../sql.js';
import type { Migration } from './Migration.js';

const list = (xs: readonly string[]) => `[${xs.map(quoteLiteral).join(', ')}]`;

/** Window of "usage now": the highest peak of the last 7 days before a series' last sample. */
export const USAGE_NOW_WINDOW_DAYS = 7;

/** Comments of the macros migration 007 adds or replaces. */
export const HEADROOM_MACRO_COMMENTS: Record<string, string> = {
  usage_now:
    "usage_now(as_of): per series, usage now = the highest sample (the lowest, for falling resources) of the 7 days up to its last sample at or before as_of (NULL: the latest). Columns: series_id, peak (raw value), used (in usage terms: capacity − peak for falling resources), usage_at (when the peak was), last_sample. The report, capplan headroom and the headroom views all use this.",
  display_name:
    'display_name(labels, fallback): the short name the report uses: values of the identifying labels in key order, without context labels (cluster, team, …) or descriptive ones (fstype, device, mode).',
  capacity_at:
    'capacity_at(current, changes, t): capacity at instant t after the planned changes (recommendations.capacity_changes JSON) dated at or before t: the last set, plus every add after it.',
  headroom_by:
    "headroom_by('label'): the headroom view rolled up per resource (group_by = 'resource', group_value NULL) and per value of that label (group_value '(none)' for series without it), over series with a capacity.",
  headroom_by_quarter_in:
    "headroom_by_quarter_in(fiscal_year_start_month, time_zone): headroom_by_quarter with fiscal years (1 = calendar) and quarter boundaries at local midnight in a zone; the quarter labels are those of capplan headroom (2027-Q1, FY2027-Q4).",
};

/** Comments of the views migration 007 replaces, column by column. */
export const HEADROOM_VIEW_COMMENTS: Record<string, { comment: string; columns: Record<string, string> }> = {
  headroom: {
    comment:
      'Usage now (the highest peak of the last 7 days, see usage_now), capacity, and headroom absolute and as a ratio of capacity, per capacity series (SLO series are left out).',
    columns: {
      series_id: 'Series.',
      resource: 'Resource of the series.',
      name: 'Readable series name.',
      display_name: 'Short name, as in the report (display_name macro).',
      labels: 'Series labels.',
      unit: 'Unit of usage and capacity.',
      usage_at: 'When the peak counted as usage now was sampled.',
      usage: 'The raw peak: the highest sample of the last 7 days (the lowest, for falling resources such as free bytes).',
      used: 'Usage now in usage terms: usage, or capacity − usage for falling resources.',
      capacity: 'Capacity now, NULL when unknown.',
      headroom: 'capacity − used: what is left.',
      headroom_ratio: 'headroom / capacity.',
    },
  },
  headroom_by_group: {
    comment:
      "The headroom view rolled up per resource (group_by = 'resource', group_value NULL) and per cluster label (group_by = 'cluster'; group_value '(none)' for series without one), over series with a capacity. Same as SELECT * FROM headroom_by('cluster').",
    columns: {
      resource: 'Resource.',
      group_by: "'resource' for the resource total, else the label name.",
      group_value: "Label value of the group ('(none)' without the label); NULL only on resource totals.",
      unit: 'Unit of usage, capacity and headroom.',
      series_count: 'Series with a capacity in the group.',
      usage: 'Sum of usage now in usage terms (headroom.used).',
      capacity: 'Sum of capacity.',
      headroom: 'Sum of headroom.',
      headroom_ratio: 'headroom / capacity of the group.',
      min_headroom_ratio: 'Smallest headroom ratio of a series in the group.',
      tightest_series: 'Display name of the series with that smallest ratio.',
    },
  },
  headroom_by_quarter: {
    comment:
      "Headroom per series and UTC calendar quarter of the latest forecasts, as capplan headroom computes it: capacity at the quarter's end (planned changes included) minus the quarter's peak usage from the run's data end on (the current quarter includes usage now). Same as headroom_by_quarter_in(1, 'UTC').",
    columns: {
      series_id: 'Series.',
      resource: 'Resource of the series.',
      name: 'Readable series name.',
      display_name: 'Short name, as in the report.',
      labels: 'Series labels.',
      unit: 'Unit of the values.',
      run_id: 'Forecast run (latest_forecasts).',
      quarter: 'First day of the quarter (a date in its zone).',
      quarter_end: 'Last day of the quarter.',
      quarter_label: 'Quarter label as capplan headroom and the report print it: 2027-Q1, or FY2027-Q4 with fiscal years.',
      quarter_start: 'Start of the quarter (local midnight in its zone) as an instant.',
      quarter_end_at: 'End of the quarter (exclusive) as an instant.',
      through: 'Last forecast point in the quarter: before quarter_end when the horizon ends inside it.',
      complete: 'The forecast reaches the last day of the quarter.',
      capacity: "Capacity at the quarter's last forecast point, with planned changes.",
      forecast_peak: 'Highest expected usage in the quarter from the data end on (point forecast, in usage terms; the current quarter includes usage now).',
      headroom: 'capacity − forecast_peak.',
      headroom_upper_80: 'capacity − peak_conservative: headroom at the plausible worst case.',
      headroom_ratio: 'headroom / capacity.',
      peak_conservative: 'Highest conservative usage: the 80% band edge on the exhausting side.',
      ratio_conservative: 'headroom_upper_80 / capacity: what capplan headroom and the report print per quarter.',
    },
  },
};

/** Quarter of a timestamp in a zone, with fiscal years, labelled like src/time/quarters.ts. */
const QUARTER_OF = `
  CREATE MACRO quarter_label(ts, fs, tz) AS (
    WITH l AS (SELECT year(timezone(tz, ts)) AS y, month(timezone(tz, ts)) - 1 AS m),
         f AS (SELECT y, m, (m - (fs - 1) + 12) % 12 AS into_fy FROM l)
    SELECT CASE WHEN fs = 1 THEN ((y * 12 + m - into_fy) // 12)::VARCHAR || '-Q' || (into_fy // 3 + 1)::VARCHAR
                ELSE 'FY' || ((y * 12 + m - into_fy) // 12 + 1)::VARCHAR || '-Q' || (into_fy // 3 + 1)::VARCHAR END
    FROM f)`;

const QUARTER_START = `
  CREATE MACRO quarter_start(ts, fs, tz) AS (
    WITH l AS (SELECT year(timezone(tz, ts)) AS y, month(timezone(tz, ts)) - 1 AS m),
         f AS (SELECT y * 12 + m - ((m - (fs - 1) + 12) % 12) % 3 AS idx FROM l)
    SELECT timezone(tz, make_timestamp(idx // 12, idx % 12 + 1, 1, 0, 0, 0)) FROM f)`;

const QUARTER_END = `
  CREATE MACRO quarter_end(ts, fs, tz) AS (
    WITH l AS (SELECT year(timezone(tz, ts)) AS y, month(timezone(tz, ts)) - 1 AS m),
         f AS (SELECT y * 12 + m - ((m - (fs - 1) + 12) % 12) % 3 + 3 AS idx FROM l)
    SELECT timezone(tz, make_timestamp(idx // 12, idx % 12 + 1, 1, 0, 0, 0)) FROM f)`;

/**
 * One definition of "usage now" (peaks, not the last raw sample), a display
 * name, and headroom views that give the numbers `capplan headroom` and the
 * report print: SLO series left out, resource totals apart from series
 * without the group label, quarters with fiscal years and time zones.
 */
export const headroomViews: Migration = {
  version: 7,
  description: 'usage now on 7-day peaks; headroom views agree with capplan headroom and the report; display_name',
  statements: [
    `CREATE OR REPLACE MACRO display_name(labels, fallback) AS coalesce(
       nullif(trim(regexp_replace(array_to_string(list_transform(
         list_filter(list_sort(map_keys(labels)), k -> NOT list_contains(${list([...CONTEXT_LABELS, ...DESCRIPTIVE_LABELS])}, k) AND labels[k] <> ''),
         k -> labels[k]), ' '), '[\\x00-\\x1f\\x7f]+', ' ', 'g')), ''),
       nullif(trim(regexp_replace(array_to_string(list_transform(
         list_filter(list_sort(map_keys(labels)), k -> NOT list_contains(${list(DESCRIPTIVE_LABELS)}, k) AND labels[k] <> ''),
         k -> labels[k]), ' '), '[\\x00-\\x1f\\x7f]+', ' ', 'g')), ''),
       fallback)`,
    `CREATE OR REPLACE MACRO usage_now(as_of) AS TABLE
       WITH last AS (
         SELECT series_id, max(ts) AS last_sample FROM samples
         WHERE ts <= coalesce(as_of::TIMESTAMPTZ, 'infinity'::TIMESTAMPTZ)
         GROUP BY series_id
       )
       SELECT x.series_id,
              CASE WHEN any_value(coalesce(r.direction, 'rising')) = 'falling' THEN min(x.value) ELSE max(x.value) END AS peak,
              CASE WHEN any_value(coalesce(r.direction, 'rising')) = 'falling' THEN any_value(s.capacity) - min(x.value) ELSE max(x.value) END AS used,
              CASE WHEN any_value(coalesce(r.direction, 'rising')) = 'falling' THEN arg_min(x.ts, x.value) ELSE arg_max(x.ts, x.value) END AS usage_at,
              any_value(l.last_sample) AS last_sample
       FROM last l
       JOIN samples x ON x.series_id = l.series_id AND x.ts > l.last_sample - INTERVAL ${USAGE_NOW_WINDOW_DAYS} DAY AND x.ts <= l.last_sample
       JOIN series s ON s.series_id = x.series_id
       LEFT JOIN resources r ON r.resource = s.resource
       GROUP BY x.series_id`,
    `CREATE OR REPLACE MACRO capacity_at(current, changes, t) AS (
       WITH c AS (
         SELECT list_sort(list_filter(
                  list_transform(coalesce(from_json(changes, '[{"at":"VARCHAR","kind":"VARCHAR","amount":"DOUBLE"}]'), []),
                                 x -> {'at': x.at::TIMESTAMPTZ, 'kind': x.kind, 'amount': x.amount}),
                  x -> x.at <= t)) AS applied
       ), s AS (SELECT applied, list_filter(applied, x -> x.kind = 'set') AS sets FROM c)
       SELECT coalesce(sets[-1].amount, current)
              + coalesce(list_sum(list_transform(list_filter(applied, x -> x.kind = 'add' AND (len(sets) = 0 OR x.at > sets[-1].at)), x -> x.amount)), 0)
       FROM s)`,
    QUARTER_OF.replace('CREATE MACRO', 'CREATE OR REPLACE MACRO'),
    QUARTER_START.replace('CREATE MACRO', 'CREATE OR REPLACE MACRO'),
    QUARTER_END.replace('CREATE MACRO', 'CREATE OR REPLACE MACRO'),
    `CREATE OR REPLACE VIEW headroom AS
       SELECT s.series_id, s.resource, s.name, display_name(s.labels, s.name) AS display_name, s.labels, s.unit,
              u.usage_at, u.peak AS usage, u.used, s.capacity,
              s.capacity - u.used AS headroom,
              CASE WHEN s.capacity IS NULL OR s.capacity = 0 THEN NULL ELSE (s.capacity - u.used) / s.capacity END AS headroom_ratio
       FROM series s JOIN usage_now(NULL) u USING (series_id)
       LEFT JOIN resources r USING (resource)
       WHERE coalesce(r.kind, 'capacity') <> 'slo' AND s.metric <> 'capacity'`,
    `CREATE OR REPLACE MACRO headroom_by(label) AS TABLE
       SELECT resource,
              CASE WHEN grouping(coalesce(labels[label], '(none)')) = 1 THEN 'resource' ELSE any_value(label) END AS group_by,
              coalesce(labels[label], '(none)') AS group_value,
              any_value(unit) AS unit,
              count(*) AS series_count,
              sum(used) AS usage,
              sum(capacity) AS capacity,
              sum(headroom) AS headroom,
              sum(headroom) / nullif(sum(capacity), 0) AS headroom_ratio,
              min(headroom_ratio) AS min_headroom_ratio,
              arg_min(display_name, headroom_ratio) AS tightest_series
       FROM headroom
       WHERE capacity > 0
       GROUP BY GROUPING SETS ((resource), (resource, coalesce(labels[label], '(none)')))`,
    `CREATE OR REPLACE VIEW headroom_by_group AS SELECT * FROM headroom_by('cluster')`,
    `CREATE OR REPLACE MACRO headroom_by_quarter_in(fs, tz) AS TABLE
       WITH f AS (
         SELECT lf.run_id, lf.series_id, lf.as_of, s.capacity AS capacity_now, s.resource, s.name, s.labels, s.unit,
                coalesce(r.direction, 'rising') AS direction, rc.capacity_changes::VARCHAR AS changes, u.used AS used_now
         FROM latest_forecasts lf
         JOIN series s USING (series_id)
         LEFT JOIN resources r USING (resource)
         LEFT JOIN recommendations rc ON rc.run_id = lf.run_id AND rc.series_id = lf.series_id
         LEFT JOIN usage_now(NULL) u ON u.series_id = lf.series_id
         WHERE lf.error IS NULL AND s.capacity > 0 AND coalesce(r.kind, 'capacity') <> 'slo'
       ), p AS (
         SELECT f.*, p.ts, capacity_at(f.capacity_now, f.changes, p.ts) AS cap,
                quarter_label(p.ts, fs, tz) AS quarter, quarter_start(p.ts, fs, tz) AS q_start, quarter_end(p.ts, fs, tz) AS q_end,
                p.value, p.lower, p.upper
         FROM f JOIN forecast_points p ON p.run_id = f.run_id AND p.series_id = f.series_id AND abs(p.level - 0.8) < 1e-9
         WHERE p.ts >= f.as_of
       ), q AS (
         SELECT run_id, series_id, quarter, any_value(q_start) AS quarter_start, any_value(q_end) AS quarter_end,
                any_value(resource) AS resource, any_value(name) AS name, any_value(labels) AS labels, any_value(unit) AS unit,
                any_value(as_of) AS as_of, any_value(used_now) AS used_now,
                max(ts) AS through, arg_max(cap, ts) AS capacity,
                max(CASE WHEN direction = 'falling' THEN cap - value ELSE value END) AS peak_e,
                max(CASE WHEN direction = 'falling' THEN cap - lower ELSE upper END) AS peak_c
         FROM p GROUP BY run_id, series_id, quarter
       ), g AS (
         SELECT *,
                CASE WHEN quarter_start <= as_of THEN greatest(peak_e, used_now) ELSE peak_e END AS peak_expected,
                CASE WHEN quarter_start <= as_of THEN greatest(peak_c, used_now) ELSE peak_c END AS peak_conservative
         FROM q
       )
       SELECT series_id, resource, name, display_name(labels, name) AS display_name, labels, unit, run_id,
              timezone(tz, quarter_start)::DATE AS quarter, (timezone(tz, quarter_end) - INTERVAL 1 DAY)::DATE AS quarter_end,
              quarter AS quarter_label, quarter_start, quarter_end AS quarter_end_at,
              through, through >= quarter_end - INTERVAL 1 DAY AS complete, capacity,
              peak_expected AS forecast_peak, capacity - peak_expected AS headroom, capacity - peak_conservative AS headroom_upper_80,
              (capacity - peak_expected) / capacity AS headroom_ratio,
              peak_conservative, (capacity - peak_conservative) / capacity AS ratio_conservative
       FROM g`,
    `DROP VIEW IF EXISTS headroom_by_quarter`,
    `CREATE VIEW headroom_by_quarter AS SELECT * FROM headroom_by_quarter_in(1, 'UTC')`,
    ...Object.entries(HEADROOM_VIEW_COMMENTS).flatMap(([view, v]) => [
      `COMMENT ON VIEW ${view} IS ${quoteLiteral(v.comment)}`,
      ...Object.entries(v.columns).map(([c, text]) => `COMMENT ON COLUMN ${view}.${c} IS ${quoteLiteral(text)}`),
    ]),
    ...Object.entries(HEADROOM_MACRO_COMMENTS).map(([macro, text]) =>
      `COMMENT ON MACRO${['usage_now', 'headroom_by', 'headroom_by_quarter_in'].includes(macro) ? ' TABLE' : ''} ${macro} IS ${quoteLiteral(text)}`,
    ),
  ],
};
