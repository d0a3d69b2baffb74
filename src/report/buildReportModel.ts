import type { DuckDBValue } from '@duckdb/node-api';
import { readErrorBudgets, readScenarios } from './readPlanningResults.js';
import type { Store } from '../store/Store.js';
import { listParam } from '../store/sqlValues.js';
import { recommendAction } from './action.js';
import { renderCharts } from './charts.js';
import { daysBetween, formatDate } from '../time/dates.js';
import { disambiguate, shortName } from './names.js';
import { nextPeriod, quarterPeriod } from '../time/periods.js';
import type { QuarterCalendar } from '../time/quarters.js';
import {
  compareRisk,
  headlineExhaustion,
  type ChangedRisk,
  type ChangesSinceLast,
  type ChartForecastPoint,
  type ChartPoint,
  type ExhaustionStatus,
  type GroupRollup,
  type HeadroomByGroup,
  type PullIssue,
  type ReportModel,
  type ReportPeriod,
  type ResourceChart,
  type ResourceReport,
  type RiskBucket,
  type RunSummary,
} from './ReportModel.js';
import { DAY } from '../time/constants.js';

export interface BuildReportOptions {
  readonly nowMs: number;
  readonly timeZone: string;
  readonly title?: string;
  /** A specific forecast run; default the latest successful baseline run. */
  readonly runId?: number;
  /** Month the fiscal year starts (1 = calendar quarters, the default). */
  readonly fiscalYearStartMonth?: number;
  /** Default: the quarter containing `nowMs` in `timeZone`. */
  readonly period?: ReportPeriod;
  /** Label to group headroom by; default the first of cluster, team, env, region, namespace present; null: by resource only. */
  readonly groupBy?: string | null;
  /** Charts for at most this many resources at risk (default 6; 0 for none). */
  readonly chartLimit?: number;
  /** Render the charts to SVG with Vega (default true); false leaves `svg` empty. */
  readonly renderCharts?: boolean;
}

const GROUP_LABELS = ['cluster', 'team', 'env', 'region', 'namespace'];
const AT_RISK = new Set<ExhaustionStatus>(['past', 'within']);

/**
 * Reads the latest (or a given) forecast run and the data behind it into a
 * `ReportModel`: the one place that queries the store for a report.
 */
export async function buildReportModel(store: Store, options: BuildReportOptions): Promise<ReportModel> {
  const tz = options.timeZone;
  const calendar: QuarterCalendar = { fiscalYearStartMonth: options.fiscalYearStartMonth ?? 1, timeZone: tz };
  const period = options.period ?? quarterPeriod(options.nowMs, calendar);
  const run = await readRun(store, options.runId);
  const resources = run ? [...(await readResources(store, run))].sort(compareRisk) : [];
  const asOf = run?.asOfMs ?? options.nowMs;
  const horizonEnd = run?.horizonEndMs ?? null;
  const dataQuality = await readDataQuality(store);
  const groupBy = options.groupBy === undefined ? pickGroupLabel(resources) : options.groupBy;
  const limit = options.chartLimit ?? 6;
  const atRisk = resources.filter((r) => AT_RISK.has(headlineExhaustion(r)?.status ?? 'beyond_horizon'));
  let charts = run && limit > 0 ? await readCharts(store, run, atRisk.slice(0, limit), tz) : [];
  if (options.renderCharts !== false) charts = await renderCharts(charts, asOf, tz);
  return {
    title: options.title ?? 'Capacity headroom report',
    generatedAtMs: options.nowMs,
    timeZone: tz,
    period,
    run,
    resources,
    summary: { buckets: run ? buckets(resources, period, asOf, horizonEnd, calendar) : [] },
    groups: groups(resources, groupBy),
    charts,
    changes: run ? await readChanges(store, run, resources) : null,
    scenarios: run ? await readScenarios(store, run, resources) : [],
    errorBudgets: run ? await readErrorBudgets(store, run) : [],
    notices: run ? notices(run, period, resources, tz) : [],
    dataQuality,
  };
}

async function rows(store: Store, sql: string, params: DuckDBValue[] = []): Promise<unknown[][]> {
  const reader = await store.connection.runAndReadAll(sql, params);
  return reader.getRowsJS() as unknown[][];
}

