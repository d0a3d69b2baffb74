import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests pin the clock themselves where they need it; the zone is pinned for all.
    env: { TZ: 'UTC' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // CLI and worker tests run dist/: refuse to run on a build older than src/.
    globalSetup: ['test/support/freshBuild.ts'],
  },
});
