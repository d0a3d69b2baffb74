import { readFileSync } from 'node:fs';

/** capplan's version, read from package.json so there is one source of truth. */
export const VERSION: string = readPackageVersion();

function readPackageVersion(): string {
  // src/version.ts and dist/src/version.js sit at different depths below the root.
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'capplan' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}
