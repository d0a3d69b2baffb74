import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeSchema, schemaMarkdown } from '../../src/store/describeSchema.js';
import { SCHEMA_VERSION } from '../../src/store/migrations/index.js';
import { Store } from '../../src/store/Store.js';
import { useTempDir } from '../support/tempDir.js';

describe('schema reference', () => {
  const tempDir = useTempDir();

  it('documents every table, view and column', async () => {
    const store = await Store.open(join(tempDir(), 's.duckdb'));
    const relations = await describeSchema(store);
    store.close();
    const undocumented = relations.flatMap((r) => [
      ...(r.comment ? [] : [r.name]),
      ...(r.kind === 'table' ? r.columns.filter((c) => !c.comment).map((c) => `${r.name}.${c.name}`) : []),
    ]);
    expect(undocumented).toEqual([]);
    expect(relations.map((r) => r.name)).toEqual(
      expect.arrayContaining(['series', 'samples', 'pulls', 'forecast_runs', 'forecasts', 'forecast_points', 'exhaustion', 'latest_exhaustion', 'headroom']),
    );
  });

  it('notebooks/schema.md is what `capplan schema` generates (regenerate: npx capplan schema > notebooks/schema.md)', async () => {
    const store = await Store.open(join(tempDir(), 's.duckdb'));
    const generated = `${schemaMarkdown(await describeSchema(store), SCHEMA_VERSION)}\n`;
    store.close();
    expect(readFileSync(new URL('../../notebooks/schema.md', import.meta.url), 'utf8')).toBe(generated);
  });
});
