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
 * bytes once read, and the prefetch holds two batches) while keeping the
 * number of queries small: each query scans the whole samples table (a
 * pull's rows interleave series, so zone maps rarely skip a row group),
 * about 0.1 CPU-s per query on the 10,000-series bench (43 M samples, 43
 * queries). 2 M samples per query read the bench in 30% less CPU (6.3 s
 * against 8.3 s) but raised the whole run's peak RSS by ~60 MB to 1.45 GB,
 * too near its 1.5 GB bound.
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
  const batches: { ids: string[]; sizes: number[] }[] = [];
  let batch: string[] = [];
  let sizes: number[] = [];
  let size = 0;
  for (const [id, n] of counts) {
    if (batch.length > 0 && size + n > maxSamples) {
      batches.push({ ids: batch, sizes });
      batch = [];
      sizes = [];
      size = 0;
    }
    batch.push(id);
    sizes.push(n);
    size += n;
  }
  if (batch.length > 0) batches.push({ ids: batch, sizes });
  if (batches.length === 0) return;
  // No ORDER BY: sorting a batch cost DuckDB about 40% of the query; rows are placed per series and
  // put in time order here instead (placeBatch), usually by checking they already are.
  const statement = await connection.prepare(
    `SELECT k.idx, epoch_ms(x.ts)::DOUBLE, x.value
     FROM samples x
     JOIN (SELECT unnest($1::VARCHAR[]) AS series_id, unnest(range(len($1::VARCHAR[])))::INTEGER AS idx) k USING (series_id)`,
  );
  const read = (b: { ids: string[]; sizes: number[] }) => readBatch(statement, b.ids, b.sizes);
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
 * Each row goes straight into its series' arrays, sized by `sizes` (the
 * counts read before; a series that has gained samples since grows). The
 * position column says which series a row belongs to; nothing is inferred
 * from the counts.
 */
async function readBatch(statement: DuckDBPreparedStatement, ids: readonly string[], sizes: readonly number[]): Promise<StoredSamples[]> {
  statement.bind([listParam(ids)]);
  const result = await statement.run();
  const placer = new SeriesPlacer(sizes);
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const ic = chunk.getColumnVector(0);
    const tc = chunk.getColumnVector(1);
    const vc = chunk.getColumnVector(2);
    for (let r = 0, rows = chunk.rowCount; r < rows; r++) placer.add(ic.getItem(r) as number, tc.getItem(r) as number, vc.getItem(r) as number);
  }
  return placer.finish(ids);
}

/**
 * Rows tagged with their series' position in `ids`, in any order, as one
 * StoredSamples per series that has rows (in `ids` order), each ascending by
 * time: what `ORDER BY position, ts` gives.
 */
export function placeBatch(ids: readonly string[], idx: Int32Array, t: Float64Array, v: Float64Array): StoredSamples[] {
  const sizes = new Array<number>(ids.length).fill(0);
  for (let r = 0; r < idx.length; r++) sizes[idx[r]]++;
  const placer = new SeriesPlacer(sizes);
  for (let r = 0; r < idx.length; r++) placer.add(idx[r], t[r], v[r]);
  return placer.finish(ids);
}

/**
 * Collects rows into per-series arrays as they arrive, so a batch is held
 * once (16 bytes a sample), not once as rows and again per series. A series
 * whose rows arrived out of time order (a scan split across threads, a later
 * pull filling an earlier gap) is sorted when the batch is finished.
 */
class SeriesPlacer {
  private readonly ts: Float64Array[];
  private readonly vs: Float64Array[];
  private readonly fill: Int32Array;

  constructor(sizes: readonly number[]) {
    this.ts = sizes.map((n) => new Float64Array(n));
    this.vs = sizes.map((n) => new Float64Array(n));
    this.fill = new Int32Array(sizes.length);
  }

  add(i: number, t: number, v: number): void {
    const at = this.fill[i]++;
    if (at === this.ts[i].length) {
      const capacity = Math.max(16, 2 * at);
      this.ts[i] = grow(this.ts[i], capacity);
      this.vs[i] = grow(this.vs[i], capacity);
    }
    this.ts[i][at] = t;
    this.vs[i][at] = v;
  }

  finish(ids: readonly string[]): StoredSamples[] {
    const out: StoredSamples[] = [];
    for (let i = 0; i < ids.length; i++) {
      const n = this.fill[i];
      if (n === 0) continue;
      const t = n === this.ts[i].length ? this.ts[i] : this.ts[i].slice(0, n);
      const v = n === this.vs[i].length ? this.vs[i] : this.vs[i].slice(0, n);
      const [timestamps, values] = inTimeOrder(t, v);
      out.push({ seriesId: ids[i], timestamps, values });
    }
    return out;
  }
}

/** The samples ascending by time: as given when they already are (the usual case), else sorted together. */
function inTimeOrder(t: Float64Array, v: Float64Array): [Float64Array, Float64Array] {
  let sorted = true;
  for (let k = 1; k < t.length && sorted; k++) sorted = t[k - 1] <= t[k];
  if (sorted) return [t, v];
  const order = Uint32Array.from({ length: t.length }, (_, k) => k).sort((a, b) => t[a] - t[b] || a - b);
  return [Float64Array.from(order, (k) => t[k]), Float64Array.from(order, (k) => v[k])];
}

function grow(a: Float64Array, capacity: number): Float64Array {
  const b = new Float64Array(capacity);
  b.set(a);
  return b;
}
