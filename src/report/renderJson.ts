import { recommendationText } from './actionText.js';
import { headlineExhaustion, type ReportModel, type ResourceReport } from './ReportModel.js';
import { toCsv } from './tabular.js';

const iso = (ms: number | null) => (ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

/**
 * The report model for programs: every `…Ms` field becomes an ISO-8601 UTC
 * string without the suffix (`p50Ms` → `p50`), fractions stay numbers, and the
 * rendered chart SVG is left out (its data is kept).
 */
export function renderJson(model: ReportModel): string {
  return `${JSON.stringify(toDocument(model), null, 2)}\n`;
}

function toDocument(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toDocument);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'svg') continue;
      if (k.endsWith('Ms') && (typeof v === 'number' || v === null)) out[k.slice(0, -2)] = iso(v);
      else out[k] = toDocument(v);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

/** One CSV row per resource, soonest to exhaust first. */
export function renderCsv(model: ReportModel): string {
  const columns = [
    'rank', 'series_id', 'resource', 'name', 'unit', 'usage', 'capacity', 'headroom_ratio', 'status',
    'full_p10', 'full_p50', 'full_p90', 'full_p_never', 'model', 'mase', 'data_start', 'data_end', 'data_gaps', 'warnings',
    'short_name', 'group', 'at_risk_in', 'action', 'labels',
    'order_amount', 'needed_by', 'order_by', 'lead_time_days', 'late', 'target_headroom', 'planned_changes',
    ...model.quarters.map((q) => `headroom_${q}`),
  ];
  const bucketOf = new Map<string, string>();
  for (const b of [...model.summary.buckets].reverse()) for (const i of b.items) bucketOf.set(i.seriesId, b.label);
  const label = model.groups.label;
  const rows = model.resources.map((r, i) => {
    const e = headlineExhaustion(r);
    return [
      i + 1, r.seriesId, r.resource, r.name, r.unit, r.usage, r.capacity, r.headroomRatio, e?.status ?? 'unknown',
      iso(e?.p10Ms ?? null), iso(e?.p50Ms ?? null), iso(e?.p90Ms ?? null), e?.pNever ?? null, r.model, r.mase,
      iso(r.data.startMs), iso(r.data.endMs), r.data.gaps, r.pullWarnings.join('; '),
      r.shortName, label === null ? null : (r.labels[label] ?? null), bucketOf.get(r.seriesId) ?? null,
      recommendationText(r, model.run?.horizonEndMs ?? null, model.timeZone),
      JSON.stringify(r.labels),
      ...orderCells(r),
      ...model.quarters.map((q) => r.quarterHeadroom.find((x) => x.label === q)?.ratio ?? null),
    ];
  });
  return toCsv({ columns, rows });
}

function orderCells(r: ResourceReport): unknown[] {
  const rec = r.recommendation;
  if (!rec) return [null, null, null, null, null, null, null];
  const add = rec.action === 'add';
  const changes = rec.plannedChanges.map((c) => `${iso(c.atMs)?.slice(0, 10)} ${c.kind} ${c.amount}${c.note ? ` (${c.note})` : ''}`).join('; ');
  return [add ? rec.amount : 0, add ? iso(rec.neededByMs) : null, add ? iso(rec.orderByMs) : null, rec.leadTimeMs / 86_400_000, add && rec.late, rec.targetHeadroom, changes || null];
}
