import { DOUBLE, DuckDBDataChunk, INTEGER, listValue, type DuckDBConnection, type DuckDBVector } from '@duckdb/node-api';
import { seriesDisplayName, seriesId, wellFormed, type SeriesKey } from './seriesId.js';
import { listParam } from './sqlValues.js';

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

/** DuckDB's vector size: a DataChunk holds at most this many rows. */
const CHUNK_ROWS = 2048;
const STAGING_TYPES = [INTEGER, DOUBLE, DOUBLE];

/**
 * Stores a batch of samples atomically and idempotently: the batch lands whole
 * or not at all, and a (series, timestamp) already stored is never duplicated.
 * A stored sample whose value the batch changes is updated in place (the
 * source is the truth: a later peak, a completed partial response), so
 * re-pulling an overlapping range is always safe and always current.
 *
 * Speed comes from not comparing against history when there is nothing to
 * compare: each series keeps its stored extent (`series.last_ts`), samples
 * after it are inserted directly, and only the overlap is joined with what
 * is stored, within its time span. Rows are staged once, column by column
 * into reused DataChunks, and the split between new and overlapping rows is
 * made in SQL, not in JS.
 */
export async function writeSamples(
  connection: DuckDBConnection,
  pullId: number,
  batch: readonly SeriesSamples[],
  nowMs: number,
): Promise<WriteResult> {
  const ids = batch.map((s) => seriesId(s.key));
  const lastStored = await readLastTimestamps(connection, ids);
  const clean = batch.map((s, i) => dedupeSorted(s, ids[i]));
  const nonFinite = clean.reduce((a, c) => a + c.nonFinite, 0);
  const repeated = clean.reduce((a, c) => a + c.repeated, 0);
  let fresh = 0;
  let overlap = 0;
  clean.forEach((c, i) => {
    const after = countAfter(batch[i].timestamps, c, lastStored[i]);
    fresh += after;
    overlap += c.count - after;
  });

  if (fresh + overlap > 0) {
    await connection.run(`CREATE OR REPLACE TEMP TABLE staging_samples (series_idx INTEGER, ts_ms DOUBLE, value DOUBLE)`);
    await stage(connection, clean, batch);
  }

  await connection.run('BEGIN TRANSACTION');
  try {
    await upsertSeries(connection, ids, batch, nowMs);
    // Per series: its id, resolution and stored extent, as list parameters unnested in place (no second temp table).
    const seriesParams = [listParam(ids.map((_, i) => i)), listParam(ids), listParam(batch.map((s) => s.resolutionS)), listValue(lastStored)];
    // The four lists bound from parameter $k on.
    const seriesTableAt = (k: number) => `(SELECT unnest($${k}::INTEGER[]) AS series_idx, unnest($${k + 1}::VARCHAR[]) AS series_id,
                                 unnest($${k + 2}::INTEGER[]) AS resolution_s, unnest($${k + 3}::DOUBLE[]) AS last_ms)`;
    const seriesTable = seriesTableAt(2);
    let inserted = 0;
    if (fresh > 0) {
      // make_timestamptz(µs) is several times cheaper than epoch_ms(ms) on DuckDB 1.x.
      const r = await connection.run(
        `INSERT INTO samples (series_id, ts, value, resolution_s, pull_id)
         SELECT ss.series_id, make_timestamptz(round(st.ts_ms)::BIGINT * 1000), st.value, ss.resolution_s, $1
         FROM staging_samples st JOIN ${seriesTable} ss USING (series_idx)
         WHERE ss.last_ms IS NULL OR round(st.ts_ms) > ss.last_ms`,
        [pullId, ...seriesParams],
      );
      inserted += Number(r.rowsChanged);
    }
    let updated = 0;
    if (overlap > 0) {
      // The overlap is compared with what is stored in one pass, only within its time span (constants, so DuckDB prunes
      // the scan by zone maps): each row learns the value stored at its (series, ts), if any. Only then are the few
      // missing rows inserted and the few changed ones updated; a re-read that changed nothing touches nothing.
      const span = overlapSpan(batch, clean, lastStored);
      await connection.run(
        `CREATE OR REPLACE TEMP TABLE staging_overlap AS
         SELECT n.series_id, n.ts, n.value, n.resolution_s, e.value AS stored
         FROM (SELECT ss.series_id, make_timestamptz(round(st.ts_ms)::BIGINT * 1000) AS ts, st.value, ss.resolution_s
               FROM staging_samples st JOIN ${seriesTableAt(1)} ss USING (series_idx)
               WHERE round(st.ts_ms) <= ss.last_ms) n
         LEFT JOIN (SELECT series_id, ts, value FROM samples
                    WHERE ts BETWEEN make_timestamptz($5::BIGINT * 1000) AND make_timestamptz($6::BIGINT * 1000)
                      AND series_id IN (SELECT unnest($7::VARCHAR[]))) e
           ON e.series_id = n.series_id AND e.ts = n.ts`,
        [...seriesParams, span.lo, span.hi, listParam(ids.filter((_, i) => lastStored[i] !== null))],
      );
      const counts = await connection.runAndReadAll(
        `SELECT count(*) FILTER (WHERE stored IS NULL)::INTEGER AS missing, count(*) FILTER (WHERE stored <> value)::INTEGER AS changed FROM staging_overlap`,
      );
      const { missing, changed } = counts.getRowObjectsJS()[0] as { missing: number; changed: number };
      if (changed > 0) {
        const r = await connection.run(
          `UPDATE samples SET value = o.value, resolution_s = o.resolution_s, pull_id = $1
           FROM (SELECT series_id, ts, value, resolution_s FROM staging_overlap WHERE stored <> value) o
           WHERE samples.series_id = o.series_id AND samples.ts = o.ts
             AND samples.ts BETWEEN make_timestamptz($2::BIGINT * 1000) AND make_timestamptz($3::BIGINT * 1000)`,
          [pullId, span.lo, span.hi],
        );
        updated = Number(r.rowsChanged);
      }
      if (missing > 0) {
        const r = await connection.run(
          `INSERT INTO samples (series_id, ts, value, resolution_s, pull_id)
           SELECT series_id, ts, value, resolution_s, $1 FROM staging_overlap WHERE stored IS NULL`,
          [pullId],
        );
        inserted += Number(r.rowsChanged);
      }
    }
    await updateExtents(connection, ids, clean);
    await connection.run('COMMIT');
    return { inserted, updated, existing: fresh + overlap - inserted - updated + repeated, nonFinite, seriesIds: ids };
  } catch (err) {
    await connection.run('ROLLBACK');
    throw err;
  } finally {
    if (fresh + overlap > 0) await connection.run('DROP TABLE IF EXISTS temp.staging_samples');
    if (overlap > 0) await connection.run('DROP TABLE IF EXISTS temp.staging_overlap');
  }
}

