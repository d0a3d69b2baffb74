import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDate } from '../report/dates.js';
import type { ReportModel } from '../report/ReportModel.js';
import { renderHtml } from '../report/renderHtml.js';
import { renderCsv, renderJson } from '../report/renderJson.js';
import { renderMarkdown } from '../report/renderMarkdown.js';

export type ReportFormat = 'md' | 'html' | 'json' | 'csv';

const RENDER: Record<ReportFormat, (m: ReportModel) => string> = {
  md: renderMarkdown,
  html: renderHtml,
  json: renderJson,
  csv: renderCsv,
};

/** Renders the model in each format into `dir` as `headroom-<date>.<ext>`; returns the paths written. */
export function writeReportFiles(model: ReportModel, dir: string, formats: readonly ReportFormat[]): string[] {
  mkdirSync(dir, { recursive: true });
  const stem = `headroom-${formatDate(model.generatedAtMs, model.timeZone)}`;
  return formats.map((format) => {
    const path = join(dir, `${stem}.${format}`);
    writeFileSync(path, RENDER[format](model));
    return path;
  });
}

export function renderReport(model: ReportModel, format: ReportFormat): string {
  return RENDER[format](model);
}
