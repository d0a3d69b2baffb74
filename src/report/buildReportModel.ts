import type { DuckDBValue } from '@duckdb/node-api';
import { capacityAt } from '../forecast/capacityTimeline.js';
import { defaultQuarters, headroomTable, type HeadroomRow } from '../pipeline/headroomTable.js';
import { rollUp, type Rollup } from '../pipeline/rollUp.js';
import { diffRuns } from '../store/diffRuns.js';
import { readErrorBudgets } from '../store/readErrorBudgets.js';
import { findRun, modelCounts, previousRun, scenarioDefinition, scenarioRunsOf, type ScenarioDefinition, type StoredRun } from '../store/runs.js';
import { scenarioEffects } from '../store/scenarioEffects.js';
import type { Store } from '../store/Store.js';
import { listParam } from '../store/sqlValues.js';
import { usageNow, type UsageNow } from '../store/usageNow.js';
import { DAY } from '../time/constants.js';
import { formatDate } from '../time/dates.js';
import { nextPeriod, quarterPeriod } from '../time/periods.js';
import type { QuarterCalendar } from '../time/quarters.js';
import { recommendationText } from './actionText.js';
import { renderCharts } from './charts.js';
import { disambiguate, shortName } from './names.js';
import { formatQuantity } from './units.js';
import {
  compareRisk,
  criticalExhaustion,
  headlineExhaustion,
  type ChangedRisk,
  type ChangesSinceLast,
  type ChartForecastPoint,
  type ChartPoint,
  type ErrorBudget,
  type ExhaustionStatus,
  type GroupRollup,
  type HeadroomByGroup,
  type OrderRow,
  type PullIssue,
  type ReclaimRow,
  type ReportModel,
  type ReportPeriod,
  type ResourceChart,
  type ResourceReport,
  type RiskBucket,
  type RunSummary,
  type ScenarioComparison,
  type SummaryCounts,
} from './ReportModel.js';

