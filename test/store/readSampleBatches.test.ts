import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { placeBatch, readSampleBatches, type StoredSamples } from '../../src/store/readSampleBatches.js';
import { seriesId } from '../../src/store/seriesId.js';
import { Store } from '../../src/store/Store.js';
import { useTempDir } from '../support/tempDir.js';

const HOUR = 3_600_000;
const END = Date.UTC(2026, 10, 20);

async function readAll(store: Store, maxSamples: number): Promise<StoredSamples[]> {
  const out: StoredSamples[] = [];
  for await (const s of readSampleBatches(store.connection, await store.sampleCounts(), maxSamples)) out.push(s);
  return out;
}

describe('readSampleBatches', () => {
  const tempDir = useTempDir();

  it('gives each series exactly what a per-series ORDER BY ts read gives: gaps, NaN, ±Inf, rows stored out of time order', async () => {
    const store = await Store.open(join(tempDir(), 'r.duckdb'), { now: () => END });
    const hours = 300;
    const timestamps = Float64Array.from({ length: hours }, (_, i) => END - (hours - 1 - i) * HOUR);
    const keys = Array.from({ length: 23 }, (_, k) => ({ resource: 'disk', metric: 'usage', labels: { host: `h${k}` } }));
    // The newer half first, then (a second pull) the older half: each series' rows sit in the table out of time order.
    for (const half of [1, 0]) {
      const pull = await store.beginPull({ source: 'test' });
      await store.writeSamples(
        pull,
        keys.map((key, k) => {
          const keep = (i: number) => (half === 1 ? i >= hours / 2 : i < hours / 2) && (i + k) % 37 !== 0; // gaps
          const ts = timestamps.filter((_, i) => keep(i));
          return { key, resolutionS: 3600, timestamps: ts, values: ts.map((t) => Math.sin(t / HOUR / 24) * (k + 1) + k * 0.1) };
        }),
      );
      await store.finishPull(pull, { status: 'ok', seriesCount: keys.length, sampleCount: 0 });
    }
    // Values a pull drops but an analyst can store by hand: the reader hands them on as they are.
    const odd = seriesId(keys[4]);
    await store.connection.run(
      `UPDATE samples SET value = CASE WHEN epoch_ms(ts) % (3 * ${HOUR}) = 0 THEN 'NaN'::DOUBLE WHEN epoch_ms(ts) % (5 * ${HOUR}) = 0 THEN '-Infinity'::DOUBLE ELSE value END WHERE series_id = '${odd}'`,
    );
    // An ordered scan of a table written in order may need no sort at all; shuffle the storage order to be sure.
    await store.connection.run(`CREATE TABLE shuffled AS SELECT * FROM samples ORDER BY hash(series_id, ts)`);
    await store.connection.run(`DELETE FROM samples`);
    await store.connection.run(`INSERT INTO samples SELECT * FROM shuffled`);

    const expected = await Promise.all(keys.map((key) => store.readSamples(seriesId(key))));
    expected.sort((a, b) => (a.seriesId < b.seriesId ? -1 : 1));
    expect(expected.find((s) => s.seriesId === odd)?.values.some(Number.isNaN)).toBe(true);
    // Several series per query, one per query, and one query for all.
    for (const maxSamples of [1_000, 1, 1_000_000]) {
      const got = await readAll(store, maxSamples);
      expect(got.map((s) => s.seriesId)).toEqual(expected.map((s) => s.seriesId));
      got.forEach((s, i) => {
        expect(s.timestamps).toEqual(expected[i].timestamps);
        expect(s.values).toEqual(expected[i].values);
      });
    }
    // Counts read before samples were added (a pull between counting and reading): every stored row still comes back.
    const stale = new Map([...(await store.sampleCounts())].map(([id], i) => [id, i % 2]));
    const fromStale: StoredSamples[] = [];
    for await (const s of readSampleBatches(store.connection, stale, 1_000)) fromStale.push(s);
    expect(fromStale).toEqual(expected);
    store.close();
  });

  it('places rows per series in position order, sorting only the series whose rows came out of time order', () => {
    const idx = Int32Array.from([2, 0, 2, 0, 0, 2]);
    const t = Float64Array.from([5, 1, 6, 3, 2, 4]);
    const v = Float64Array.from([50, 10, 60, 30, 20, NaN]);
    const out = placeBatch(['a', 'b', 'c'], idx, t, v);
    expect(out.map((s) => s.seriesId)).toEqual(['a', 'c']);
    expect([...out[0].timestamps]).toEqual([1, 2, 3]);
    expect([...out[0].values]).toEqual([10, 20, 30]);
    expect([...out[1].timestamps]).toEqual([4, 5, 6]);
    expect([...out[1].values]).toEqual([NaN, 50, 60]);
  });
});
