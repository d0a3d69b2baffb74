import { daysBetween, formatDate } from '../time/dates.js';
import { criticalExhaustion, headlineExhaustion, type ReportModel, type ResourceReport, type ThresholdExhaustion } from './ReportModel.js';
import { formatPercent, formatQuantity } from './units.js';

/** The text cells of the main risk table, shared by every human-readable view. */
export interface RiskRow {
  readonly rank: number;
  readonly seriesId: string;
  readonly shortName: string;
  readonly resource: string;
  readonly name: string;
  readonly usage: string;
  readonly capacity: string;
  readonly headroom: string;
  readonly full: string;
  readonly interval: string;
  /** Probability the full threshold is not reached within the horizon, as a percentage ("–" when unknown). */
  readonly pNever: string;
  readonly model: string;
  readonly data: string;
  /** The full threshold's status; `critical` when full is not in sight but the critical threshold is (past or within). */
  readonly status: 'past' | 'within' | 'beyond_horizon' | 'unknown' | 'critical';
}

/**
 * The main risk table as text: short names first, then the label the report
 * groups by (cluster, team…) as its own column, the resource kind and the
 * numbers; the full series name stays in the CSV and JSON.
 */
export function riskTable(model: ReportModel): { columns: string[]; rows: string[][]; status: RiskRow['status'][]; numeric: Set<number> } {
  const label = model.groups.label;
  const rows = riskRows(model);
  const byId = new Map(model.resources.map((r) => [r.seriesId, r]));
  const columns = ['#', 'Series', ...(label ? [label] : []), 'Resource', 'Usage now', 'Capacity', 'Headroom', 'Full (p50)', 'p10 – p90', 'P(never)', 'Model', 'Data'];
  return {
    columns,
    rows: rows.map((r) => [String(r.rank), r.shortName, ...(label ? [byId.get(r.seriesId)?.labels[label] ?? '–'] : []), r.resource, r.usage, r.capacity, r.headroom, r.full, r.interval, r.pNever, r.model, r.data]),
    status: rows.map((r) => r.status),
    numeric: new Set(columns.flatMap((c, i) => (['#', 'Usage now', 'Capacity', 'Headroom', 'P(never)'].includes(c) ? [i] : []))),
  };
}

export function riskRows(model: ReportModel): RiskRow[] {
  return model.resources.map((r, i) => riskRow(model, r, i + 1));
}

function riskRow(model: ReportModel, r: ResourceReport, rank: number): RiskRow {
  const tz = model.timeZone;
  const e = headlineExhaustion(r);
  const asOf = model.run?.asOfMs ?? model.generatedAtMs;
  return {
    rank,
    seriesId: r.seriesId,
    shortName: r.shortName,
    resource: r.resource,
    name: r.name,
    usage: formatQuantity(r.usage, r.unit),
    capacity: formatQuantity(r.capacity, r.unit),
    headroom: formatPercent(r.headroomRatio),
    full: fullText(e, asOf, model.run?.horizonEndMs ?? null, tz, r.error),
    interval: e && e.status === 'within' ? intervalText(e, model.run?.horizonEndMs ?? null, tz) : '',
    pNever: formatPercent(e?.pNever ?? null),
    model: r.model ? r.model + (r.fallbackReason ? ' (fallback)' : '') : '–',
    data: dataText(r),
    status: e?.status === 'beyond_horizon' && ['past', 'within'].includes(criticalExhaustion(r)?.status ?? '') ? 'critical' : (e?.status ?? 'unknown'),
  };
}

/** "2027-03-02 (in 98 d)", "already full", "not before 2027-05-24". */
export function fullText(e: ThresholdExhaustion | null, asOfMs: number, horizonEndMs: number | null, tz: string, error: string | null): string {
  if (!e) return error ? `no forecast: ${error}` : 'no forecast';
  switch (e.status) {
    case 'past':
      return 'already at capacity';
    case 'beyond_horizon':
      return `not before ${formatDate(horizonEndMs, tz)}`;
    case 'within':
      return e.p50Ms === null
        ? `possibly before ${formatDate(horizonEndMs, tz)}`
        : `${formatDate(e.p50Ms, tz)} (in ${daysBetween(asOfMs, e.p50Ms)} d)`;
  }
}

