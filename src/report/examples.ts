import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { planRun } from '../pipeline/planRun.js';
import { demoPlanning } from '../source/demo/demoPlanning.js';
import { ingestDemo } from '../pipeline/ingestDemo.js';
import { Store } from '../store/Store.js';
import { buildReportModel } from './buildReportModel.js';
import { renderHtml } from './renderHtml.js';
import { renderMarkdown } from './renderMarkdown.js';
import { DAY, HOUR } from '../time/constants.js';

/** The pinned clock of the committed example: the small demo fleet's history ends here. */
export const EXAMPLE_NOW = Date.UTC(2026, 10, 24, 9, 30);
export const EXAMPLE_FILES = ['example.md', 'example.html'] as const;

/**
 * Regenerates `reports/examples/`: the small demo fleet (seed 42) pulled,
 * forecast and reported with a pinned clock, as Markdown and HTML.
 *
 *     npm run build && node dist/src/report/examples.js reports/examples
 *     UPDATE_EXAMPLES=1 npx vitest run test/report/examples.test.ts
 */
export async function writeExamples(outDir: string, nowMs = EXAMPLE_NOW): Promise<Record<(typeof EXAMPLE_FILES)[number], string>> {
  const work = mkdtempSync(join(tmpdir(), 'capplan-example-'));
  try {
    const store = await Store.open(join(work, 'demo.duckdb'), { now: () => nowMs });
    let model;
    try {
      const endMs = Math.floor(nowMs / HOUR) * HOUR;
      await ingestDemo(store, { endMs, seed: 42, size: 'small' });
      const planning = demoPlanning(endMs);
      await planRun(store, { asOfMs: endMs, horizonMs: 180 * DAY, planning, scenarios: planning.scenarios, workers: 1 });
      model = await buildReportModel(store, { nowMs, timeZone: 'UTC', title: 'Capacity headroom report — demo fleet (example)', chartLimit: 3 });
    } finally {
      store.close();
    }
    const files = { 'example.md': renderMarkdown(model), 'example.html': renderHtml(model) };
    mkdirSync(outDir, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(outDir, name), text);
    return files;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2] ?? 'reports/examples';
  await writeExamples(out);
  process.stdout.write(`capplan: examples written to ${out}\n`);
}
