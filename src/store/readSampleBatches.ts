import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { listParam } from './sqlValues.js';

/** One series' samples, ascending by time. */
export interface StoredSamples {
  readonly seriesId: string;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/**
 * Samples read per query. Bounds the memory held at once (a sample is 16
 * bytes once read) while keeping the number of scans of the samples table
 * small: a fleet of 2,000 series × 8,760 hourly samples takes 18 queries.
 */
export const SAMPLES_PER_BATCH = 1_000_000;

/** Stored samples per series, in series_id order; series with none are absent. */
export async function sampleCounts(connection: DuckDBConnection, seriesIds?: readonly string[]): Promise<Map<string, number>> {
  if (seriesIds && seriesIds.length === 0) return new Map();
  const reader = await connection.runAndReadAll(
    seriesIds
      ? `SELECT series_id, count(*)::DOUBLE FROM samples WHERE series_id IN (SELECT unnest($1::VARCHAR[])) GROUP BY series_id ORDER BY series_id`
      : `SELECT series_id, count(*)::DOUBLE FROM samples GROUP BY series_id ORDER BY series_id`,
    seriesIds ? [listParam(seriesIds)] : [],
  );
  return new Map(reader.getRows().map(([id, n]) => [String(id), Number(n)]));
}

/**
 * Reads the samples of the given series (in the order given) in batches of
 * about `maxSamples`, one query per batch, prepared once. Each batch is read
 * completely before its first series is yielded, so the caller may run other
 * statements on the same connection between series: a DuckDB connection runs
 * one query at a time, and a streaming result left open while another
 * statement runs on its connection ends early without an error.
 *
 * With `prefetch`, the next batch is read while the caller works through the
 * current one (two batches held at most). Only on a connection nothing else
 * uses while the generator runs, for the reason above.
 */
export async function* readSampleBatches(
  connection: DuckDBConnection,
  counts: ReadonlyMap<string, number>,
  maxSamples: number = SAMPLES_PER_BATCH,
  { prefetch = false }: { prefetch?: boolean } = {},
): AsyncGenerator<StoredSamples> {
  const batches: { ids: string[]; size: number }[] = [];
  let batch: string[] = [];
  let size = 0;
  for (const [id, n] of counts) {
    if (batch.length > 0 && size + n > maxSamples) {
      batches.push({ ids: batch, size });
      batch = [];
      size = 0;
    }
    batch.push(id);
    size += n;
  }
  if (batch.length > 0) batches.push({ ids: batch, size });
  if (batches.length === 0) return;
  // No ORDER BY: sorting a batch cost DuckDB about 40% of the query; rows are placed per series and
  // put in time order here instead (placeBatch), usually by checking they already are.
  const statement = await connection.prepare(
    `SELECT k.idx, epoch_ms(x.ts)::DOUBLE, x.value
     FROM samples x
     JOIN (SELECT unnest($1::VARCHAR[]) AS series_id, unnest(range(len($1::VARCHAR[])))::INTEGER AS idx) k USING (series_id)`,
  );
  const read = (b: { ids: string[]; size: number }) => readBatch(statement, b.ids, b.size);
  let ahead: Promise<StoredSamples[]> | null = null;
  try {
    for (let i = 0; i < batches.length; i++) {
      const current = ahead ?? read(batches[i]);
      ahead = null;
      const rows = await current;
      if (prefetch && i + 1 < batches.length) {
        ahead = read(batches[i + 1]);
        // Observed at once: an early return must not leave an unhandled rejection behind.
        ahead.catch(() => undefined);
      }
      yield* rows;
    }
  } finally {
    // The statement's connection must be idle before the caller closes it.
    if (ahead) await (ahead as Promise<StoredSamples[]>).catch(() => undefined);
    statement.destroySync();
  }
}

/**
 * One query per batch: every sample tagged with its series' position in `ids`
 * (an INTEGER, so no string per row), in whatever order DuckDB produces them.
 * The position column says which series each row belongs to; nothing is
 * inferred from counts. Columns are read chunk by chunk from DuckDB's vectors.
 */
async function readBatch(statement: DuckDBPreparedStatement, ids: readonly string[], sizeHint: number): Promise<StoredSamples[]> {
  statement.bind([listParam(ids)]);
  const result = await statement.run();
  let capacity = Math.max(1, sizeHint);
  let idx = new Int32Array(capacity);
  let t = new Float64Array(capacity);
  let v = new Float64Array(capacity);
  let n = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const rows = chunk.rowCount;
    if (n + rows > capacity) {
      capacity = Math.max(2 * capacity, n + rows);
      idx = grow(idx, capacity);
      t = grow(t, capacity);
      v = grow(v, capacity);
    }
    const ic = chunk.getColumnVector(0);
    const tc = chunk.getColumnVector(1);
    const vc = chunk.getColumnVector(2);
    for (let r = 0; r < rows; r++, n++) {
      idx[n] = ic.getItem(r) as number;
      t[n] = tc.getItem(r) as number;
      v[n] = vc.getItem(r) as number;
    }
  }
  return placeBatch(ids, idx.subarray(0, n), t, v);
}

/**
 * Rows tagged with their series' position in `ids`, in any order, as one
 * StoredSamples per series that has rows (in `ids` order), each ascending by
 * time: what `ORDER BY position, ts` gives. Rows are counted per series, then
 * copied straight into each series' own arrays; a series whose rows arrived
 * out of time order (a scan split across threads, a later pull filling an
 * earlier gap) is sorted.
 */
export function placeBatch(ids: readonly string[], idx: Int32Array, t: Float64Array, v: Float64Array): StoredSamples[] {
  const n = idx.length;
  const count = new Int32Array(ids.length);
  for (let r = 0; r < n; r++) count[idx[r]]++;
  const ts: Float64Array[] = [];
  const vs: Float64Array[] = [];
  for (let i = 0; i < ids.length; i++) {
    ts.push(new Float64Array(count[i]));
    vs.push(new Float64Array(count[i]));
  }
  const fill = new Int32Array(ids.length);
  for (let r = 0; r < n; r++) {
    const i = idx[r];
    const at = fill[i]++;
    ts[i][at] = t[r];
    vs[i][at] = v[r];
  }
  const out: StoredSamples[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (count[i] === 0) continue;
    const [timestamps, values] = inTimeOrder(ts[i], vs[i]);
    out.push({ seriesId: ids[i], timestamps, values });
  }
  return out;
}

/** The samples ascending by time: as given when they already are (the usual case), else sorted together. */
function inTimeOrder(t: Float64Array, v: Float64Array): [Float64Array, Float64Array] {
  let sorted = true;
  for (let k = 1; k < t.length && sorted; k++) sorted = t[k - 1] <= t[k];
  if (sorted) return [t, v];
  const order = Uint32Array.from({ length: t.length }, (_, k) => k).sort((a, b) => t[a] - t[b] || a - b);
  return [Float64Array.from(order, (k) => t[k]), Float64Array.from(order, (k) => v[k])];
}

function grow<T extends Int32Array | Float64Array>(a: T, capacity: number): T {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  b.set(a);
  return b;
}