/** The ms span of the samples at or before their series' stored extent (whole ms). */
function overlapSpan(batch: readonly SeriesSamples[], clean: readonly CleanSeries[], lastStored: readonly (number | null)[]): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  clean.forEach((c, i) => {
    const last = lastStored[i];
    if (last === null || c.count === 0) return;
    const first = Math.round(batch[i].timestamps[c.order === null ? 0 : c.order[0]]);
    if (first > last) return;
    lo = Math.min(lo, first);
    hi = Math.max(hi, Math.min(last, Math.round(c.maxMs)));
  });
  return { lo, hi };
}

/** How many of a series' clean samples fall after its stored extent (all when nothing is stored). */
function countAfter(timestamps: Float64Array, c: CleanSeries, last: number | null): number {
  if (last === null || c.count === 0) return c.count;
  const at = (j: number) => Math.round(timestamps[c.order === null ? j : c.order[j]]);
  // Clean samples ascend: binary search for the first one after `last`.
  let lo = 0;
  let hi = c.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(mid) > last) hi = mid;
    else lo = mid + 1;
  }
  return c.count - lo;
}

interface CleanSeries {
  /** Indices into the original arrays, in ascending time, first occurrence of each timestamp only. */
  readonly order: Int32Array | null;
  readonly count: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly nonFinite: number;
  readonly repeated: number;
}