export interface BuildReportOptions {
  readonly nowMs: number;
  readonly timeZone: string;
  readonly title?: string;
  /** A specific forecast run; default the latest successful baseline run. */
  readonly runId?: number;
  /** Month the fiscal year starts (1 = calendar quarters, the default): the plan's planning.fiscalYearStart. */
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
/** A resource is reclaimable when its p90 forecast peak stays below this share of capacity through the horizon. */
const RECLAIM_BELOW = 0.5;

/**
 * Reads the latest (or a given) forecast run and its stored planning results
 * (recommendations, headroom now and per quarter, scenario runs, error
 * budgets) into a `ReportModel`, through the store's read side and
 * pipeline/headroomTable, the same functions `capplan headroom`, `diff` and
 * `budget` call, so the report and the commands cannot disagree.
 */
export async function buildReportModel(store: Store, options: BuildReportOptions): Promise<ReportModel> {
  const tz = options.timeZone;
  const calendar: QuarterCalendar = { fiscalYearStartMonth: options.fiscalYearStartMonth ?? 1, timeZone: tz };
  const period = options.period ?? quarterPeriod(options.nowMs, calendar);
  const stored = await findRun(store, options.runId === undefined ? {} : { runId: options.runId });
  const run = stored ? { ...summaryOf(stored), models: await modelCounts(store, stored.runId) } : null;
  const quarters = stored ? defaultQuarters(stored.asOfMs, calendar) : [];
  const headroomRows = stored ? await headroomTable(store, stored, quarters) : [];
  const now = stored ? await usageNow(store, stored.asOfMs) : new Map<string, UsageNow>();
  const resources = run ? [...(await readResources(store, run, now, headroomRows, tz))].sort(compareRisk) : [];
  const asOf = run?.asOfMs ?? options.nowMs;
  const dataQuality = await readDataQuality(store);
  const groupBy = options.groupBy === undefined ? pickGroupLabel(resources) : options.groupBy;
  const limit = options.chartLimit ?? 6;
  const atRisk = resources.filter((r) => AT_RISK.has(headlineExhaustion(r)?.status ?? 'beyond_horizon'));
  let charts = run && limit > 0 ? await readCharts(store, run, atRisk.slice(0, limit), tz) : [];
  if (options.renderCharts !== false) charts = await renderCharts(charts, asOf, tz);
  const grouped = groups(headroomRows, resources, groupBy);
  let groupCharts = run && limit > 0 ? await readGroupCharts(store, run, resources, grouped, tz, 3) : [];
  if (options.renderCharts !== false) groupCharts = await renderCharts(groupCharts, asOf, tz, 'group');
  const errorBudgets = stored ? await budgets(store, stored) : [];
  const orders = orderRows(resources);
  const summaryBuckets = run ? buckets(resources, period, asOf, run.horizonEndMs, calendar) : [];
  return {
    title: options.title ?? 'Capacity headroom report',
    generatedAtMs: options.nowMs,
    timeZone: tz,
    period,
    run,
    resources,
    summary: { buckets: summaryBuckets, counts: counts(resources, orders, errorBudgets, period, summaryBuckets) },
    groups: grouped,
    charts,
    groupCharts,
    changes: stored ? await readChanges(store, stored, resources) : null,
    scenarios: stored ? await readScenarios(store, stored, resources) : [],
    errorBudgets,
    notices: run ? notices(run, period, resources, tz) : [],
    dataQuality,
    quarters: quarters.map((q) => q.label),
    orders,
    reclaimable: reclaimable(resources),
  };
}

async function rows(store: Store, sql: string, params: DuckDBValue[] = []): Promise<unknown[][]> {
  const reader = await store.connection.runAndReadAll(sql, params);
  return reader.getRowsJS() as unknown[][];
}

function summaryOf(r: StoredRun): Omit<RunSummary, 'models'> {
  return { runId: r.runId, asOfMs: r.asOfMs, horizonEndMs: r.horizonEndMs, levels: r.levels, seriesCount: r.seriesCount, failedCount: r.failedCount };
}

/** The interval level charts and peaks use: 80% when the run has it, else its first. */
function bandLevel(run: RunSummary): number | null {
  return run.levels.find((l) => Math.abs(l - 0.8) < 1e-9) ?? run.levels[0] ?? null;
}

async function readResources(store: Store, run: RunSummary, now: ReadonlyMap<string, UsageNow>, planned: readonly HeadroomRow[], tz: string): Promise<ResourceReport[]> {
  const plannedById = new Map(planned.map((h) => [h.seriesId, h]));
  const r = await rows(
    store,
    `WITH ex AS (
       SELECT series_id, list({'threshold': threshold, 'status': status,
                 'p10': epoch_ms(p10)::DOUBLE, 'p50': epoch_ms(p50)::DOUBLE, 'p90': epoch_ms(p90)::DOUBLE,
                 'p_never': p_never} ORDER BY threshold) AS exhaustion
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
            NULL, NULL, NULL,
            coalesce(ex.exhaustion, []), peak.p50, peak.upper,
            f.model, f.fallback_reason, f.error, f.aggregation, f.mase, f.coverage::VARCHAR,
            epoch_ms(f.data_start)::DOUBLE, epoch_ms(f.data_end)::DOUBLE, f.data_points, f.data_missing, f.data_gaps,
            f.data_resolution_s::DOUBLE, coalesce(warn.warnings, [])
     FROM forecasts f
     JOIN series s USING (series_id)
     LEFT JOIN resources rs ON rs.resource = s.resource
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
        { threshold: number; status: ExhaustionStatus; p10: number | null; p50: number | null; p90: number | null; p_never: number | null }[],
        number | null, number | null,
        string | null, string | null, string | null, string | null, number | null, string | null,
        number | null, number | null, number | null, number | null, number | null, number | null, string[],
      ];
    const labels = Object.fromEntries(keys.map((k, i) => [k, values[i]]));
    void usage, usageAt, headroomRatio;
    // Usage now is the 7-day peak (store/usageNow.ts); with a capacity, the stored planning results give headroom now and per quarter.
    const h = plannedById.get(seriesId);
    const u = now.get(seriesId);
    const rec = h?.recommendation ?? null;
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
      usage: h ? h.usedNow : (u?.peak ?? null),
      usageAtMs: u?.atMs ?? null,
      headroomRatio: h ? (h.capacity - h.usedNow) / h.capacity : null,
      quarterHeadroom: (h?.quarters ?? []).map((q) => ({ label: q.label, ratio: q.ratioConservative, complete: q.complete })),
      recommendation: rec && {
        action: rec.action,
        amount: rec.amount,
        neededByMs: rec.neededByMs,
        orderByMs: rec.orderByMs,
        late: rec.late,
        risk: rec.risk,
        targetHeadroom: rec.targetHeadroom,
        leadTimeMs: rec.leadTimeMs,
        plannedChanges: rec.capacityChanges.map((c) => ({ atMs: c.atMs, kind: c.kind, amount: c.amount, note: c.note ?? null })),
      },
      exhaustion: exhaustion.map((e) => ({ threshold: e.threshold, status: e.status, p10Ms: e.p10, p50Ms: e.p50, p90Ms: e.p90, pNever: e.p_never })),
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
  void tz;
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

/** Headroom per group from the one roll-up `capplan headroom --group-by` and the SQL macro headroom_by share. */
function groups(planned: readonly HeadroomRow[], resources: readonly ResourceReport[], label: string | null): HeadroomByGroup {
  const byId = new Map(resources.map((r) => [r.seriesId, r]));
  const name = (h: HeadroomRow) => byId.get(h.seriesId)?.shortName ?? h.displayName;
  const { groups: gs, totals } = rollUp(planned, label, name);
  const toRollup = (g: Rollup): GroupRollup => {
    const risky = g.atRisk.map((h) => byId.get(h.seriesId)).filter((r): r is ResourceReport => r !== undefined).sort(compareRisk);
    const soonest = risky[0] ?? null;
    const e = soonest ? headlineExhaustion(soonest) : null;
    return {
      resource: g.resource,
      unit: g.unit,
      seriesCount: g.seriesCount,
      usage: g.used,
      capacity: g.capacity,
      headroomRatio: g.headroomRatio,
      minHeadroomRatio: g.minHeadroomRatio,
      atRiskCount: risky.length,
      soonestP50Ms: e ? (e.status === 'past' ? null : e.p50Ms) : null,
      soonestShortName: soonest?.shortName ?? null,
      quarterHeadroom: [...g.quarters].map(([l, ratio]) => ({ label: l, ratio })),
    };
  };
  const keys = [...new Set(gs.map((g) => g.group as string))];
  return {
    label,
    groups: keys.map((key) => ({ key, rollups: gs.filter((g) => g.group === key).map(toRollup) })),
    total: totals.map(toRollup),
  };
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
      action: recommendationText(r, horizonEndMs, tz),
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
  return resources.map((r): ResourceChart => {
    const history = hist.get(r.seriesId) ?? [];
    const changes = r.recommendation?.plannedChanges ?? [];
    let forecastPoints = fc.get(r.seriesId) ?? [];
    const times = Float64Array.from([...history.map((p) => p.tMs), ...forecastPoints.map((p) => p.tMs), ...changes.map((c) => c.atMs)].sort((a, b) => a - b));
    const capacity = r.capacity === null ? null : capacityAt(r.capacity, changes.map((c) => ({ ...c, note: c.note ?? undefined })), times);
    if (capacity && r.direction === 'rising') {
      // Usage cannot exceed the physical capacity: a forecast past it is drawn at it, not off the plot.
      const capAt = (t: number) => capacity[Math.max(0, lowerBound(times, t))];
      forecastPoints = forecastPoints.map((p) => {
        const c = capAt(p.tMs);
        return { tMs: p.tMs, p50: Math.min(p.p50, c), lower: Math.min(p.lower, c), upper: Math.min(p.upper, c) };
      });
    }
    return {
      seriesId: r.seriesId,
      shortName: r.shortName,
      name: r.name,
      unit: r.unit,
      capacity: r.capacity,
      level,
      history,
      forecast: forecastPoints,
      thresholds: r.exhaustion,
      capacityTimeline: capacity ? [...times].map((t, i) => ({ tMs: t, value: capacity[i] })) : [],
      plannedChanges: changes,
      svg: '',
    };
  });
}

/** "What changed since the last report": the moves `capplan diff` lists (store/diffRuns.ts), at the full threshold. */
async function readChanges(store: Store, run: StoredRun, resources: readonly ResourceReport[]): Promise<ChangesSinceLast | null> {
  const prev = await previousRun(store, run);
  if (!prev) return null;
  const names = new Map(resources.map((r) => [r.seriesId, r.shortName]));
  const moved: ChangesSinceLast['moved'][number][] = [];
  const newRisks: ChangedRisk[] = [];
  const resolved: ChangedRisk[] = [];
  let unchanged = 0;
  const status = (s: string | null): ExhaustionStatus | 'absent' => (s === null ? 'absent' : (s as ExhaustionStatus));
  for (const c of await diffRuns(store, prev, run, 1)) {
    const shortNameOf = names.get(c.seriesId) ?? shortName(c.labels, c.name);
    const change: ChangedRisk = { seriesId: c.seriesId, shortName: shortNameOf, status: status(c.afterStatus), p50Ms: c.afterP50, previousStatus: status(c.beforeStatus), previousP50Ms: c.beforeP50 };
    if (c.kind === 'new_risk' || (c.kind === 'new_series' && c.atRiskAfter)) newRisks.push(change);
    else if (c.kind === 'resolved' || (c.kind === 'gone' && c.atRiskBefore)) resolved.push(change);
    else if (c.kind === 'earlier' || c.kind === 'later') {
      moved.push({ seriesId: c.seriesId, shortName: shortNameOf, beforeP50Ms: c.beforeP50 as number, afterP50Ms: c.afterP50 as number, days: Math.round(c.movedDays as number) });
    } else unchanged++;
  }
  moved.sort((a, b) => a.days - b.days || a.shortName.localeCompare(b.shortName));
  return { previousRunId: prev.runId, previousAsOfMs: prev.asOfMs, moved, newRisks, resolved, unchanged };
}

/** Each scenario run made with the baseline, what it changes and how far it moves each resource's full date. */
async function readScenarios(store: Store, run: StoredRun, resources: readonly ResourceReport[]): Promise<ScenarioComparison[]> {
  const names = new Map(resources.map((r) => [r.seriesId, r.shortName]));
  // Amounts read in the unit of the resources a scenario touches (when they share one).
  const unitOf = (scope: readonly string[] | null) => {
    const units = new Set(resources.filter((r) => scope === null || scope.includes(r.resource)).map((r) => r.unit));
    return units.size === 1 ? [...units][0] : null;
  };
  const out: ScenarioComparison[] = [];
  for (const s of await scenarioRunsOf(store, run)) {
    const def = await scenarioDefinition(store, s.runId);
    const effects = await scenarioEffects(store, run.runId, s.runId);
    out.push({
      scenario: s.scenario ?? `run #${s.runId}`,
      runId: s.runId,
      description: def?.description ?? null,
      changes: def ? def.changes.map((c) => changeText(c, unitOf(def.resources))) : [],
      resources: def?.resources ?? null,
      rows: effects.map((e) => ({
        seriesId: e.seriesId,
        shortName: names.get(e.seriesId) ?? e.seriesId,
        baselineP50Ms: e.baselineP50Ms,
        scenarioP50Ms: e.scenarioP50Ms,
        status: e.scenarioStatus as ExhaustionStatus,
        baselineStatus: e.baselineStatus as ExhaustionStatus,
        days: e.days,
      })),
    });
  }
  return out;
}

