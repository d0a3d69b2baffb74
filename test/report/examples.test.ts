import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_FILES, reportSkeleton, writeExamples } from '../../scripts/examples.js';
import { expectGolden, UPDATE_GOLDEN } from '../support/golden.js';

/**
 * reports/examples/ must show the report as the code makes it today. The
 * comparison is on the report's skeleton (headings and table headers), so a
 * model change that moves a date does not fail it; a new section or column
 * does. After an intended change, regenerate (also writes the PDF) and commit:
 *
 *     UPDATE_GOLDEN=1 npx vitest run test/report/examples.test.ts
 */
const COMMITTED = resolve('reports/examples');

describe('reports/examples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capplan-examples-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has the sections and columns the generator makes today (small demo, pinned clock)', async () => {
    const files = await writeExamples(UPDATE_GOLDEN ? COMMITTED : dir, { print: UPDATE_GOLDEN });
    expect(files['example.md']).toMatch(/^# Capacity headroom report — demo fleet \(example\)/);
    expect(files['example.md']).toContain('db-01 /data');
    expect(files['example.md']).toContain('## What to order, by when');
    expect(files['example.html']).toContain('<figure class="chart"');
    for (const name of EXAMPLE_FILES) expect(existsSync(join(COMMITTED, name)), name).toBe(true);
    expectGolden(join(COMMITTED, 'example.md'), files['example.md'], reportSkeleton);
  }, 120_000);
});
