import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sampleFiles } from '../../datasets/samples.js';
import { readSeriesCsv } from '../../src/source/csv/readSeriesCsv.js';

describe('datasets/ sample files', () => {
  const files = sampleFiles();

  it.each(Object.keys(files))('%s is exactly what datasets/samples.ts generates (regenerate: node dist/datasets/generate.js)', (name) => {
    expect(readFileSync(new URL(`../../datasets/${name}`, import.meta.url), 'utf8')).toBe(files[name]);
  });

  it.each(Object.keys(files))('%s reads as series', async (name) => {
    const series = await readSeriesCsv(new URL(`../../datasets/${name}`, import.meta.url).pathname);
    expect(series.length).toBeGreaterThan(0);
    for (const s of series) expect(s.values.length).toBeGreaterThanOrEqual(24);
  });
});