function changeText(c: ScenarioDefinition['changes'][number], unit: string | null): string {
  const day = (iso: string) => iso.slice(0, 10);
  switch (c.kind) {
    case 'growth': {
      const pct = Math.round((c.factor - 1) * 100);
      return `usage ${pct >= 0 ? '+' : ''}${pct}% from ${day(c.from)}${c.rampMs ? ` (phased in over ${Math.round(c.rampMs / DAY)} d)` : ''}`;
    }
    case 'step':
      return `usage ${c.amount >= 0 ? '+' : ''}${formatQuantity(c.amount, unit)} from ${day(c.at)}`;
    case 'capacity':
      return `capacity ${c.change === 'set' ? 'set to ' : c.amount >= 0 ? '+' : ''}${formatQuantity(c.amount, unit)} on ${day(c.at)}`;
  }
}

async function budgets(store: Store, run: StoredRun): Promise<ErrorBudget[]> {
  return (await readErrorBudgets(store, run.runId)).map((b) => ({
    name: b.slo,
    objective: b.objective,
    remainingRatio: b.remaining,
    burnRate: b.alerts.find((a) => a.longMs === DAY)?.longRate ?? 0,
    exhaustionMs: b.status === 'past' ? Number.NEGATIVE_INFINITY : b.p50,
    status: b.status,
    firing: b.alerts.filter((a) => a.firing).map((a) => `${a.severity} ${a.factor}×/${a.longMs / 3_600_000}h`),
  }));
}

