import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { Store } from '../../src/store/Store.js';
import { runCli } from '../support/runCli.js';
import { useTempDir } from '../support/tempDir.js';

describe('capplan forecast --shard I/N', () => {
  const tempDir = useTempDir();

  it('two hosts forecast disjoint slices that together cover the fleet', async () => {
    const dir = tempDir();
    const db = join(dir, 'demo.duckdb');
    expect((await runCli(['demo', '--size', 'small', '--db', db, '--out', join(dir, 'r'), '--workers', '1'], { cwd: dir })).code).toBe(0);
    for (const shard of ['1/2', '2/2']) {
      const r = await runCli(['forecast', '--db', db, '--horizon', '90d', '--workers', '1', '--shard', shard]);
      expect(r.code).toBe(0);
    }
    const store = await Store.open(db, { readOnly: true });
    const ids = async (runId: number) => (await store.query(`SELECT series_id FROM forecasts WHERE run_id = ${runId} ORDER BY 1`)).rows.map((r) => String(r[0]));
    const runs = (await store.query(`SELECT run_id FROM forecast_runs WHERE scenario IS NULL ORDER BY run_id`)).rows.map((r) => Number(r[0]));
    const [all, a, b] = [await ids(runs[0]), await ids(runs[1]), await ids(runs[2])];
    store.close();
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(a.filter((x) => b.includes(x))).toEqual([]);
    expect([...a, ...b].sort()).toEqual(all);
    expect((await runCli(['forecast', '--db', db, '--horizon', '90d', '--shard', '3/2'])).code).toBe(ExitCode.usage);
  });
});
