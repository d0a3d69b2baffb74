import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { resolveShard } from '../../src/shard.js';
import { Store } from '../../src/store/Store.js';
import { prng, requireBuiltCli, runCliChild } from '../reliability/childCli.js';
import { runCli } from '../support/runCli.js';
import { useTempDir } from '../support/tempDir.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const AS_OF = Date.UTC(2026, 10, 20, 0, 0);
const NOW = Date.UTC(2026, 10, 24, 9, 30);
const SHARDS = 3;
// More than 64, the batch size at which an unsharded run once stopped reading (issue 12, item 1).
const SERIES = 100;

/** A pulled fleet (no forecast run yet): trend, daily cycle and noise, a few near capacity; one pull per cluster. */
async function storeFleet(path: string): Promise<void> {
  const store = await Store.open(path, { now: () => NOW });
  const rnd = prng(16);
  await store.upsertResource({ resource: 'disk', unit: 'bytes', direction: 'rising' });
  const n = 24 * 60;
  const timestamps = Float64Array.from({ length: n }, (_, i) => AS_OF - (n - 1 - i) * HOUR);
  for (const cluster of ['eu', 'us']) {
    const pull = await store.beginPull({ source: 'prometheus', resource: 'disk', query: 'node_filesystem_used_bytes' });
    const batch = [];
    for (let i = 0; i < SERIES / 2; i++) {
      const level = 2e11 + rnd() * 6e11;
      const perDay = (rnd() - 0.2) * 8e9;
      const values = timestamps.map((t) => level + (perDay * (t - AS_OF)) / DAY + 2e9 * Math.sin((2 * Math.PI * t) / DAY) + (rnd() - 0.5) * 1e9);
      batch.push({ key: { resource: 'disk', metric: 'node_filesystem_used_bytes', labels: { cluster, host: `${cluster}-${String(i).padStart(2, '0')}` } }, resolutionS: 3600, timestamps, values, meta: { capacity: 1e12, unit: 'bytes' } });
    }
    await store.writeSamples(pull, batch);
    await store.finishPull(pull, { status: cluster === 'us' ? 'partial' : 'ok', warnings: cluster === 'us' ? ['store us-2 unavailable'] : [], seriesCount: batch.length, sampleCount: batch.length * n });
  }
  store.close();
}

describe('sharded runs: N processes with JOB_COMPLETION_INDEX write a Parquet dataset whose report equals the unsharded one', () => {
  const tempDir = useTempDir();

  it('--shard auto reads the 0-based Job index and N from the flag or CAPPLAN_SHARD_COUNT', () => {
    expect(resolveShard('auto', { JOB_COMPLETION_INDEX: '0', CAPPLAN_SHARD_COUNT: '4' })).toEqual({ index: 1, count: 4 });
    expect(resolveShard('auto/4', { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 4, count: 4 });
    expect(resolveShard('2/4', {})).toEqual({ index: 2, count: 4 });
    expect(() => resolveShard('auto', { CAPPLAN_SHARD_COUNT: '4' })).toThrow(/JOB_COMPLETION_INDEX is not set/);
    expect(() => resolveShard('auto', { JOB_COMPLETION_INDEX: '1' })).toThrow(/auto\/N or in CAPPLAN_SHARD_COUNT/);
    expect(() => resolveShard('auto/4', { JOB_COMPLETION_INDEX: '4' })).toThrow(/index must be between 1 and 4, got 5/);
  });

  it('pull and forecast take --shard auto; outside a Job it is a usage error naming the variable', async () => {
    const dir = tempDir();
    const pull = await runCli(['pull', '--db', join(dir, 'p.duckdb'), '--url', 'http://127.0.0.1:9', '--name', 'disk', '--query', 'up', '--shard', 'auto']);
    expect(pull.code).toBe(ExitCode.usage);
    expect(pull.stderr).toMatch(/--shard auto: give the shard count as auto\/N or in CAPPLAN_SHARD_COUNT/);
    const forecast = await runCli(['forecast', '--db', join(dir, 'p.duckdb'), '--horizon', '30d', '--shard', 'auto/3'], { env: {} });
    expect(forecast.code).toBe(ExitCode.usage);
    expect(forecast.stderr).toMatch(/JOB_COMPLETION_INDEX is not set/);
  });

  it(`${SHARDS} concurrent processes, assembled report == single process (json and md)`, async () => {
    requireBuiltCli();
    const dir = tempDir();
    const base = join(dir, 'base.duckdb');
    await storeFleet(base);
    const single = join(dir, 'single.duckdb');
    copyFileSync(base, single);
    const dataset = join(dir, 'dataset');
    const common = ['--horizon', '90d', '--workers', '1', '--what-if', 'tenant:step=5e10@2026-12-15,add-capacity=2e11@2027-01-10'];

    const shards = await Promise.all(
      Array.from({ length: SHARDS }, (_, i) =>
        runCliChild(['forecast', '--db', base, ...common, '--shard', 'auto', '--out-parquet', dataset, '--parquet-run', 'job-1'], {
          JOB_COMPLETION_INDEX: String(i),
          CAPPLAN_SHARD_COUNT: String(SHARDS),
        }),
      ),
    );
    for (const s of shards) expect(s.code, s.stderr).toBe(0);
    const counts = shards.map((s) => Number(/: (\d+) series, 0 failed/.exec(s.stdout)?.[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(SERIES);
    expect(counts.every((c) => c > 0)).toBe(true);
    expect(readdirSync(join(dataset, 'run=job-1')).sort()).toEqual(['shard=1', 'shard=2', 'shard=3']);

    // The shared database was only read.
    const check = await Store.open(base, { readOnly: true });
    expect((await check.query('SELECT count(*) FROM forecast_runs')).rows[0][0]).toBe(0);
    check.close();

    const one = await runCliChild(['forecast', '--db', single, ...common]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`: ${SERIES} series, 0 failed`));

    for (const format of ['json', 'md']) {
      const a = await runCli(['report', '--db', single, '--format', format, '--tz', 'Europe/Berlin'], { nowMs: NOW });
      const b = await runCli(['report', '--from-parquet', dataset, '--format', format, '--tz', 'Europe/Berlin'], { nowMs: NOW });
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      expect(b.stdout).toBe(a.stdout);
    }
    const json = JSON.parse((await runCli(['report', '--from-parquet', join(dataset, 'run=job-1'), '--format', 'json'], { nowMs: NOW })).stdout);
    expect(json.run.seriesCount).toBe(SERIES);
    expect(json.dataQuality.partialPulls).toBe(1);

    // A missing shard is an error naming it, never a smaller report.
    rmSync(join(dataset, 'run=job-1', 'shard=2'), { recursive: true });
    const partial = await runCli(['report', '--from-parquet', dataset, '--format', 'md'], { nowMs: NOW });
    expect(partial.code).toBe(ExitCode.data);
    expect(partial.stderr).toMatch(/2 of 3 shards are complete; missing shard 2/);
  }, 240_000);
});
