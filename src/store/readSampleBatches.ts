import type { DuckDBConnection, DuckDBListValue } from '@duckdb/node-api';
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
 * about `maxSamples`, one query per batch. Each batch is read completely
 * before its first series is yielded, so the caller may run other statements
 * on the same connection between series: a DuckDB connection runs one query
 * at a time, and a streaming result left open while another statement runs
 * on its connection ends early without an error.
 */
export async function* readSampleBatches(
  connection: DuckDBConnection,
  counts: ReadonlyMap<string, number>,
  maxSamples: number = SAMPLES_PER_BATCH,
): AsyncGenerator<StoredSamples> {
  let batch: string[] = [];
  let size = 0;
  for (const [id, n] of counts) {
    if (batch.length > 0 && size + n > maxSamples) {
      yield* await readBatch(connection, batch);
      batch = [];
      size = 0;
    }
    batch.push(id);
    size += n;
  }
  if (batch.length > 0) yield* await readBatch(connection, batch);
}

/** One row per series with its samples as two lists: each row says whose samples it holds, so no boundary is inferred. */
async function readBatch(connection: DuckDBConnection, ids: readonly string[]): Promise<StoredSamples[]> {
  const reader = await connection.runAndReadAll(
    `SELECT series_id, list(epoch_ms(ts)::DOUBLE ORDER BY ts), list(value ORDER BY ts)
     FROM samples WHERE series_id IN (SELECT unnest($1::VARCHAR[]))
     GROUP BY series_id`,
    [listParam(ids)],
  );
  const byId = new Map<string, StoredSamples>();
  for (const [id, ts, vs] of reader.getRows()) {
    const seriesId = String(id);
    byId.set(seriesId, {
      seriesId,
      timestamps: Float64Array.from((ts as DuckDBListValue).items as number[]),
      values: Float64Array.from((vs as DuckDBListValue).items as number[]),
    });
  }
  return ids.flatMap((id) => byId.get(id) ?? []);
}
