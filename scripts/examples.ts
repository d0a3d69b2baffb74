import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planRun } from '../src/pipeline/planRun.js';
import { demoPlanning } from '../src/demo/demoPlanning.js';
import { ingestDemo } from '../src/demo/ingestDemo.js';
import { Store } from '../src/store/Store.js';
import { buildReportModel } from '../src/report/buildReportModel.js';
import { renderHtml } from '../src/report/renderHtml.js';
import { renderMarkdown } from '../src/report/renderMarkdown.js';
import type { ReportModel } from '../src/report/ReportModel.js';
import { renderPdf } from '../src/report/renderPdf.js';
import { FROZEN_NOW } from '../test/support/clock.js';
import { DAY, HOUR } from '../src/time/constants.js';

/** The pinned clock of the committed example: the small demo fleet's history ends here. */
export const EXAMPLE_NOW = FROZEN_NOW;
export const EXAMPLE_FILES = ['example.md', 'example.html'] as const;
/** Rendered only with UPDATE_GOLDEN=1 (Chromium): the PDF and a PNG of its first page, to look at. */
export const EXAMPLE_PRINTS = ['example.pdf'] as const;

/**
 * Regenerates `reports/examples/`: the small demo fleet (seed 42) pulled,
 * forecast and reported with a pinned clock, as Markdown and HTML.
 *
 *     UPDATE_GOLDEN=1 npx vitest run test/report/examples.test.ts
 *
 * A development script: it lives outside src/ so it is not shipped in dist/,
 * and it may import every layer (demo generator, pipeline, renderers).
 */
export async function exampleModel(nowMs = EXAMPLE_NOW): Promise<ReportModel> {
  const work = mkdtempSync(join(tmpdir(), 'capplan-example-'));
  try {
    const store = await Store.open(join(work, 'demo.duckdb'), { now: () => nowMs });
    try {
      const endMs = Math.floor(nowMs / HOUR) * HOUR;
      await ingestDemo(store, { endMs, seed: 42, size: 'small' });
      const planning = demoPlanning(endMs);
      await planRun(store, { asOfMs: endMs, horizonMs: 180 * DAY, planning, scenarios: planning.scenarios, workers: 1 });
      return await buildReportModel(store, { nowMs, timeZone: 'UTC', title: 'Capacity headroom report — demo fleet (example)', chartLimit: 3 });
    } finally {
      store.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Renders the example model into `outDir` (Markdown and HTML; with `print`, also the PDF); returns the text files. */
export async function writeExamples(outDir: string, options: { nowMs?: number; print?: boolean } = {}): Promise<Record<(typeof EXAMPLE_FILES)[number], string>> {
  const model = await exampleModel(options.nowMs ?? EXAMPLE_NOW);
  const files = { 'example.md': renderMarkdown(model), 'example.html': renderHtml(model) };
  mkdirSync(outDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(outDir, name), text);
  if (options.print) writeFileSync(join(outDir, 'example.pdf'), await renderPdf(model));
  return files;
}

/**
 * The parts of a Markdown report that do not move when a model changes: the
 * section headings and every table's header row. Numbers, dates and rankings
 * are checked by the golden files on a closed-form fleet instead.
 */
export function reportSkeleton(markdown: string): string[] {
  const lines = markdown.split('\n');
  return lines.filter((l, i) => /^#{1,3} /.test(l) || (l.startsWith('| ') && lines[i + 1]?.startsWith('|---'))).map((l) => l.replace(/\d{4}-\d{2}-\d{2}/g, 'DATE').replace(/\d{4}-Q\d/g, 'QUARTER'));
}