/**
 * Ascending, unique, finite samples. Sources almost always deliver sorted
 * unique timestamps, so the common case is one pass that allocates nothing
 * (`order` null = keep all, as they are).
 */
function dedupeSorted(s: SeriesSamples, id: string): CleanSeries {
  const { timestamps: t, values: v } = s;
  if (t.length !== v.length) throw new Error(`series ${id}: ${t.length} timestamps but ${v.length} values`);
  let sortedUniqueFinite = true;
  for (let k = 0; k < t.length; k++) {
    if (!Number.isFinite(t[k]) || !Number.isFinite(v[k]) || (k > 0 && t[k] <= t[k - 1])) {
      sortedUniqueFinite = false;
      break;
    }
  }
  if (sortedUniqueFinite) {
    return { order: null, count: t.length, minMs: t.length ? t[0] : NaN, maxMs: t.length ? t[t.length - 1] : NaN, nonFinite: 0, repeated: 0 };
  }
  let nonFinite = 0;
  const idx: number[] = [];
  for (let k = 0; k < t.length; k++) {
    if (Number.isFinite(t[k]) && Number.isFinite(v[k])) idx.push(k);
    else nonFinite++;
  }
  // Stable sort by time, so among equal timestamps the first delivered wins.
  idx.sort((a, b) => t[a] - t[b] || a - b);
  const keep: number[] = [];
  for (const k of idx) if (keep.length === 0 || Math.round(t[k]) !== Math.round(t[keep[keep.length - 1]])) keep.push(k);
  return {
    order: Int32Array.from(keep),
    count: keep.length,
    minMs: keep.length ? t[keep[0]] : NaN,
    maxMs: keep.length ? t[keep[keep.length - 1]] : NaN,
    nonFinite,
    repeated: idx.length - keep.length,
  };
}

/**
 * Appends every clean sample to `staging_samples` through one reused
 * DataChunk per column set, written value by value with `setItem` (no
 * intermediate arrays, no per-chunk allocation).
 */
