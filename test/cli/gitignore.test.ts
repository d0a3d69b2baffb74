import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../reliability/childCli.js';

describe('.gitignore', () => {
  it("ignores what the README's own commands write into the repository", () => {
    const outputs = ['export/samples/resource=disk/month=2026-11/data_0.parquet', 'capplan.om', 'capplan-rule.yaml', 'capplan-blocks/01H/index', 'daily-peaks.parquet', 'capplan-demo.duckdb', 'reports/headroom-2026-11-24.html', 'my-notebooks/capacity.ipynb'];
    const r = spawnSync('git', ['check-ignore', '--no-index', ...outputs], { cwd: ROOT, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.stdout.trim().split('\n')).toEqual(outputs);
    // …and not what is committed on purpose.
    const kept = spawnSync('git', ['check-ignore', '--no-index', 'datasets/demo-plan.yaml', 'reports/examples/example.md'], { cwd: ROOT, encoding: 'utf8' });
    expect(kept.stdout).toBe('');
  });
});
