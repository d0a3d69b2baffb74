import { formatDate } from '../time/dates.js';
import type { ReportModel } from './ReportModel.js';
import { resolutionText } from './riskRows.js';

/** Sentences stating how the numbers were made and what data they stand on. */
export function methodology(model: ReportModel): string[] {
  const run = model.run;
  if (!run) return [];
  const lines: string[] = [];
  lines.push(
    `Each series was forecast with the model that scored best (lowest MASE) in a rolling-origin backtest on its own history; ` +
      `chosen: ${run.models.map((m) => `${m.model} × ${m.count}`).join(', ')}.`,
  );
  const mases = model.resources.map((r) => r.mase).filter((m): m is number => m !== null).sort((a, b) => a - b);
  if (mases.length > 0) lines.push(`Median backtest MASE ${mases[Math.floor(mases.length / 2)].toFixed(2)} (below 1 beats a naive forecast).`);
  const cov = model.resources.flatMap((r) => r.coverage.filter((c) => Math.abs(c.level - 0.8) < 1e-9).map((c) => c.achieved));
  if (cov.length > 0) {
    const mean = cov.reduce((a, b) => a + b, 0) / cov.length;
    lines.push(`Intervals are calibrated on backtest errors; the 80% intervals covered ${(mean * 100).toFixed(0)}% of held-out outcomes on average.`);
  }
  const aggregations = new Map<string, number>();
  for (const r of model.resources) if (r.aggregation) aggregations.set(r.aggregation, (aggregations.get(r.aggregation) ?? 0) + 1);
  if (aggregations.size > 0) {
    lines.push(
      `Forecast signal: ${[...aggregations].map(([a, n]) => `${a} × ${n}`).join(', ')} (peak envelopes keep the peaks that must fit, which averages hide).`,
    );
  }
  const starts = model.resources.map((r) => r.data.startMs).filter((x): x is number => x !== null);
  const ends = model.resources.map((r) => r.data.endMs).filter((x): x is number => x !== null);
  const res = [...new Set(model.resources.map((r) => r.data.resolutionS).filter((x): x is number => x !== null))];
  if (starts.length > 0) {
    lines.push(
      `Data: ${model.resources.length} series from ${formatDate(Math.min(...starts), model.timeZone)} to ${formatDate(Math.max(...ends), model.timeZone)} ` +
        `at ${res.map(resolutionText).join(', ')} resolution; ${model.resources.filter((r) => (r.data.gaps ?? 0) > 0).length} series have gaps (interpolated for fitting).`,
    );
  }
  const fallbacks = model.resources.filter((r) => r.fallbackReason);
  if (fallbacks.length > 0) lines.push(`${fallbacks.length} series used a fallback model: ${fallbacks.map((r) => `${r.name} (${r.fallbackReason})`).join('; ')}.`);
  const failed = model.resources.filter((r) => r.error);
  if (failed.length > 0) lines.push(`${failed.length} series could not be forecast: ${failed.map((r) => `${r.name} (${r.error})`).join('; ')}.`);
  const dq = model.dataQuality;
  lines.push(
    `Pulls: ${dq.pulls} recorded, ${dq.partialPulls} partial, ${dq.failedPulls} failed.` +
      (dq.warnings.length > 0 ? ` Warnings: ${dq.warnings.join('; ')}.` : ' No source warnings.'),
  );
  return lines;
}
