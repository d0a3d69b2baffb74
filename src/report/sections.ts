import { daysBetween, formatDate, formatDateTime } from '../time/dates.js';
import { lastDay } from '../time/periods.js';
import { resolutionText } from './riskRows.js';
import type { ChangedRisk, GroupRollup, ReportModel, ResourceChart, RiskBucket, SummaryItem } from './ReportModel.js';
import { formatPercent, formatQuantity } from './units.js';

/**
 * The text of every section beyond the main risk table, as plain strings and
 * tables, shared by the Markdown, HTML and email views so they say the same.
 */
export interface TextTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export const SUMMARY_COLUMNS = ['Resource', 'Kind', 'Full (p50)', 'p10 – p50 – p90', 'Headroom', 'Recommended action'] as const;

/** "This quarter: 2026-Q4 (to 2026-12-31)"; a chosen quarter that is not the current one is named by its label alone. */
export function bucketTitle(model: ReportModel, bucket: RiskBucket, index: number): string {
  const current = model.period.startMs <= model.generatedAtMs && model.generatedAtMs < model.period.endMs;
  const kind = model.period.kind === 'quarter' ? 'quarter' : 'period';
  const which = current ? (index === 0 ? `This ${kind}` : `Next ${kind}`) : index === 0 ? `Report ${kind}` : `Following ${kind}`;
  const p = { kind: model.period.kind, label: bucket.label, startMs: bucket.startMs, endMs: bucket.endMs };
  return index === 0
    ? `${which}: ${bucket.label} (at risk by ${lastDay(p, model.timeZone)})`
    : `${which}: ${bucket.label} (${formatDate(bucket.startMs, model.timeZone)} – ${lastDay(p, model.timeZone)})`;
}

export function bucketEmptyText(model: ReportModel, bucket: RiskBucket, index: number): string {
  const p = { kind: model.period.kind, label: bucket.label, startMs: bucket.startMs, endMs: bucket.endMs };
  return index === 0
    ? `Nothing at risk by ${lastDay(p, model.timeZone)}.`
    : `Nothing else becomes at risk in ${bucket.label}.`;
}

/** p10 – p50 – p90, or what stands instead of dates. */
export function spreadText(item: Pick<SummaryItem, 'status' | 'p10Ms' | 'p50Ms' | 'p90Ms'>, model: ReportModel): string {
  const tz = model.timeZone;
  if (item.status === 'past') return 'already at capacity';
  if (item.status === 'beyond_horizon') return `not before ${formatDate(model.run?.horizonEndMs ?? null, tz)}`;
  const hi = item.p90Ms === null ? `after ${formatDate(model.run?.horizonEndMs ?? null, tz)}` : formatDate(item.p90Ms, tz);
  return `${formatDate(item.p10Ms, tz)} – ${formatDate(item.p50Ms, tz)} – ${hi}`;
}

export function summaryTable(model: ReportModel, bucket: RiskBucket): TextTable {
  const asOf = model.run?.asOfMs ?? model.generatedAtMs;
  return {
    columns: SUMMARY_COLUMNS,
    rows: bucket.items.map((i) => [
      i.shortName,
      i.resource,
      i.status === 'past' ? 'now' : i.p50Ms === null ? '–' : `${formatDate(i.p50Ms, model.timeZone)} (in ${daysBetween(asOf, i.p50Ms)} d)`,
      spreadText(i, model),
      formatPercent(i.headroomRatio),
      i.action,
    ]),
  };
}

