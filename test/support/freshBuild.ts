import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/**
 * vitest globalSetup: the CLI, worker and reliability tests run the compiled
 * dist/, so a build older than src/ would silently test old code. Fails the
 * run, naming the first stale file, unless every src/**.ts has a dist/ twin at
 * least as new. (`npm test` builds first; CAPPLAN_SKIP_BUILD_CHECK=1 skips.)
 */
export default function checkFreshBuild(): void {
  if (process.env.CAPPLAN_SKIP_BUILD_CHECK === '1') return;
  const stale = staleOutputs(resolve('src'), resolve('dist/src'));
  if (stale.length > 0) {
    throw new Error(`dist/ is older than src/ (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ` and ${stale.length - 3} more` : ''}): run npm run build first`);
  }
}

/** Source files whose compiled twin is missing or older than they are. */
export function staleOutputs(srcDir: string, distDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.ts')) {
        const twin = join(distDir, relative(srcDir, p)).replace(/\.ts$/, '.js');
        if (!existsSync(twin) || statSync(twin).mtimeMs < statSync(p).mtimeMs) out.push(relative(srcDir, p));
      }
    }
  };
  walk(srcDir);
  return out;
}
