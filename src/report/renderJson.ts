import { headlineExhaustion, type ReportModel } from './ReportModel.js';
import { toCsv } from './tabular.js';

const iso = (ms: number | null) => (ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

/** The report model for programs: dates as ISO-8601 UTC, fractions as numbers. */
export function renderJson(model: ReportModel): string {
  const doc = {
    title: model.title,
    generatedAt: iso(model.generatedAtMs),
    timeZone: model.timeZone,
    run: model.run && {
      ...model.run,
      asOfMs: undefined,
      horizonEndMs: undefined,
      asOf: iso(model.run.asOfMs),
      horizonEnd: iso(model.run.horizonEndMs),
    },
    resources: model.resources.map((r) => ({
      ...r,
      usageAtMs: undefined,
      usageAt: iso(r.usageAtMs),
      exhaustion: r.exhaustion.map((e) => ({ threshold: e.threshold, status: e.status, p10: iso(e.p10Ms), p50: iso(e.p50Ms), p90: iso(e.p90Ms) })),
      data: { ...r.data, startMs: undefined, endMs: undefined, start: iso(r.data.startMs), end: iso(r.data.endMs) },
    })),
    dataQuality: model.dataQuality,
  };
  return `${JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

/** One CSV row per resource, soonest to exhaust first. */
export function renderCsv(model: ReportModel): string {
  const columns = [
    'rank', 'series_id', 'resource', 'name', 'unit', 'usage', 'capacity', 'headroom_ratio', 'status',
    'full_p10', 'full_p50', 'full_p90', 'model', 'mase', 'data_start', 'data_end', 'data_gaps', 'warnings',
  ];
  const rows = model.resources.map((r, i) => {
    const e = headlineExhaustion(r);
    return [
      i + 1, r.seriesId, r.resource, r.name, r.unit, r.usage, r.capacity, r.headroomRatio, e?.status ?? 'unknown',
      iso(e?.p10Ms ?? null), iso(e?.p50Ms ?? null), iso(e?.p90Ms ?? null), r.model, r.mase,
      iso(r.data.startMs), iso(r.data.endMs), r.data.gaps, r.pullWarnings.join('; '),
    ];
  });
  return toCsv({ columns, rows });
}