export function groupsTable(model: ReportModel): TextTable {
  const g = model.groups;
  const head = g.label === null ? [] : [g.label];
  const columns = [...head, 'Resource', 'Series', 'Usage', 'Capacity', 'Headroom', 'Lowest headroom', 'At risk', 'Soonest full (p50)'];
  const row = (key: string[], r: GroupRollup) => [
    ...key,
    r.resource,
    String(r.seriesCount),
    formatQuantity(r.usage, r.unit),
    formatQuantity(r.capacity, r.unit),
    formatPercent(r.headroomRatio),
    formatPercent(r.minHeadroomRatio),
    String(r.atRiskCount),
    r.soonestShortName === null ? '–' : r.soonestP50Ms === null ? `${r.soonestShortName} (now)` : `${r.soonestShortName} ${formatDate(r.soonestP50Ms, model.timeZone)}`,
  ];
  const rows = g.groups.flatMap((grp) => grp.rollups.map((r) => row([grp.key], r)));
  const total = g.total.map((r) => row(g.label === null ? [] : ['all'], r));
  return { columns, rows: [...rows, ...total] };
}

/** Sentences for "What changed since the last report"; null when there is no previous run. */
export function changeLines(model: ReportModel): string[] | null {
  const c = model.changes;
  if (!c) return null;
  const tz = model.timeZone;
  const out: string[] = [];
  const state = (s: ChangedRisk['status'], p50: number | null) =>
    s === 'past' ? 'at capacity' : s === 'within' ? (p50 === null ? 'at risk' : `full ${formatDate(p50, tz)}`) : s === 'absent' ? 'no longer reported' : 'not full within the horizon';
  for (const n of c.newRisks) out.push(`New risk: ${n.shortName} is ${state(n.status, n.p50Ms)} (was ${state(n.previousStatus, n.previousP50Ms)}).`);
  for (const m of c.moved) {
    const d = Math.abs(m.days);
    out.push(`${m.shortName}: exhaustion p50 moved ${d} day${d === 1 ? '' : 's'} ${m.days < 0 ? 'earlier' : 'later'} (${formatDate(m.beforeP50Ms, tz)} → ${formatDate(m.afterP50Ms, tz)}).`);
  }
  for (const r of c.resolved) out.push(`Resolved: ${r.shortName} is ${state(r.status, r.p50Ms)} (was ${state(r.previousStatus, r.previousP50Ms)}).`);
  const intro = `Compared with forecast run #${c.previousRunId} on data up to ${formatDateTime(c.previousAsOfMs, tz)}: ${c.newRisks.length} new, ${c.moved.length} moved, ${c.resolved.length} resolved, ${c.unchanged} unchanged.`;
  return [intro, ...out];
}

export function modelsTable(model: ReportModel): TextTable {
  const byModel = new Map<string, { mase: number[]; cov: number[]; n: number }>();
  for (const r of model.resources) {
    const key = r.model ?? '(failed)';
    const m = byModel.get(key) ?? { mase: [], cov: [], n: 0 };
    m.n++;
    if (r.mase !== null) m.mase.push(r.mase);
    for (const c of r.coverage) if (Math.abs(c.level - 0.8) < 1e-9) m.cov.push(c.achieved);
    byModel.set(key, m);
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const rows = [...byModel]
    .sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]))
    .map(([name, m]) => {
      const med = median(m.mase);
      const cov = m.cov.length === 0 ? null : m.cov.reduce((a, b) => a + b, 0) / m.cov.length;
      return [name, String(m.n), med === null ? '–' : med.toFixed(2), formatPercent(cov)];
    });
  return { columns: ['Model', 'Series', 'Median MASE', '80% interval coverage'], rows };
}

/** Series with gaps, missing points or partial pulls behind them. */
export function dataIssuesTable(model: ReportModel): TextTable {
  const rows = model.resources
    .filter((r) => (r.data.gaps ?? 0) > 0 || (r.data.missing ?? 0) > 0 || r.pullWarnings.length > 0 || r.error !== null || r.fallbackReason !== null)
    .map((r) => [
      r.shortName,
      r.data.points === null ? '–' : String(r.data.points),
      String(r.data.missing ?? '–'),
      String(r.data.gaps ?? '–'),
      resolutionText(r.data.resolutionS),
      [...r.pullWarnings, ...(r.fallbackReason ? [`fallback: ${r.fallbackReason}`] : []), ...(r.error ? [`failed: ${r.error}`] : [])].join('; ') || '–',
    ]);
  return { columns: ['Series', 'Points', 'Missing', 'Gaps', 'Resolution', 'Notes'], rows };
}

