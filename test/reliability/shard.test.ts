import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../src/errors.js';
import { ALL, formatShard, inShard, parseShard, shardOf } from '../../src/shard.js';
import { seriesId } from '../../src/store/seriesId.js';

/** Real-looking series ids: what `seriesId` gives for a fleet of disks. */
const fleet = (n: number) =>
  Array.from({ length: n }, (_, i) => seriesId({ resource: 'disk', metric: 'usage', labels: { instance: `host-${i}`, device: `sd${'abcd'[i % 4]}` } }));

describe('--shard I/N', () => {
  it('parses I/N and refuses anything else with a usage error', () => {
    expect(parseShard('1/4')).toEqual({ index: 1, count: 4 });
    expect(parseShard(' 3 / 3 ')).toEqual({ index: 3, count: 3 });
    expect(formatShard(parseShard('2/5'))).toBe('2/5');
    for (const bad of ['', '1', '0/4', '5/4', '-1/4', '1/0', '1/-2', 'a/b', '1/4/2', '1.5/4', '1/1e3', '1/99999999']) {
      const err = (() => {
        try {
          parseShard(bad);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err, bad).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(ExitCode.usage);
      expect((err as Error).message).toMatch(/^shard: /);
    }
  });

  it('is the documented hash: first 8 hex digits of sha256(id) mod N, 1-based', () => {
    for (const id of fleet(50)) {
      const h = Number.parseInt(createHash('sha256').update(id).digest('hex').slice(0, 8), 16);
      for (const n of [1, 2, 3, 7, 16]) expect(shardOf(id, n)).toBe((h % n) + 1);
    }
    // Pinned values: a change here moves series between cron hosts, which must never happen silently.
    expect([shardOf('0123456789abcdef', 4), shardOf('', 4), shardOf('disk', 10), shardOf('9f86d081884c7d65', 3)]).toEqual([2, 3, 6, 2]);
  });

  it('puts every id in exactly one shard, the same one on every call', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), fc.integer({ min: 1, max: 64 }), (id, n) => {
        const owners = Array.from({ length: n }, (_, i) => i + 1).filter((index) => inShard(id, { index, count: n }));
        expect(owners).toEqual([shardOf(id, n)]);
        expect(inShard(id, ALL)).toBe(true);
        expect(shardOf(id, n)).toBe(shardOf(id, n));
      }),
      { numRuns: 500 },
    );
  });

  it('splits 10,000 series roughly evenly (chi-square, and every shard within 4 binomial sigmas of its share)', () => {
    const ids = fleet(10_000);
    for (const n of [2, 3, 4, 8, 16]) {
      const counts = new Array<number>(n).fill(0);
      for (const id of ids) counts[shardOf(id, n) - 1]++;
      expect(counts.reduce((a, b) => a + b, 0)).toBe(ids.length);
      const expected = ids.length / n;
      const sigma = Math.sqrt(ids.length * (1 / n) * (1 - 1 / n));
      for (const c of counts) expect(Math.abs(c - expected), `N=${n}: ${counts.join(',')}`).toBeLessThan(4 * sigma);
      const chi2 = counts.reduce((a, c) => a + (c - expected) ** 2 / expected, 0);
      // 99.9th percentile of chi-square with n-1 degrees of freedom is below 3n+11 for these n.
      expect(chi2, `N=${n}`).toBeLessThan(3 * n + 11);
    }
  });

  it('the union of the shards is the fleet and the shards are disjoint', () => {
    const ids = fleet(2_000);
    const n = 5;
    const parts = Array.from({ length: n }, (_, i) => ids.filter((id) => inShard(id, { index: i + 1, count: n })));
    expect(parts.flat().sort()).toEqual([...ids].sort());
    expect(new Set(parts.flat()).size).toBe(ids.length);
  });
});
