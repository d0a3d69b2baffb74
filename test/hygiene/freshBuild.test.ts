import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { staleOutputs } from '../support/freshBuild.js';
import { useTempDir } from '../support/tempDir.js';

describe('the suite refuses a dist/ older than src/', () => {
  const tempDir = useTempDir();

  it('names sources whose compiled twin is missing or older', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'src/a'), { recursive: true });
    mkdirSync(join(dir, 'dist/src/a'), { recursive: true });
    for (const f of ['a/x.ts', 'a/y.ts', 'z.ts']) writeFileSync(join(dir, 'src', f), '');
    writeFileSync(join(dir, 'dist/src/a/x.js'), '');
    writeFileSync(join(dir, 'dist/src/a/y.js'), '');
    const t = Date.now() / 1000;
    utimesSync(join(dir, 'src/a/x.ts'), t - 100, t - 100);
    utimesSync(join(dir, 'dist/src/a/x.js'), t - 50, t - 50);
    utimesSync(join(dir, 'src/a/y.ts'), t, t);
    utimesSync(join(dir, 'dist/src/a/y.js'), t - 10, t - 10);
    expect(staleOutputs(join(dir, 'src'), join(dir, 'dist/src')).sort()).toEqual(['a/y.ts', 'z.ts']);
  });
});