export function pullIssuesTable(model: ReportModel): TextTable {
  return {
    columns: ['Pull', 'Started', 'Source', 'Resource', 'Status', 'Warnings or error'],
    rows: model.dataQuality.issues.map((i) => [
      `#${i.pullId}`,
      formatDateTime(i.startedAtMs, model.timeZone),
      i.source,
      i.resource ?? '–',
      i.status,
      [...i.warnings, ...(i.error ? [i.error] : [])].join('; ') || '–',
    ]),
  };
}

/** What each scenario changes, one line per scenario. */
export function scenarioLines(model: ReportModel): string[] {
  return model.scenarios.map((s) => {
    const what = s.changes.length > 0 ? s.changes.join('; ') : 'no recorded changes';
    const scope = s.resources ? ` on ${s.resources.join(', ')}` : ' on every resource';
    const moved = s.rows.length === 0 ? 'moves no full date' : `moves ${s.rows.length} full date${s.rows.length === 1 ? '' : 's'}`;
    return `${s.scenario}: ${what}${scope}${s.description ? ` — ${s.description}` : ''}; ${moved}.`;
  });
}

export function scenariosTable(model: ReportModel): TextTable {
  const tz = model.timeZone;
  const state = (status: string, p50: number | null) => (status === 'past' ? 'already full' : status === 'beyond_horizon' ? 'not in horizon' : formatDate(p50, tz));
  return {
    columns: ['Scenario', 'Series', 'Baseline full (p50)', 'Scenario full (p50)', 'Change'],
    rows: model.scenarios.flatMap((s) =>
      s.rows.map((r) => [
        s.scenario,
        r.shortName,
        state(r.baselineStatus, r.baselineP50Ms),
        state(r.status, r.scenarioP50Ms),
        r.days !== null
          ? r.days === 0
            ? 'same day'
            : `${Math.abs(r.days)} d ${r.days < 0 ? 'earlier' : 'later'}`
          : r.baselineStatus === 'beyond_horizon' && r.status !== 'beyond_horizon'
            ? 'now full within the horizon'
            : r.status === 'beyond_horizon'
              ? 'no longer full within the horizon'
              : 'changed',
      ]),
    ),
  };
}

/** "What to order, by when": stored recommendations and planned changes. */
export function ordersTable(model: ReportModel): TextTable {
  const tz = model.timeZone;
  return {
    columns: ['Series', 'Resource', 'Add', 'Needed by', 'Order by', 'Lead time', 'Late', 'Planned changes'],
    rows: model.orders.map((o) => [
      o.shortName,
      o.resource,
      o.amount > 0 ? formatQuantity(o.amount, o.unit) : '–',
      formatDate(o.neededByMs, tz),
      formatDate(o.orderByMs, tz),
      `${Math.round(o.leadTimeMs / 86_400_000)} d`,
      o.late ? 'LATE' : o.amount > 0 ? 'no' : '–',
      o.plannedChanges.map((c) => `${formatDate(c.atMs, tz)} ${c.kind === 'set' ? 'set to ' : c.amount >= 0 ? '+' : ''}${formatQuantity(c.amount, o.unit)}${c.note ? `: ${c.note}` : ''}`).join('; ') || '–',
    ]),
  };
}

/** Capacity far above need, with a right-size suggestion. */
export function reclaimTable(model: ReportModel): TextTable {
  return {
    columns: ['Series', 'Resource', 'Capacity', 'Peak (p90)', 'Peak / capacity', 'Right-size to', 'Reclaimable'],
    rows: model.reclaimable.map((r) => [
      r.shortName,
      r.resource,
      formatQuantity(r.capacity, r.unit),
      formatQuantity(r.peakUpper, r.unit),
      formatPercent(r.peakRatio),
      formatQuantity(r.suggestedCapacity, r.unit),
      formatQuantity(r.reclaimable, r.unit),
    ]),
  };
}

