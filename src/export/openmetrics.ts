import type { DuckDBValue } from '@duckdb/node-api';
import { findRun } from '../store/runs.js';
import type { Store } from '../store/Store.js';

/** Where exported text goes: `ctx.stdout`, a file, a buffer in tests. */
export interface TextSink {
  write(text: string): void;
}

export interface OpenMetricsOptions {
  /** Forecast run to export; default the latest successful baseline run. */
  readonly runId?: number;
  /** Leave out the forecast points (only exhaustion and headroom); default false. */
  readonly omitForecast?: boolean;
}

export interface OpenMetricsStats {
  readonly runId: number | null;
  readonly series: number;
  readonly samples: number;
}

/** Labels capplan sets itself; a series label of the same name is exported as `exported_<name>`. */
const OWN_LABELS = ['series_id', 'resource', 'metric', 'name', 'threshold', 'quantile'];

/**
 * Writes a forecast run as OpenMetrics text with timestamps, for backfilling
 * with `promtool tsdb create-blocks-from openmetrics` so Grafana can draw
 * forecasts next to actuals:
 *
 * - `capplan_forecast{…,quantile="0.1|0.5|0.9"}`: the median and the bounds of
 *   the 80% interval at each forecast step;
 * - `capplan_exhaustion_timestamp_seconds{…,threshold,quantile}`: when usage
 *   reaches `threshold` × capacity (p10 earliest plausible, p50, p90), stamped at
 *   the run's as-of time; absent when not within the horizon;
 * - `capplan_exhaustion_never_ratio{…,threshold}`: the probability (0 to 1)
 *   that it is not reached within the horizon, stamped at the as-of time, so a
 *   series still "beyond the horizon" can be seen coming closer;
 * - `capplan_headroom_ratio{…}`: (capacity − usage) / capacity at the last sample.
 *
 * Every sample carries `series_id`, `resource`, `metric`, `name` and the
 * series' own labels (names sanitised, values escaped per the spec). Ends with `# EOF`.
 */
export async function exportOpenMetrics(store: Store, out: TextSink, options: OpenMetricsOptions = {}): Promise<OpenMetricsStats> {
  const run = await readRun(store, options.runId);
  if (!run) {
    out.write('# EOF\n');
    return { runId: null, series: 0, samples: 0 };
  }
  const labelsOf = await readSeriesLabels(store, run.runId);
  let samples = 0;

  if (!options.omitForecast) {
    const level = run.levels.find((l) => Math.abs(l - 0.8) < 1e-9) ?? run.levels[0] ?? null;
    const lo = level === null ? null : formatNumber(round6((1 - level) / 2));
    const hi = level === null ? null : formatNumber(round6((1 + level) / 2));
    out.write(
      `# TYPE capplan_forecast gauge\n# HELP capplan_forecast Forecast usage of a resource: quantile 0.5 is the median${level === null ? '' : `, ${lo} and ${hi} bound the ${Math.round(level * 100)}% interval`}.\n`,
    );
    const quantiles = [
      ...(lo === null ? [] : [`SELECT series_id, '${lo}' AS q, ts, lower AS v FROM pts`]),
      `SELECT series_id, '0.5' AS q, ts, value AS v FROM pts`,
      ...(hi === null ? [] : [`SELECT series_id, '${hi}' AS q, ts, upper AS v FROM pts`]),
    ];
    samples += await streamLines(
      store,
      `WITH pts AS (
         SELECT series_id, ts, value, lower, upper FROM forecast_points
         WHERE run_id = $1 AND ($2::DOUBLE IS NULL OR abs(level - $2) < 1e-9)
       )
       SELECT series_id, q, (epoch_ms(ts) / 1000.0)::DOUBLE, v FROM (${quantiles.join(' UNION ALL ')})
       ORDER BY series_id, q, ts`,
      [run.runId, level],
      (row) => {
        const [id, q, t, v] = row as [string, string, number, number];
        const labels = labelsOf.get(id);
        return labels === undefined ? null : `capplan_forecast{${labels},quantile="${q}"} ${formatNumber(v)} ${formatNumber(t)}\n`;
      },
      out,
    );
  }

  out.write(
    '# TYPE capplan_exhaustion_timestamp_seconds gauge\n' +
      '# HELP capplan_exhaustion_timestamp_seconds When usage is forecast to reach threshold × capacity, as Unix time: quantile 0.1 is the earliest plausible date, 0.5 the median, 0.9 the latest; absent when not within the forecast horizon.\n',
  );
  samples += await streamLines(
    store,
    `WITH e AS (SELECT series_id, threshold, p10, p50, p90 FROM exhaustion WHERE run_id = $1)
     SELECT series_id, threshold, q, (epoch_ms(t) / 1000.0)::DOUBLE, ($2::DOUBLE / 1000.0)::DOUBLE FROM (
       SELECT series_id, threshold, '0.1' AS q, p10 AS t FROM e UNION ALL
       SELECT series_id, threshold, '0.5', p50 FROM e UNION ALL
       SELECT series_id, threshold, '0.9', p90 FROM e)
     WHERE t IS NOT NULL
     ORDER BY series_id, threshold, q`,
    [run.runId, Math.round(run.asOfMs)],
    (row) => {
      const [id, threshold, q, t, at] = row as [string, number, string, number, number];
      const labels = labelsOf.get(id);
      return labels === undefined
        ? null
        : `capplan_exhaustion_timestamp_seconds{${labels},threshold="${formatNumber(threshold)}",quantile="${q}"} ${formatNumber(t)} ${formatNumber(at)}\n`;
    },
    out,
  );

  out.write(
    '# TYPE capplan_exhaustion_never_ratio gauge\n' +
      '# HELP capplan_exhaustion_never_ratio Probability (0 to 1) that usage does not reach threshold × capacity within the forecast horizon: the share of forecast sample paths that never do.\n',
  );
  samples += await streamLines(
    store,
    `SELECT series_id, threshold, p_never, ($2::DOUBLE / 1000.0)::DOUBLE FROM exhaustion
     WHERE run_id = $1 AND p_never IS NOT NULL AND isfinite(p_never)
     ORDER BY series_id, threshold`,
    [run.runId, Math.round(run.asOfMs)],
    (row) => {
      const [id, threshold, p, at] = row as [string, number, number, number];
      const labels = labelsOf.get(id);
      return labels === undefined ? null : `capplan_exhaustion_never_ratio{${labels},threshold="${formatNumber(threshold)}"} ${formatNumber(p)} ${formatNumber(at)}\n`;
    },
    out,
  );

  out.write('# TYPE capplan_headroom_ratio gauge\n# HELP capplan_headroom_ratio Free fraction of capacity, (capacity - usage) / capacity, at the last stored sample.\n');
  samples += await streamLines(
    store,
    `SELECT h.series_id, h.headroom_ratio, (epoch_ms(h.usage_at) / 1000.0)::DOUBLE
     FROM headroom h JOIN forecasts f ON f.series_id = h.series_id AND f.run_id = $1
     WHERE h.headroom_ratio IS NOT NULL AND isfinite(h.headroom_ratio)
     ORDER BY h.series_id`,
    [run.runId],
    (row) => {
      const [id, ratio, at] = row as [string, number, number];
      const labels = labelsOf.get(id);
      return labels === undefined ? null : `capplan_headroom_ratio{${labels}} ${formatNumber(ratio)} ${formatNumber(at)}\n`;
    },
    out,
  );
  out.write('# EOF\n');
  return { runId: run.runId, series: labelsOf.size, samples };
}