async function readRun(store: Store, runId: number | undefined): Promise<RunSummary | null> {
  const r = await rows(
    store,
    `SELECT run_id, epoch_ms(as_of)::DOUBLE, (epoch_ms(as_of) + horizon_s * 1000)::DOUBLE, levels, series_count, failed_count
     FROM forecast_runs
     WHERE CASE WHEN $1::INTEGER IS NULL THEN status = 'ok' AND scenario IS NULL ELSE run_id = $1 END
     ORDER BY run_id DESC LIMIT 1`,
    [runId ?? null],
  );
  if (r.length === 0) return null;
  const [id, asOf, end, levels, seriesCount, failedCount] = r[0] as [number, number, number, number[], number, number];
  const models = await rows(
    store,
    `SELECT coalesce(model, '(failed)'), count(*)::INTEGER FROM forecasts WHERE run_id = $1 GROUP BY ALL ORDER BY 2 DESC, 1`,
    [id],
  );
  return {
    runId: id,
    asOfMs: asOf,
    horizonEndMs: end,
    levels,
    seriesCount,
    failedCount,
    models: models.map(([model, count]) => ({ model: String(model), count: Number(count) })),
  };
}

/** The interval level charts and peaks use: 80% when the run has it, else its first. */
function bandLevel(run: RunSummary): number | null {
  return run.levels.find((l) => Math.abs(l - 0.8) < 1e-9) ?? run.levels[0] ?? null;
}

async function readResources(store: Store, run: RunSummary): Promise<ResourceReport[]> {
  const r = await rows(
    store,
    `WITH ex AS (
       SELECT series_id, list({'threshold': threshold, 'status': status,
                 'p10': epoch_ms(p10)::DOUBLE, 'p50': epoch_ms(p50)::DOUBLE, 'p90': epoch_ms(p90)::DOUBLE} ORDER BY threshold) AS exhaustion
       FROM exhaustion WHERE run_id = $1 GROUP BY series_id
     ), warn AS (
       SELECT series_id, list(DISTINCT w ORDER BY w) AS warnings
       FROM (SELECT DISTINCT series_id, pull_id FROM samples) sp
       JOIN (SELECT pull_id, unnest(warnings) AS w FROM pulls) pw USING (pull_id)
       GROUP BY series_id
     ), peak AS (
       SELECT series_id, max(value) AS p50, max(upper) AS upper
       FROM forecast_points WHERE run_id = $1 AND ($2::DOUBLE IS NULL OR abs(level - $2) < 1e-9)
       GROUP BY series_id
     )
     SELECT s.series_id, s.resource, s.name, map_keys(s.labels), map_values(s.labels), s.unit, s.description, s.capacity,
            coalesce(rs.direction, 'rising'),
            h.usage, epoch_ms(h.usage_at)::DOUBLE, h.headroom_ratio,
            coalesce(ex.exhaustion, []), peak.p50, peak.upper,
            f.model, f.fallback_reason, f.error, f.aggregation, f.mase, f.coverage::VARCHAR,
            epoch_ms(f.data_start)::DOUBLE, epoch_ms(f.data_end)::DOUBLE, f.data_points, f.data_missing, f.data_gaps,
            f.data_resolution_s::DOUBLE, coalesce(warn.warnings, [])
     FROM forecasts f
     JOIN series s USING (series_id)
     LEFT JOIN resources rs ON rs.resource = s.resource
     LEFT JOIN headroom h USING (series_id)
     LEFT JOIN ex USING (series_id)
     LEFT JOIN warn USING (series_id)
     LEFT JOIN peak USING (series_id)
     WHERE f.run_id = $1
     ORDER BY s.series_id`,
    [run.runId, bandLevel(run)],
  );
  const out = r.map((row): ResourceReport => {
    const [seriesId, resource, name, keys, values, unit, description, capacity, direction, usage, usageAt, headroomRatio, exhaustion, peakP50, peakUpper, model, fallbackReason, error, aggregation, mase, coverage, dStart, dEnd, points, missing, gaps, resolutionS, warnings] =
      row as [
        string, string, string, string[], string[], string | null, string | null, number | null, string,
        number | null, number | null, number | null,
        { threshold: number; status: ExhaustionStatus; p10: number | null; p50: number | null; p90: number | null }[],
        number | null, number | null,
        string | null, string | null, string | null, string | null, number | null, string | null,
        number | null, number | null, number | null, number | null, number | null, number | null, string[],
      ];
    const labels = Object.fromEntries(keys.map((k, i) => [k, values[i]]));
    return {
      seriesId,
      resource,
      name,
      shortName: shortName(labels, name),
      direction: direction === 'falling' ? 'falling' : 'rising',
      labels,
      unit,
      description,
      capacity,
      usage,
      usageAtMs: usageAt,
      headroomRatio,
      exhaustion: exhaustion.map((e) => ({ threshold: e.threshold, status: e.status, p10Ms: e.p10, p50Ms: e.p50, p90Ms: e.p90 })),
      forecastPeak: { p50: peakP50, upper: peakUpper },
      model,
      fallbackReason,
      error,
      aggregation,
      mase,
      coverage: coverage ? (JSON.parse(coverage) as { level: number; achieved: number }[]) : [],
      data: { startMs: dStart, endMs: dEnd, points, missing, gaps, resolutionS },
      pullWarnings: warnings,
    };
  });
  return disambiguate(out);
}