/** Headroom now and per quarter, conservative (80% upper edge), as `capplan headroom` prints it. */
export function quarterTable(model: ReportModel): TextTable {
  const rows = model.resources.filter((r) => r.headroomRatio !== null);
  // A quarter the forecast does not reach for any series is left out, not shown as a column of dashes.
  const quarters = model.quarters.filter((q) => rows.some((r) => r.quarterHeadroom.some((x) => x.label === q)));
  return {
    columns: ['Series', 'Resource', 'Now', ...quarters],
    rows: rows.map((r) => [
      r.shortName,
      r.resource,
      formatPercent(r.headroomRatio),
      ...quarters.map((q) => {
        const h = r.quarterHeadroom.find((x) => x.label === q);
        return h ? `${formatPercent(h.ratio)}${h.complete ? '' : '*'}` : '–';
      }),
    ]),
  };
}

export function errorBudgetsTable(model: ReportModel): TextTable {
  return {
    columns: ['SLO', 'Objective', 'Budget left', 'Burn rate (1 d)', 'Alerts firing', 'Budget exhausted'],
    rows: model.errorBudgets.map((b) => [
      b.name,
      formatPercent(b.objective, 2),
      formatPercent(b.remainingRatio),
      `${b.burnRate.toFixed(2)}×`,
      b.firing.join(', ') || 'none',
      b.exhaustionMs === null ? 'not within the horizon' : b.exhaustionMs === Number.NEGATIVE_INFINITY ? 'already spent' : formatDate(b.exhaustionMs, model.timeZone),
    ]),
  };
}

/** One line under a chart: what it shows and the dates. */
export function chartCaption(model: ReportModel, chart: ResourceChart): string {
  const full = chart.thresholds.length > 0 ? chart.thresholds[chart.thresholds.length - 1] : null;
  const band = chart.level === null ? 'interval' : `${Math.round(chart.level * 100)}% interval`;
  if (chart.seriesId.startsWith('group:')) {
    return `${chart.shortName}: ${chart.name}: daily peaks, forecast median and ${band} summed, against ${formatQuantity(chart.capacity, chart.unit)} of capacity.`;
  }
  const when = full ? spreadText(full, model) : 'no exhaustion forecast';
  return `${chart.shortName}: daily peaks, forecast median and ${band}, capacity ${formatQuantity(chart.capacity, chart.unit)}; full p10 – p50 – p90: ${when}.`;
}

/** The line that heads the executive summary. */
export function summaryLead(model: ReportModel): string {
  const [now, next] = model.summary.buckets;
  if (!now || !next) return '';
  const n = now.items.length;
  const m = next.items.length;
  const p = (k: number) => (k === 0 ? 'No resource' : k === 1 ? '1 resource' : `${k} resources`);
  const c = model.summary.counts;
  const extra = [
    c.lateOrders > 0 ? `${c.lateOrders} order${c.lateOrders === 1 ? ' is' : 's are'} late` : null,
    c.ordersDue > 0 ? `${c.ordersDue} order${c.ordersDue === 1 ? '' : 's'} due by ${lastDay(model.period, model.timeZone)}` : null,
    c.critical > 0 ? `${c.critical} past or reaching ${c.critical === 1 ? 'its' : 'their'} critical threshold` : null,
    c.budgetsSpent > 0 ? `${c.budgetsSpent} error budget${c.budgetsSpent === 1 ? '' : 's'} spent` : null,
    c.budgetsBurning > 0 ? `${c.budgetsBurning} error budget${c.budgetsBurning === 1 ? '' : 's'} burning` : null,
  ].filter((x): x is string => x !== null);
  return `${p(n)} at risk by ${lastDay(model.period, model.timeZone)}; ${m === 0 ? 'none' : m} more in ${next.label}.${extra.length > 0 ? ` ${extra.join('; ')}.` : ''} At risk means the earliest plausible exhaustion date (p10) falls before the period ends.`;
}