/** A label value inside double quotes, escaped per OpenMetrics: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A valid label name (`[a-zA-Z_][a-zA-Z0-9_]*`, not `__`-prefixed) for any key. */
export function sanitizeLabelName(name: string): string {
  let n = name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (n === '' || /^[0-9]/.test(n)) n = `_${n}`;
  if (n.startsWith('__')) n = `label${n}`;
  return n;
}

/** `{series_id="…",resource="…",metric="…",name="…",<series labels>}` without braces, names unique. */
export function labelSet(own: Readonly<Record<string, string>>, seriesLabels: Readonly<Record<string, string>>): string {
  const used = new Set(OWN_LABELS);
  const pairs: [string, string][] = Object.entries(own);
  for (const key of Object.keys(seriesLabels).sort()) {
    let name = sanitizeLabelName(key);
    if (used.has(name)) name = `exported_${name}`;
    let unique = name;
    for (let i = 2; used.has(unique); i++) unique = `${name}_${i}`;
    used.add(unique);
    pairs.push([unique, seriesLabels[key]]);
  }
  return pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',');
}

/** Numbers as OpenMetrics wants them: shortest round-trip decimal, `NaN`, `+Inf`, `-Inf`. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** The run to export: the given one, or the latest successful baseline (store/runs.ts, like the report). */
async function readRun(store: Store, runId: number | undefined): Promise<{ runId: number; asOfMs: number; levels: readonly number[] } | null> {
  return findRun(store, runId === undefined ? {} : { runId });
}

async function readSeriesLabels(store: Store, runId: number): Promise<Map<string, string>> {
  const reader = await store.connection.runAndReadAll(
    `SELECT s.series_id, s.resource, s.metric, s.name, map_keys(s.labels), map_values(s.labels)
     FROM series s JOIN forecasts f USING (series_id) WHERE f.run_id = $1 ORDER BY s.series_id`,
    [runId],
  );
  const out = new Map<string, string>();
  for (const [id, resource, metric, name, keys, values] of reader.getRowsJS() as [string, string, string, string, string[], string[]][]) {
    out.set(id, labelSet({ series_id: id, resource, metric, name }, Object.fromEntries(keys.map((k, i) => [k, values[i]]))));
  }
  return out;
}

/** Streams a query chunk by chunk, writing one batch of lines per chunk; returns the lines written. */
async function streamLines(
  store: Store,
  sql: string,
  params: DuckDBValue[],
  line: (row: readonly unknown[]) => string | null,
  out: TextSink,
): Promise<number> {
  const result = await store.connection.stream(sql, params);
  let n = 0;
  for await (const chunk of result) {
    const rows = chunk.getRows();
    let text = '';
    for (const row of rows) {
      const l = line(row);
      if (l !== null) {
        text += l;
        n++;
      }
    }
    if (text) out.write(text);
  }
  return n;
}
