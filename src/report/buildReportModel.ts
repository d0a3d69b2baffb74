import type { Store } from '../store/Store.js';
import { compareRisk, type ExhaustionStatus, type ReportModel, type ResourceReport, type RunSummary } from './ReportModel.js';

export interface BuildReportOptions {
  readonly nowMs: number;
  readonly timeZone: string;
  readonly title?: string;
  /** A specific forecast run; default the latest successful baseline run. */
  readonly runId?: number;
}

/** Reads the latest (or a given) forecast run and the data behind it into a `ReportModel`. */
export async function buildReportModel(store: Store, options: BuildReportOptions): Promise<ReportModel> {
  const run = await readRun(store, options.runId);
  const resources = run ? await readResources(store, run.runId) : [];
  const pulls = await store.query(
    `SELECT count(*) AS n, count(*) FILTER (status = 'partial') AS partial, count(*) FILTER (status = 'failed') AS failed,
            list(DISTINCT w) FILTER (w IS NOT NULL) AS warnings
     FROM pulls LEFT JOIN (SELECT pull_id, unnest(warnings) AS w FROM pulls) USING (pull_id)`,
  );
  const [n, partial, failed, warnings] = pulls.rows[0] as [number, number, number, string[] | null];
  return {
    title: options.title ?? 'Capacity headroom report',
    generatedAtMs: options.nowMs,
    timeZone: options.timeZone,
    run,
    resources: [...resources].sort(compareRisk),
    dataQuality: { pulls: n, partialPulls: partial, failedPulls: failed, warnings: (warnings ?? []).sort() },
  };
}

async function readRun(store: Store, runId: number | undefined): Promise<RunSummary | null> {
  const r = await store.query(
    `SELECT run_id, epoch_ms(as_of)::DOUBLE, (epoch_ms(as_of) + horizon_s * 1000)::DOUBLE, levels, series_count, failed_count
     FROM forecast_runs
     WHERE ${runId === undefined ? `status = 'ok' AND scenario IS NULL` : `run_id = ${Number(runId)}`}
     ORDER BY run_id DESC LIMIT 1`,
  );
  if (r.rows.length === 0) return null;
  const [id, asOf, end, levels, seriesCount, failedCount] = r.rows[0] as [number, number, number, number[], number, number];
  const models = await store.query(
    `SELECT coalesce(model, '(failed)'), count(*)::INTEGER FROM forecasts WHERE run_id = ${id} GROUP BY ALL ORDER BY 2 DESC, 1`,
  );
  return {
    runId: id,
    asOfMs: asOf,
    horizonEndMs: end,
    levels,
    seriesCount,
    failedCount,
    models: models.rows.map(([model, count]) => ({ model: String(model), count: Number(count) })),
  };
}

async function readResources(store: Store, runId: number): Promise<ResourceReport[]> {
  const id = Number(runId);
  const rows = await store.query(
    `WITH ex AS (
       SELECT series_id, list({'threshold': threshold, 'status': status,
                 'p10': epoch_ms(p10)::DOUBLE, 'p50': epoch_ms(p50)::DOUBLE, 'p90': epoch_ms(p90)::DOUBLE} ORDER BY threshold) AS exhaustion
       FROM exhaustion WHERE run_id = ${id} GROUP BY series_id
     ), warn AS (
       SELECT series_id, list(DISTINCT w) AS warnings
       FROM (SELECT DISTINCT series_id, pull_id FROM samples) sp
       JOIN (SELECT pull_id, unnest(warnings) AS w FROM pulls) pw USING (pull_id)
       GROUP BY series_id
     )
     SELECT s.series_id, s.resource, s.name, s.labels, s.unit, s.description, s.capacity,
            h.usage, epoch_ms(h.usage_at)::DOUBLE, h.headroom_ratio,
            coalesce(ex.exhaustion, []), f.model, f.fallback_reason, f.error, f.aggregation, f.mase, f.coverage,
            epoch_ms(f.data_start)::DOUBLE, epoch_ms(f.data_end)::DOUBLE, f.data_points, f.data_missing, f.data_gaps,
            f.data_resolution_s, coalesce(warn.warnings, [])
     FROM forecasts f
     JOIN series s USING (series_id)
     LEFT JOIN headroom h USING (series_id)
     LEFT JOIN ex USING (series_id)
     LEFT JOIN warn USING (series_id)
     WHERE f.run_id = ${id}`,
  );
  return rows.rows.map((row) => {
    const [seriesId, resource, name, labels, unit, description, capacity, usage, usageAt, headroomRatio, exhaustion, model, fallbackReason, error, aggregation, mase, coverage, dStart, dEnd, points, missing, gaps, resolutionS, warnings] =
      row as [
        string, string, string, Record<string, string>, string | null, string | null, number | null,
        number | null, number | null, number | null,
        { threshold: number; status: ExhaustionStatus; p10: number | null; p50: number | null; p90: number | null }[],
        string | null, string | null, string | null, string | null, number | null, string | null,
        number | null, number | null, number | null, number | null, number | null, number | null, string[],
      ];
    return {
      seriesId,
      resource,
      name,
      labels,
      unit,
      description,
      capacity,
      usage,
      usageAtMs: usageAt,
      headroomRatio,
      exhaustion: exhaustion.map((e) => ({ threshold: e.threshold, status: e.status, p10Ms: e.p10, p50Ms: e.p50, p90Ms: e.p90 })),
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
}