/** Every stored recommendation to add capacity, and every resource with planned changes, soonest order date first. */
function orderRows(resources: readonly ResourceReport[]): OrderRow[] {
  return resources
    .filter((r) => r.recommendation && (r.recommendation.action === 'add' || r.recommendation.plannedChanges.length > 0))
    .map((r) => {
      const rec = r.recommendation as NonNullable<ResourceReport['recommendation']>;
      const add = rec.action === 'add';
      return {
        seriesId: r.seriesId,
        shortName: r.shortName,
        resource: r.resource,
        unit: r.unit,
        amount: add ? rec.amount : 0,
        neededByMs: add ? rec.neededByMs : null,
        orderByMs: add ? rec.orderByMs : null,
        leadTimeMs: rec.leadTimeMs,
        late: add && rec.late,
        targetHeadroom: rec.targetHeadroom,
        plannedChanges: rec.plannedChanges,
      };
    })
    .sort((a, b) => (a.orderByMs ?? Infinity) - (b.orderByMs ?? Infinity) || a.shortName.localeCompare(b.shortName));
}

/** Rising resources whose upper-band forecast peak stays below half their capacity: size them down to keep the target headroom. */
function reclaimable(resources: readonly ResourceReport[]): ReclaimRow[] {
  return resources
    .flatMap((r): ReclaimRow[] => {
      const peak = r.forecastPeak.upper;
      if (r.direction !== 'rising' || r.capacity === null || r.capacity <= 0 || peak === null || !Number.isFinite(peak)) return [];
      const top = Math.max(peak, r.usage ?? 0);
      if (top >= RECLAIM_BELOW * r.capacity) return [];
      const target = r.recommendation?.targetHeadroom ?? 0.2;
      const suggested = top / (1 - target);
      return [{ seriesId: r.seriesId, shortName: r.shortName, resource: r.resource, unit: r.unit, capacity: r.capacity, peakUpper: top, peakRatio: top / r.capacity, suggestedCapacity: suggested, reclaimable: r.capacity - suggested }];
    })
    .sort((a, b) => b.reclaimable / b.capacity - a.reclaimable / a.capacity || a.shortName.localeCompare(b.shortName));
}

