import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_FILES, writeExamples } from '../../src/report/examples.js';

/**
 * The committed example in reports/examples/ must be what the generator makes
 * today. After an intended change to the report, regenerate and commit it:
 *
 *     UPDATE_EXAMPLES=1 npx vitest run test/report/examples.test.ts
 */
const COMMITTED = resolve('reports/examples');

describe('reports/examples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capplan-examples-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is current (regenerated from the small demo with a pinned clock)', async () => {
    const files = await writeExamples(process.env.UPDATE_EXAMPLES ? COMMITTED : dir);
    expect(files['example.md']).toMatch(/^# Capacity headroom report — demo fleet \(example\)/);
    expect(files['example.md']).toContain('db-01 /data');
    expect(files['example.html']).toContain('<figure class="chart"');
    for (const name of EXAMPLE_FILES) {
      const path = join(COMMITTED, name);
      expect(existsSync(path), `${path} is missing: UPDATE_EXAMPLES=1 npx vitest run test/report/examples.test.ts`).toBe(true);
      expect(files[name], `${name} is stale: UPDATE_EXAMPLES=1 npx vitest run test/report/examples.test.ts`).toBe(readFileSync(path, 'utf8'));
    }
  });
});
