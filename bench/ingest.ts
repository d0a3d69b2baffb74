import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/store/Store.js';
import type { SeriesSamples } from '../src/store/writeSamples.js';

const HOUR = 3_600_000;

/**
 * DuckDB ingest on its own: 1,000 series × 180 days hourly written through
 * Store.writeSamples (appender + anti-join merge), then the same again (all
 * duplicates), then the next day appended. Prints samples/s; asserts nothing.
 */
export async function benchIngest(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'capplan-bench-'));
  const series = 1000;
  const points = 180 * 24;
  const end = Date.UTC(2026, 10, 1);
  const make = (from: number, n: number): SeriesSamples[] =>
    Array.from({ length: series }, (_, s) => {
      const timestamps = new Float64Array(n);
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        timestamps[i] = from + i * HOUR;
        values[i] = 1e9 + s * 1e6 + i * 1000 + ((i * 7919) % 97);
      }
      return { key: { resource: 'disk', metric: 'used_bytes', labels: { instance: `host-${s}` } }, resolutionS: 3600, timestamps, values };
    });
  try {
    const store = await Store.open(join(dir, 'bench.duckdb'));
    const pull = await store.beginPull({ source: 'bench' });
    const batch = make(end - points * HOUR, points);
    const total = series * points;
    const rows: string[][] = [];
    const time = async (label: string, f: () => Promise<{ inserted: number }>, n: number) => {
      const t0 = performance.now();
      const r = await f();
      const s = (performance.now() - t0) / 1000;
      rows.push([label, n.toLocaleString('en-US'), r.inserted.toLocaleString('en-US'), s.toFixed(2), `${(n / s / 1e6).toFixed(2)} M/s`]);
    };
    // Writes go in batches of 100 series, as a pull delivers them.
    const inBatches = async (b: SeriesSamples[]) => {
      let inserted = 0;
      for (let i = 0; i < b.length; i += 100) inserted += (await store.writeSamples(pull, b.slice(i, i + 100))).inserted;
      return { inserted };
    };
    await time('first ingest, 1,000 × 180 d hourly', () => inBatches(batch), total);
    await time('same range again (all duplicates)', () => inBatches(batch), total);
    const next = make(end, 24);
    await time('next day appended (incremental)', () => inBatches(next), series * 24);
    store.close();
    console.log('\n## DuckDB ingest (Store.writeSamples)\n');
    console.log('| case | samples offered | inserted | seconds | throughput |');
    console.log('|---|---:|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