function counts(resources: readonly ResourceReport[], orders: readonly OrderRow[], budgetsList: readonly ErrorBudget[], period: ReportPeriod, b: readonly RiskBucket[]): SummaryCounts {
  const critical = resources.filter((r) => {
    const c = criticalExhaustion(r);
    return c !== null && (c.status === 'past' || (c.status === 'within' && c.p50Ms !== null && c.p50Ms < period.endMs));
  }).length;
  return {
    full: b[0]?.items.length ?? 0,
    lateOrders: orders.filter((o) => o.late).length,
    ordersDue: orders.filter((o) => !o.late && o.orderByMs !== null && o.orderByMs < period.endMs).length,
    critical,
    budgetsSpent: budgetsList.filter((x) => x.status === 'past').length,
    budgetsBurning: budgetsList.filter((x) => x.status !== 'past' && (x.status === 'within' || x.firing.length > 0)).length,
  };
}

/** Index of the first element ≥ t in an ascending array (its length when none is). */
function lowerBound(xs: Float64Array, t: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One chart per group at risk (a cluster's disks): the members' daily peaks
 * and forecasts summed, against their summed capacity, so a planner sees the
 * pool, not only its worst member. Rising resources with a capacity only.
 */
async function readGroupCharts(store: Store, run: RunSummary, resources: readonly ResourceReport[], groups: HeadroomByGroup, tz: string, limit: number): Promise<ResourceChart[]> {
  const label = groups.label;
  const pools = (label === null ? groups.total.map((r) => ({ key: null as string | null, r })) : groups.groups.flatMap((g) => g.rollups.map((r) => ({ key: g.key as string | null, r }))))
    .filter(({ r }) => r.atRiskCount > 0 && r.capacity !== null && r.seriesCount > 1)
    .sort((a, b) => (a.r.headroomRatio ?? 1) - (b.r.headroomRatio ?? 1))
    .slice(0, limit);
  const out: ResourceChart[] = [];
  for (const { key, r } of pools) {
    const members = resources.filter((x) => x.resource === r.resource && x.unit === r.unit && x.direction === 'rising' && x.capacity !== null && (label === null || (x.labels[label] ?? '(none)') === key));
    if (members.length === 0) continue;
    const charts = await readCharts(store, run, members, tz);
    const sum = <T extends { tMs: number }>(lists: (readonly T[])[], pick: (p: T) => number[]) => {
      const by = new Map<number, { n: number; v: number[] }>();
      for (const list of lists) for (const p of list) {
        const vals = pick(p);
        const cur = by.get(p.tMs) ?? { n: 0, v: vals.map(() => 0) };
        cur.n++;
        cur.v = cur.v.map((x, i) => x + vals[i]);
        by.set(p.tMs, cur);
      }
      // Only days every member has: a day missing one member would dip the sum.
      return [...by].filter(([, x]) => x.n === lists.length).sort((a, b) => a[0] - b[0]);
    };
    const capacity = members.reduce((s, m) => s + (m.capacity as number), 0);
    const where = key === null ? 'fleet' : `${label}=${key}`;
    out.push({
      seriesId: `group:${where}:${r.resource}`,
      shortName: `${key ?? 'all'} ${r.resource}`,
      name: `${r.resource} of ${where}, ${members.length} series summed`,
      unit: r.unit,
      capacity,
      level: charts[0]?.level ?? null,
      history: sum(charts.map((c) => c.history), (p) => [p.value]).map(([t, x]) => ({ tMs: t, value: x.v[0] })),
      forecast: sum(charts.map((c) => c.forecast), (p) => [p.p50, p.lower, p.upper]).map(([t, x]) => ({ tMs: t, p50: Math.min(x.v[0], capacity), lower: Math.min(x.v[1], capacity), upper: Math.min(x.v[2], capacity) })),
      thresholds: [],
      capacityTimeline: [],
      plannedChanges: [],
      svg: '',
    });
  }
  return out;
}
