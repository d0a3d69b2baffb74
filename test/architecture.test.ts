import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The layers of ARCHITECTURE.md: a folder (or base file) of src/ and its rank; imports go to the same rank or lower. */
const LAYER: Record<string, number> = {
  time: 0, 'errors.ts': 0, 'version.ts': 0, 'shard.ts': 0,
  store: 1,
  models: 2,
  forecast: 3,
  source: 4,
  plan: 5,
  pipeline: 6, demo: 6,
  report: 7,
  email: 8, export: 8, notebook: 8,
  cli: 9,
};
const SRC = resolve('src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const top = (path: string) => relative(SRC, path).split('/')[0];

/** Every relative import of every file in src/, as [importing file, imported file]. */
function imports(): [string, string][] {
  return files(SRC).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)].map(
      (m): [string, string] => [file, resolve(file, '..', m[1] ?? m[2])],
    ),
  );
}

describe('architecture: layers import downward only (ARCHITECTURE.md)', () => {
  const all = imports();

  it('finds the imports it checks', () => {
    expect(all.length).toBeGreaterThan(300);
    for (const [, to] of all) expect(relative(SRC, to).startsWith('..'), to).toBe(false);
    for (const [from] of all) expect(LAYER[top(from)], `${top(from)} has no layer in ARCHITECTURE.md`).toBeDefined();
  });

  it('nothing below cli/ imports cli/', () => {
    const bad = all.filter(([from, to]) => top(from) !== 'cli' && top(to) === 'cli').map(([f, t]) => `${relative(SRC, f)} → ${relative(SRC, t)}`);
    expect(bad).toEqual([]);
  });

  it('store/, models/ and forecast/ import no layer above their own', () => {
    const bad = all
      .filter(([from, to]) => ['store', 'models', 'forecast'].includes(top(from)) && LAYER[top(to)] > LAYER[top(from)])
      .map(([f, t]) => `${relative(SRC, f)} → ${relative(SRC, t)}`);
    expect(bad).toEqual([]);
  });

  it('source/ imports no plan/ (the source owns its connection types; plans are built on them)', () => {
    const bad = all
      .filter(([from, to]) => top(from) === 'source' && top(to) === 'plan')
      .map(([f, t]) => `${relative(SRC, f)} → ${relative(SRC, t)}`);
    expect(bad).toEqual([]);
  });

  it('no folder imports a layer above its own', () => {
    const bad = all.filter(([from, to]) => LAYER[top(to)] > LAYER[top(from)]).map(([f, t]) => `${relative(SRC, f)} → ${relative(SRC, t)}`);
    expect(bad).toEqual([]);
  });
});
