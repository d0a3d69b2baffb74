import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.js';
import { useTempDir } from '../support/tempDir.js';

describe('capplan report --plan', () => {
  const tempDir = useTempDir();

  it("takes the plan's time zone and group-by label as defaults, and --tz still wins", async () => {
    const dir = tempDir();
    const db = join(dir, 'demo.duckdb');
    expect((await runCli(['demo', '--size', 'small', '--db', db, '--out', join(dir, 'r'), '--workers', '1'], { cwd: dir })).code).toBe(0);
    const plan = join(dir, 'plan.yaml');
    writeFileSync(plan, `sources:\n  p: {url: 'http://127.0.0.1:1', type: prometheus}\nresources:\n  - {name: disk, source: p, usage: x}\nplanning: {groupBy: cluster}\nemail: {to: [a@example.com], timeZone: Asia/Tokyo}\n`);
    const fromPlan = await runCli(['report', '--db', db, '--plan', plan]);
    expect(fromPlan.code).toBe(0);
    expect(fromPlan.stdout).toMatch(/all dates Asia\/Tokyo/);
    expect(fromPlan.stdout).toMatch(/## Headroom by cluster/);
    const override = await runCli(['report', '--db', db, '--plan', plan, '--tz', 'Europe/Berlin']);
    expect(override.stdout).toMatch(/all dates Europe\/Berlin/);
  });
});
