import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capacityWarnings } from '../../src/pipeline/capacityWarnings.js';
import { Store } from '../../src/store/Store.js';
import { runCli } from '../support/runCli.js';
import { useTempDir } from '../support/tempDir.js';

const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 20);
const NOW = END + 3_600_000;

type Labels = Record<string, string>;

/** 60 daily samples per series; capacity series are flat at `level`. */
async function store(s: Store, resource: string, usage: Labels[], capacity: { labels: Labels; level: number }[]) {
  const pull = await s.beginPull({ source: 'test', resource });
  const timestamps = Float64Array.from({ length: 60 }, (_, i) => END - (59 - i) * DAY);
  await s.writeSamples(pull, [
    ...usage.map((labels, k) => ({ key: { resource, metric: 'usage', labels }, resolutionS: 86_400, timestamps, values: timestamps.map((_, i) => 10 + k + i) })),
    ...capacity.map((c) => ({ key: { resource, metric: 'capacity', labels: c.labels }, resolutionS: 86_400, timestamps, values: timestamps.map(() => c.level) })),
  ]);
  await s.finishPull(pull, { status: 'ok', seriesCount: usage.length + capacity.length, sampleCount: 60 * (usage.length + capacity.length) });
}

describe('capacity series pair with usage series by identical labels', () => {
  const tempDir = useTempDir();

  it('warns on stderr about usage without capacity and capacity without usage, and data_quality flags them', async () => {
    const db = join(tempDir(), 'pairs.duckdb');
    const s = await Store.open(db, { now: () => NOW });
    // disk: h1, h2 paired; h3 has no capacity; capacity for h9 has no usage.
    await store(s, 'disk', [{ host: 'h1' }, { host: 'h2' }, { host: 'h3' }], [
      { labels: { host: 'h1' }, level: 500 },
      { labels: { host: 'h2' }, level: 600 },
      { labels: { host: 'h9' }, level: 700 },
    ]);
    // mem: the capacity query keeps a label the usage query drops, so nothing pairs.
    await store(s, 'mem', [{ host: 'h1' }, { host: 'h2' }], [
      { labels: { host: 'h1', job: 'node' }, level: 64 },
      { labels: { host: 'h2', job: 'node' }, level: 64 },
    ]);
    // cpu: no capacity series at all; not a mismatch.
    await store(s, 'cpu', [{ host: 'h1' }], []);
    s.close();

    const run = await runCli(['forecast', '--db', db, '--horizon', '30d', '--models', 'linear'], { nowMs: NOW });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^forecast run #1: 6 series, 0 failed;/m);
    const warnings = run.stderr.trim().split('\n');
    expect(warnings).toEqual([
      'capplan: warning: disk: 1 usage series has no capacity series with the same labels ({host="h3"}): no capacity, headroom or exhaustion date for it; 1 capacity series matches no usage series ({host="h9"}) (the usage and capacity queries must return the same labels; see capacity_pairs and data_quality.capacity_pairing)',
      'capplan: warning: mem: 2 usage series have no capacity series with the same labels ({host="h1"}, {host="h2"}): no capacity, headroom or exhaustion date for them; 2 capacity series match no usage series ({host="h1",job="node"}, {host="h2",job="node"}); labels only on usage: none, only on capacity: job (the usage and capacity queries must return the same labels; see capacity_pairs and data_quality.capacity_pairing)',
    ]);

    // capplan headroom lists only the paired series, and says why the others are missing.
    const headroom = await runCli(['headroom', '--db', db, '--format', 'csv'], { nowMs: NOW });
    expect(headroom.code).toBe(0);
    expect(headroom.stderr.trim().split('\n')).toEqual(warnings);
    expect(headroom.stdout.trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['disk,"usage{host=""h1""}"', 'disk,"usage{host=""h2""}"']);

    const check = await Store.open(db, { readOnly: true });
    const dq = await check.query(
      `SELECT resource, labels['host'], labels['job'], capacity_pairing FROM data_quality ORDER BY resource, capacity_pairing, labels['host']`,
    );
    expect(dq.rows).toEqual([
      ['cpu', 'h1', null, null],
      ['disk', 'h3', null, 'no_capacity'],
      ['disk', 'h9', null, 'no_usage'],
      ['disk', 'h1', null, 'paired'],
      ['disk', 'h1', null, 'paired'],
      ['disk', 'h2', null, 'paired'],
      ['disk', 'h2', null, 'paired'],
      ['mem', 'h1', null, 'no_capacity'],
      ['mem', 'h2', null, 'no_capacity'],
      ['mem', 'h1', 'node', 'no_usage'],
      ['mem', 'h2', 'node', 'no_usage'],
    ]);
    // Paired usage series got their capacity (the latest capacity sample); the others none, so headroom has only them.
    const headroomView = await check.query(`SELECT resource, labels['host'], capacity FROM headroom WHERE capacity IS NOT NULL ORDER BY ALL`);
    expect(headroomView.rows).toEqual([
      ['disk', 'h1', 500],
      ['disk', 'h2', 600],
    ]);
    const exhaustion = await check.query(`SELECT DISTINCT s.labels['host'] FROM exhaustion e JOIN series s USING (series_id) WHERE e.run_id = 1 ORDER BY 1`);
    expect(exhaustion.rows).toEqual([['h1'], ['h2']]);
    check.close();
  });

  it('says nothing when every series pairs', async () => {
    const db = join(tempDir(), 'ok.duckdb');
    const s = await Store.open(db, { now: () => NOW });
    await store(s, 'disk', [{ host: 'h1', mount: '/' }], [{ labels: { mount: '/', host: 'h1' }, level: 500 }]);
    s.close();
    const run = await runCli(['forecast', '--db', db, '--horizon', '30d', '--models', 'linear'], { nowMs: NOW });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const check = await Store.open(db, { readOnly: true });
    expect((await check.query(`SELECT status, capacity FROM capacity_pairs`)).rows).toEqual([['paired', 500]]);
    check.close();
  });

  it('shortens long lists of unmatched series to three examples', () => {
    const pairs = Array.from({ length: 5 }, (_, i) => ({
      resource: 'disk',
      labels: { host: `h${i}` },
      usageSeriesId: `u${i}`,
      capacitySeriesId: null,
      capacity: null,
      status: 'no_capacity' as const,
    }));
    expect(capacityWarnings(pairs)).toEqual([
      'disk: 5 usage series have no capacity series with the same labels ({host="h0"}, {host="h1"}, {host="h2"}, …): no capacity, headroom or exhaustion date for them (the usage and capacity queries must return the same labels; see capacity_pairs and data_quality.capacity_pairing)',
    ]);
  });
});
