import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOUBLE, DuckDBDataChunk, DuckDBInstance, INTEGER, TIMESTAMPTZ, timestampTZValue, VARCHAR, type DuckDBValue, type DuckDBVector } from '@duckdb/node-api';
import { Store } from '../src/store/Store.js';
import type { SeriesSamples } from '../src/store/writeSamples.js';

const HOUR = 3_600_000;

/**
 * DuckDB ingest on its own: 1,000 series × 180 days hourly written through
 * a pull's SampleWriter (Store.sampleWriter), then the same again (all re-reads, nothing changed),
 * then the next day appended. Beside it, the floor measured in the same run:
 * the same rows appended with DuckDB's appender (DataChunks of 2,048 rows)
 * into a table with samples' columns and no constraints, in the same batches
 * of 100 series, each batch committed. Prints samples/s and the ratio of
 * capplan's first ingest to the floor; asserts nothing.
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
    // Writes go in batches of 100 series through one writer per pass, as a pull delivers and stores them.
    const inBatches = async (b: SeriesSamples[]) => {
      let inserted = 0;
      const writer = store.sampleWriter(pull);
      for (let i = 0; i < b.length; i += 100) inserted += (await writer.write(b.slice(i, i + 100))).inserted;
      await writer.close();
      return { inserted };
    };
    const floor = await rawAppend(join(dir, 'floor.duckdb'), batch);
    rows.push(['floor: appender into a samples-shaped table, no constraints', total.toLocaleString('en-US'), total.toLocaleString('en-US'), floor.toFixed(2), `${(total / floor / 1e6).toFixed(2)} M/s`]);
    const numbers = await numbersAppend(join(dir, 'numbers.duckdb'), batch);
    rows.push(['floor: appender, numbers only (INTEGER id, DOUBLE ms, DOUBLE value)', total.toLocaleString('en-US'), total.toLocaleString('en-US'), numbers.toFixed(2), `${(total / numbers / 1e6).toFixed(2)} M/s`]);
    const t0 = performance.now();
    await time('first ingest, 1,000 × 180 d hourly', () => inBatches(batch), total);
    const first = (performance.now() - t0) / 1000;
    await time('same range again (all duplicates)', () => inBatches(batch), total);
    const next = make(end, 24);
    await time('next day appended (incremental)', () => inBatches(next), series * 24);
    store.close();
    console.log('\n## DuckDB ingest (SampleWriter, as a pull writes)\n');
    console.log('| case | samples offered | inserted | seconds | throughput |');
    console.log('|---|---:|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log(
      `\nFirst ingest at ${((floor / first) * 100).toFixed(0)}% of the appender's rate into a samples-shaped table (target ≥ 60%), ` +
        `${((numbers / first) * 100).toFixed(0)}% of the numbers-only append.`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The floor: the same rows appended with DuckDB's appender into a table with
 * samples' columns and no constraints, batch by batch (one transaction per
 * batch, as a pull commits). Returns seconds.
 */
async function rawAppend(path: string, batch: readonly SeriesSamples[]): Promise<number> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE TABLE raw_samples (series_id VARCHAR, ts TIMESTAMPTZ, value DOUBLE, resolution_s INTEGER, pull_id INTEGER)`);
    const types = [VARCHAR, TIMESTAMPTZ, DOUBLE, INTEGER, INTEGER];
    const t0 = performance.now();
    for (let b = 0; b < batch.length; b += 100) {
      await connection.run('BEGIN TRANSACTION');
      const appender = await connection.createAppender('raw_samples');
      let chunk = DuckDBDataChunk.create(types, 2048);
      let vectors = types.map((_, c) => chunk.getColumnVector(c) as DuckDBVector<DuckDBValue>);
      let fill = 0;
      const flush = () => {
        if (fill < 2048) {
          const short = DuckDBDataChunk.create(types, fill);
          const target = types.map((_, c) => short.getColumnVector(c) as DuckDBVector<DuckDBValue>);
          for (let c = 0; c < types.length; c++) for (let r = 0; r < fill; r++) target[c].setItem(r, vectors[c].getItem(r));
          for (const v of target) v.flush();
          appender.appendDataChunk(short);
        } else {
          for (const v of vectors) v.flush();
          appender.appendDataChunk(chunk);
          chunk = DuckDBDataChunk.create(types, 2048);
          vectors = types.map((_, c) => chunk.getColumnVector(c) as DuckDBVector<DuckDBValue>);
        }
        fill = 0;
      };
      for (const s of batch.slice(b, b + 100)) {
        const id = `${s.key.metric}-${s.key.labels.instance}`;
        for (let i = 0; i < s.timestamps.length; i++) {
          vectors[0].setItem(fill, id);
          vectors[1].setItem(fill, timestampTZValue(BigInt(s.timestamps[i]) * 1000n));
          vectors[2].setItem(fill, s.values[i]);
          vectors[3].setItem(fill, s.resolutionS);
          vectors[4].setItem(fill, 1);
          if (++fill === 2048) flush();
        }
      }
      if (fill > 0) flush();
      appender.flushSync();
      appender.closeSync();
      await connection.run('COMMIT');
    }
    return (performance.now() - t0) / 1000;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * A lower floor: the same samples as bare numbers (series index, ms, value)
 * appended into a three-column table, batch by batch: no strings, no
 * timestamp conversion, nothing any real table could do without.
 */
async function numbersAppend(path: string, batch: readonly SeriesSamples[]): Promise<number> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE TABLE raw_numbers (series_idx INTEGER, ts_ms DOUBLE, value DOUBLE)`);
    const types = [INTEGER, DOUBLE, DOUBLE];
    const t0 = performance.now();
    for (let b = 0; b < batch.length; b += 100) {
      await connection.run('BEGIN TRANSACTION');
      const appender = await connection.createAppender('raw_numbers');
      const part = batch.slice(b, b + 100);
      const rows = part.reduce((n, s) => n + s.timestamps.length, 0);
      const idx = new Int32Array(rows);
      const ts = new Float64Array(rows);
      const vs = new Float64Array(rows);
      let k = 0;
      part.forEach((s, i) => {
        idx.fill(b + i, k, k + s.timestamps.length);
        ts.set(s.timestamps, k);
        vs.set(s.values, k);
        k += s.timestamps.length;
      });
      for (let r = 0; r < rows; r += 2048) {
        const n = Math.min(2048, rows - r);
        const chunk = DuckDBDataChunk.create(types, n);
        const [a, t, v] = [0, 1, 2].map((c) => chunk.getColumnVector(c) as unknown as { items: Int32Array | Float64Array; flush(): void });
        a.items.set(idx.subarray(r, r + n));
        t.items.set(ts.subarray(r, r + n));
        v.items.set(vs.subarray(r, r + n));
        a.flush();
        t.flush();
        v.flush();
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
      appender.closeSync();
      await connection.run('COMMIT');
    }
    return (performance.now() - t0) / 1000;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