async function stage(connection: DuckDBConnection, clean: readonly CleanSeries[], batch: readonly SeriesSamples[]): Promise<void> {
  const appender = await connection.createAppender('staging_samples', 'main', 'temp');
  try {
    const chunk = DuckDBDataChunk.create(STAGING_TYPES, CHUNK_ROWS);
    const [idxV, tsV, valV] = [0, 1, 2].map((c) => chunk.getColumnVector(c) as DuckDBVector<number>);
    let fill = 0;
    const flush = () => {
      if (fill === CHUNK_ROWS) {
        idxV.flush();
        tsV.flush();
        valV.flush();
        appender.appendDataChunk(chunk);
      } else {
        // A short last chunk: a chunk's row count is fixed before its vectors are written.
        const last = DuckDBDataChunk.create(STAGING_TYPES, fill);
        const [a, b, c] = [0, 1, 2].map((k) => last.getColumnVector(k) as DuckDBVector<number>);
        for (let r = 0; r < fill; r++) {
          a.setItem(r, idxV.getItem(r));
          b.setItem(r, tsV.getItem(r));
          c.setItem(r, valV.getItem(r));
        }
        a.flush();
        b.flush();
        c.flush();
        appender.appendDataChunk(last);
      }
      fill = 0;
    };
    for (let i = 0; i < batch.length; i++) {
      const { timestamps, values } = batch[i];
      const { order, count } = clean[i];
      for (let j = 0; j < count; j++) {
        const k = order === null ? j : order[j];
        idxV.setItem(fill, i);
        tsV.setItem(fill, timestamps[k]);
        valV.setItem(fill, values[k]);
        if (++fill === CHUNK_ROWS) flush();
      }
    }
    if (fill > 0) flush();
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

async function readLastTimestamps(connection: DuckDBConnection, ids: readonly string[]): Promise<(number | null)[]> {
  if (ids.length === 0) return [];
  const reader = await connection.runAndReadAll(
    `SELECT series_id, epoch_ms(last_ts)::DOUBLE AS last FROM series WHERE list_contains($1::VARCHAR[], series_id)`,
    [listParam(ids)],
  );
  const last = new Map(reader.getRowObjectsJS().map((r) => [String(r.series_id), r.last === null ? null : Number(r.last)]));
  return ids.map((id) => last.get(id) ?? null);
}

async function updateExtents(connection: DuckDBConnection, ids: readonly string[], clean: readonly CleanSeries[]): Promise<void> {
  const rows = ids.map((id, i) => [id, clean[i].minMs, clean[i].maxMs] as const).filter(([, lo]) => Number.isFinite(lo));
  if (rows.length === 0) return;
  await connection.run(
    `UPDATE series SET
       first_ts = least(coalesce(first_ts, x.lo), x.lo),
       last_ts = greatest(coalesce(last_ts, x.hi), x.hi)
     FROM (SELECT unnest($1::VARCHAR[]) AS id,
                  epoch_ms(unnest($2::DOUBLE[])::BIGINT)::TIMESTAMPTZ AS lo,
                  epoch_ms(unnest($3::DOUBLE[])::BIGINT)::TIMESTAMPTZ AS hi) x
     WHERE series.series_id = x.id`,
    [listParam(rows.map((r) => r[0])), listParam(rows.map((r) => Math.round(r[1]))), listParam(rows.map((r) => Math.round(r[2])))],
  );
}

/** Inserts series seen for the first time, in one statement; existing rows are left as they are. */
async function upsertSeries(connection: DuckDBConnection, ids: readonly string[], batch: readonly SeriesSamples[], nowMs: number): Promise<void> {
  if (ids.length === 0) return;
  const labelKeys = batch.map((s) => Object.keys(s.key.labels).sort());
  await connection.run(
    `INSERT INTO series (series_id, resource, metric, labels, name, unit, capacity, description, first_seen)
     SELECT DISTINCT ON (id) id, resource, metric, CAST(labels::JSON AS MAP(VARCHAR, VARCHAR)), name, unit, capacity, description, epoch_ms($9::BIGINT)::TIMESTAMPTZ
     FROM (SELECT unnest($1::VARCHAR[]) AS id, unnest($2::VARCHAR[]) AS resource, unnest($3::VARCHAR[]) AS metric,
                  unnest($4::VARCHAR[]) AS labels, unnest($5::VARCHAR[]) AS name,
                  unnest($6::VARCHAR[]) AS unit, unnest($7::DOUBLE[]) AS capacity, unnest($8::VARCHAR[]) AS description)
     ON CONFLICT (series_id) DO NOTHING`,
    [
      listParam(ids),
      listParam(batch.map((s) => s.key.resource)),
      listParam(batch.map((s) => s.key.metric)),
      // Labels travel as JSON text: a list of lists cannot be bound when a series has no labels (its type would be ANY).
      listParam(batch.map((s, i) => JSON.stringify(Object.fromEntries(labelKeys[i].map((k) => [wellFormed(k), wellFormed(s.key.labels[k])]))))),
      listParam(batch.map((s) => s.meta?.name ?? seriesDisplayName(s.key))),
      listValue(batch.map((s) => s.meta?.unit ?? null)),
      listValue(batch.map((s) => s.meta?.capacity ?? null)),
      listValue(batch.map((s) => s.meta?.description ?? null)),
      Math.round(nowMs),
    ],
  );
}
