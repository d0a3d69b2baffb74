import type { DuckDBConnection } from '@duckdb/node-api';
import { SampleWriter } from './SampleWriter.js';
import type { SeriesKey } from './seriesId.js';

/** Samples of one series from one pull, as the source delivered them. */
export interface SeriesSamples {
  readonly key: SeriesKey;
  /** Seconds per sample at the source (raw scrape interval or downsampling resolution). */
  readonly resolutionS: number;
  /** ms UTC; any order, duplicates allowed (the first wins). */
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /** Optional descriptive fields stored on first sight of the series. */
  readonly meta?: SeriesMeta;
}

export interface SeriesMeta {
  readonly name?: string;
  readonly unit?: string;
  readonly capacity?: number | null;
  readonly description?: string;
}

export interface WriteResult {
  /** Samples newly stored. */
  readonly inserted: number;
  /** Samples already stored for the same series and timestamp whose value the batch changed (the new value replaces the old). */
  readonly updated: number;
  /** Samples already stored with the same value (or repeated in the batch), left as they were. */
  readonly existing: number;
  /** NaN and ±Inf samples, which are not stored (they mark no data, not a value). */
  readonly nonFinite: number;
  readonly seriesIds: readonly string[];
}

/**
 * Stores one batch of samples atomically and idempotently; see `SampleWriter`,
 * which a pull keeps open across its windows so it reads each series' stored
 * extent once instead of once per batch.
 */
export async function writeSamples(
  connection: DuckDBConnection,
  pullId: number,
  batch: readonly SeriesSamples[],
  nowMs: number,
): Promise<WriteResult> {
  const writer = new SampleWriter(connection, pullId, () => nowMs);
  try {
    return await writer.write(batch);
  } finally {
    await writer.close();
  }
}
