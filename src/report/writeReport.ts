import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatDate } from '../time/dates.js';
import type { ReportModel } from './ReportModel.js';
import { renderHtml } from './renderHtml.js';
import { renderCsv, renderJson } from './renderJson.js';
import { renderMarkdown } from './renderMarkdown.js';
import { renderPdf, type PdfOptions } from './renderPdf.js';
import type { OutputFormat, ReportFormat } from './reportFormats.js';

export { OUTPUT_FORMATS, type OutputFormat, type ReportFormat } from './reportFormats.js';

const RENDER: Record<ReportFormat, (m: ReportModel) => string> = {
  md: renderMarkdown,
  html: renderHtml,
  json: renderJson,
  csv: renderCsv,
};

/**
 * `headroom-2026-11-24.md`: the generation date in the report's zone; a
 * report about another quarter is named after it (`headroom-2027-Q1.md`), a
 * range after its days.
 */
export function reportFileName(model: ReportModel, format: OutputFormat): string {
  const p = model.period;
  const current = p.startMs <= model.generatedAtMs && model.generatedAtMs < p.endMs;
  const stem = current ? formatDate(model.generatedAtMs, model.timeZone) : p.kind === 'quarter' ? p.label : `${formatDate(p.startMs, model.timeZone)}_${formatDate(p.endMs - 1, model.timeZone)}`;
  return `headroom-${stem}.${format}`;
}

/** Renders the model in each format into `dir` as `headroom-<date>.<ext>`; returns the paths written. */
export function writeReportFiles(model: ReportModel, dir: string, formats: readonly ReportFormat[]): string[] {
  mkdirSync(dir, { recursive: true });
  return formats.map((format) => {
    const path = join(dir, reportFileName(model, format));
    writeFileSync(path, RENDER[format](model));
    return path;
  });
}

export function renderReport(model: ReportModel, format: ReportFormat): string {
  return RENDER[format](model);
}

/** Any format, PDF included, as bytes. */
export async function renderReportBytes(model: ReportModel, format: OutputFormat, pdf: PdfOptions = {}): Promise<Buffer> {
  return format === 'pdf' ? renderPdf(model, pdf) : Buffer.from(RENDER[format](model), 'utf8');
}

/**
 * Writes one format to `out`: a file, or a directory (existing, or named with a
 * trailing slash) that gets `headroom-<date>.<ext>`. Returns the path written.
 */
export async function writeReport(model: ReportModel, format: OutputFormat, out: string, pdf: PdfOptions = {}): Promise<string> {
  const isDir = /[/\\]$/.test(out) || (existsSync(out) && statSync(out).isDirectory());
  const path = isDir ? join(out, reportFileName(model, format)) : out;
  const bytes = await renderReportBytes(model, format, pdf);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}