/** "2027-02-20 – 2027-03-15"; an open end when the p90 path does not cross within the horizon. */
export function intervalText(e: ThresholdExhaustion, horizonEndMs: number | null, tz: string): string {
  const lo = e.p10Ms === null ? '–' : formatDate(e.p10Ms, tz);
  const hi = e.p90Ms === null ? `after ${formatDate(horizonEndMs, tz)}` : formatDate(e.p90Ms, tz);
  return `${lo} – ${hi}`;
}

function dataText(r: ResourceReport): string {
  const d = r.data;
  if (d.points === null) return '–';
  const days = d.startMs !== null && d.endMs !== null ? Math.round((d.endMs - d.startMs) / 86_400_000) : null;
  const parts = [`${days ?? '?'} d @ ${resolutionText(d.resolutionS)}`];
  if (d.gaps) parts.push(`${d.gaps} gap${d.gaps === 1 ? '' : 's'}`);
  if (r.pullWarnings.length > 0) parts.push('partial data');
  return parts.join(', ');
}

export function resolutionText(seconds: number | null): string {
  if (seconds === null) return '?';
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** One-line headline of the report, e.g. for an email subject or the CLI summary. */
export function headline(model: ReportModel): string {
  const tz = model.timeZone;
  const end = formatDate(model.run?.horizonEndMs ?? null, tz);
  const past = model.resources.filter((r) => headlineExhaustion(r)?.status === 'past');
  const within = model.resources.filter((r) => headlineExhaustion(r)?.status === 'within');
  const extra = otherRisks(model);
  if (past.length === 0 && within.length === 0) return `No resource reaches capacity before ${end}${extra.length > 0 ? `; ${extra.join('; ')}` : ''}`;
  const first = within[0];
  const firstDate = first ? (headlineExhaustion(first)?.p50Ms ?? headlineExhaustion(first)?.p10Ms ?? null) : null;
  const firstText = first ? `; soonest: ${first.shortName} on ${formatDate(firstDate, tz)}` : '';
  const pastText = past.length > 0 ? `${past.length} already at capacity${within.length > 0 ? ', ' : ''}` : '';
  const withinText = within.length === 0 ? '' : `${within.length} ${within.length === 1 ? 'resource reaches' : 'resources reach'} capacity before ${end}`;
  return `${pastText}${withinText}${firstText}${extra.length > 0 ? `; ${extra.join('; ')}` : ''}`;
}

/** Late orders, critical thresholds and error budgets, as short phrases for the headline and the subject. */
export function otherRisks(model: ReportModel): string[] {
  const c = model.summary.counts;
  if (!c) return [];
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  return [
    c.lateOrders > 0 ? n(c.lateOrders, 'late order', 'late orders') : null,
    c.critical > 0 ? `${n(c.critical, 'series', 'series')} at or near critical` : null,
    c.budgetsSpent > 0 ? n(c.budgetsSpent, 'error budget spent', 'error budgets spent') : null,
    c.budgetsBurning > 0 ? n(c.budgetsBurning, 'error budget burning', 'error budgets burning') : null,
  ].filter((x): x is string => x !== null);
}

/** One row per resource, one column per threshold: the median date (or state) it is reached. */
export function thresholdRows(model: ReportModel): { columns: string[]; rows: string[][] } {
  const thresholds = [...new Set(model.resources.flatMap((r) => r.exhaustion.map((e) => e.threshold)))].sort((a, b) => a - b);
  const asOf = model.run?.asOfMs ?? model.generatedAtMs;
  const columns = ['Series', 'Headroom', ...thresholds.map((t) => `${Math.round(t * 100)}%`)];
  const full = model.resources
    .filter((r) => r.exhaustion.some((e) => e.status !== 'beyond_horizon'))
    .map((r) => [
      r.shortName,
      formatPercent(r.headroomRatio),
      ...thresholds.map((t) => {
        const e = r.exhaustion.find((x) => x.threshold === t) ?? null;
        if (!e) return '–';
        if (e.status === 'past') return 'reached';
        if (e.status === 'beyond_horizon') return 'not in horizon';
        return e.p50Ms === null ? `p10 ${formatDate(e.p10Ms, model.timeZone)}` : `${formatDate(e.p50Ms, model.timeZone)} (${daysBetween(asOf, e.p50Ms)} d)`;
      }),
    ]);
  // A threshold column that says nothing for any listed series ("–" or not in horizon everywhere) is dropped.
  const keep = columns.map((_, i) => i < 2 || full.some((r) => r[i] !== '–' && r[i] !== 'not in horizon'));
  return { columns: columns.filter((_, i) => keep[i]), rows: full.map((r) => r.filter((_, i) => keep[i])) };
}