async function readDataQuality(store: Store): Promise<ReportModel['dataQuality']> {
  const pulls = await rows(
    store,
    `SELECT pull_id, epoch_ms(started_at)::DOUBLE, source, resource, status, warnings, error
     FROM pulls ORDER BY pull_id`,
  );
  const issues: PullIssue[] = [];
  const warnings = new Set<string>();
  for (const [pullId, started, source, resource, status, w, error] of pulls as [number, number, string, string | null, string, string[], string | null][]) {
    for (const x of w) warnings.add(x);
    if (status === 'partial' || status === 'failed') issues.push({ pullId, startedAtMs: started, source, resource, status, warnings: w, error });
  }
  return {
    pulls: pulls.length,
    partialPulls: issues.filter((i) => i.status === 'partial').length,
    failedPulls: issues.filter((i) => i.status === 'failed').length,
    warnings: [...warnings].sort(),
    issues,
  };
}

function pickGroupLabel(resources: readonly ResourceReport[]): string | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const label of GROUP_LABELS) {
    const n = resources.filter((r) => label in r.labels).length;
    if (n > bestCount) [best, bestCount] = [label, n];
  }
  return best;
}

function groups(resources: readonly ResourceReport[], label: string | null): HeadroomByGroup {
  const byKey = new Map<string, ResourceReport[]>();
  for (const r of resources) {
    const key = label === null ? '(all)' : (r.labels[label] ?? '(none)');
    byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  const keys = [...byKey.keys()].sort((a, b) => (a === '(none)' ? 1 : b === '(none)' ? -1 : a.localeCompare(b)));
  return {
    label,
    groups: label === null ? [] : keys.map((key) => ({ key, rollups: rollups(byKey.get(key) ?? []) })),
    total: rollups(resources),
  };
}

function rollups(resources: readonly ResourceReport[]): GroupRollup[] {
  const byKind = new Map<string, ResourceReport[]>();
  for (const r of resources) {
    const k = JSON.stringify([r.resource, r.unit]);
    byKind.set(k, [...(byKind.get(k) ?? []), r]);
  }
  return [...byKind.values()]
    .map((rs): GroupRollup => {
      const summed = rs.filter((r) => r.direction === 'rising' && r.capacity !== null && r.usage !== null);
      const capacity = summed.length > 0 ? summed.reduce((a, r) => a + (r.capacity as number), 0) : null;
      const usage = summed.length > 0 ? summed.reduce((a, r) => a + (r.usage as number), 0) : null;
      const ratios = rs.map((r) => r.headroomRatio).filter((x): x is number => x !== null);
      const risky = rs.filter((r) => AT_RISK.has(headlineExhaustion(r)?.status ?? 'beyond_horizon')).sort(compareRisk);
      const soonest = risky[0] ?? null;
      const e = soonest ? headlineExhaustion(soonest) : null;
      return {
        resource: rs[0].resource,
        unit: rs[0].unit,
        seriesCount: rs.length,
        usage,
        capacity,
        headroomRatio: capacity && usage !== null ? 1 - usage / capacity : null,
        minHeadroomRatio: ratios.length > 0 ? Math.min(...ratios) : null,
        atRiskCount: risky.length,
        soonestP50Ms: e ? (e.status === 'past' ? null : e.p50Ms) : null,
        soonestShortName: soonest?.shortName ?? null,
      };
    })
    .sort((a, b) => a.resource.localeCompare(b.resource) || String(a.unit).localeCompare(String(b.unit)));
}

/** When a resource is at risk for the summary: now if already full, else its earliest plausible date. */
function riskKey(r: ResourceReport, asOfMs: number): number | null {
  const e = headlineExhaustion(r);
  if (!e || !AT_RISK.has(e.status)) return null;
  return e.status === 'past' ? asOfMs : (e.p10Ms ?? e.p50Ms);
}

function buckets(resources: readonly ResourceReport[], period: ReportPeriod, asOfMs: number, horizonEndMs: number | null, calendar: QuarterCalendar): RiskBucket[] {
  const tz = calendar.timeZone;
  const next = nextPeriod(period, calendar);
  const item = (r: ResourceReport) => {
    const e = headlineExhaustion(r);
    return {
      seriesId: r.seriesId,
      shortName: r.shortName,
      name: r.name,
      resource: r.resource,
      status: e?.status ?? 'beyond_horizon',
      p10Ms: e?.p10Ms ?? null,
      p50Ms: e?.p50Ms ?? null,
      p90Ms: e?.p90Ms ?? null,
      headroomRatio: r.headroomRatio,
      action: recommendAction(r, asOfMs, horizonEndMs, tz),
    };
  };
  const keyed = resources.map((r) => ({ r, k: riskKey(r, asOfMs) })).filter((x): x is { r: ResourceReport; k: number } => x.k !== null);
  return [
    { label: period.label, startMs: period.startMs, endMs: period.endMs, items: keyed.filter((x) => x.k < period.endMs).map((x) => item(x.r)) },
    { label: next.label, startMs: next.startMs, endMs: next.endMs, items: keyed.filter((x) => x.k >= period.endMs && x.k < next.endMs).map((x) => item(x.r)) },
  ];
}

function notices(run: RunSummary, period: ReportPeriod, resources: readonly ResourceReport[], tz: string): string[] {
  const out: string[] = [];
  if (resources.length === 0) out.push(`Forecast run #${run.runId} has no series: there is nothing to report.`);
  if (period.startMs >= run.horizonEndMs) {
    out.push(`The forecast horizon ends ${formatDate(run.horizonEndMs, tz)}, before ${period.label} starts: no forecast covers this period.`);
  } else if (period.endMs > run.horizonEndMs) {
    out.push(`The forecast horizon ends ${formatDate(run.horizonEndMs, tz)}, before ${period.label} ends: exhaustion after that date is not covered.`);
  }
  if (period.endMs <= run.asOfMs) {
    out.push(`${period.label} ended before the forecast's data end (${formatDate(run.asOfMs, tz)}): only resources already at capacity can be listed for it.`);
  }
  return out;
}

async function readCharts(store: Store, run: RunSummary, resources: readonly ResourceReport[], tz: string): Promise<ResourceChart[]> {
  if (resources.length === 0) return [];
  const ids = listParam(resources.map((r) => r.seriesId));
  const horizonDays = Math.round((run.horizonEndMs - run.asOfMs) / DAY);
  const historyFromMs = run.asOfMs - Math.max(60, Math.min(horizonDays, 365)) * DAY;
  const day = (col: string) => `epoch_ms(timezone($2, date_trunc('day', timezone($2, ${col}))))::DOUBLE`;
  const history = await rows(
    store,
    `SELECT series_id, ${day('ts')} AS d, max(value)
     FROM samples
     WHERE list_contains($1::VARCHAR[], series_id) AND ts >= epoch_ms($3::BIGINT) AND ts <= epoch_ms($4::BIGINT)
     GROUP BY series_id, d ORDER BY series_id, d`,
    [ids, tz, Math.round(historyFromMs), Math.round(run.asOfMs)],
  );
  const level = bandLevel(run);
  const forecast = await rows(
    store,
    `SELECT series_id, ${day('ts')} AS d, max(value), max(lower), max(upper)
     FROM forecast_points
     WHERE list_contains($1::VARCHAR[], series_id) AND run_id = $3 AND ($4::DOUBLE IS NULL OR abs(level - $4) < 1e-9)
     GROUP BY series_id, d ORDER BY series_id, d`,
    [ids, tz, run.runId, level],
  );
  const hist = new Map<string, ChartPoint[]>();
  for (const [id, t, v] of history as [string, number, number][]) hist.set(id, [...(hist.get(id) ?? []), { tMs: t, value: v }]);
  const fc = new Map<string, ChartForecastPoint[]>();
  for (const [id, t, p50, lower, upper] of forecast as [string, number, number, number, number][]) {
    fc.set(id, [...(fc.get(id) ?? []), { tMs: t, p50, lower, upper }]);
  }
  return resources.map((r) => ({
    seriesId: r.seriesId,
    shortName: r.shortName,
    name: r.name,
    unit: r.unit,
    capacity: r.capacity,
    level,
    history: hist.get(r.seriesId) ?? [],
    forecast: fc.get(r.seriesId) ?? [],
    thresholds: r.exhaustion,
    svg: '',
  }));
}

async function readChanges(store: Store, run: RunSummary, resources: readonly ResourceReport[]): Promise<ChangesSinceLast | null> {
  const prev = await rows(
    store,
    `SELECT run_id, epoch_ms(as_of)::DOUBLE FROM forecast_runs
     WHERE status = 'ok' AND scenario IS NULL AND run_id < $1 ORDER BY run_id DESC LIMIT 1`,
    [run.runId],
  );
  if (prev.length === 0) return null;
  const [previousRunId, previousAsOfMs] = prev[0] as [number, number];
  const before = await rows(
    store,
    `SELECT e.series_id, e.status, epoch_ms(e.p50)::DOUBLE, s.name, map_keys(s.labels), map_values(s.labels), s.resource
     FROM exhaustion e JOIN series s USING (series_id) WHERE e.run_id = $1
     QUALIFY row_number() OVER (PARTITION BY e.series_id ORDER BY e.threshold DESC) = 1`,
    [previousRunId],
  );
  const old = new Map(
    (before as [string, ExhaustionStatus, number | null, string, string[], string[], string][]).map(([id, status, p50, name, k, v, resource]) => [
      id,
      { status, p50, shortName: shortName(Object.fromEntries(k.map((x, i) => [x, v[i]])), name), resource },
    ]),
  );
  const current = new Map(resources.map((r) => [r.seriesId, r]));
  const risky = (s: ExhaustionStatus | 'absent') => s === 'past' || s === 'within';
  const moved: ChangesSinceLast['moved'][number][] = [];
  const newRisks: ChangedRisk[] = [];
  const resolved: ChangedRisk[] = [];
  let unchanged = 0;
  for (const r of resources) {
    const e = headlineExhaustion(r);
    const now = { status: e?.status ?? ('absent' as const), p50: e?.p50Ms ?? null };
    const was = old.get(r.seriesId);
    const then = { status: was?.status ?? ('absent' as const), p50: was?.p50 ?? null };
    const change: ChangedRisk = { seriesId: r.seriesId, shortName: r.shortName, status: now.status, p50Ms: now.p50, previousStatus: then.status, previousP50Ms: then.p50 };
    if (risky(now.status) && !risky(then.status)) newRisks.push(change);
    else if (!risky(now.status) && risky(then.status)) resolved.push(change);
    else if (now.status === 'within' && then.status === 'within' && now.p50 !== null && then.p50 !== null && Math.abs(daysBetween(then.p50, now.p50)) >= 1) {
      moved.push({ seriesId: r.seriesId, shortName: r.shortName, beforeP50Ms: then.p50, afterP50Ms: now.p50, days: daysBetween(then.p50, now.p50) });
    } else unchanged++;
  }
  for (const [id, was] of old) {
    if (!current.has(id) && risky(was.status)) {
      resolved.push({ seriesId: id, shortName: was.shortName, status: 'absent', p50Ms: null, previousStatus: was.status, previousP50Ms: was.p50 });
    }
  }
  moved.sort((a, b) => a.days - b.days || a.shortName.localeCompare(b.shortName));
  return { previousRunId, previousAsOfMs, moved, newRisks, resolved, unchanged };
}
