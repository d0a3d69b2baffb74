import { DOUBLE, DuckDBDataChunk, INTEGER, listValue, type DuckDBConnection } from '@duckdb/node-api';
import { seriesDisplayName, seriesId, type SeriesKey } from './seriesId.js';
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
  /** Samples already stored for the same series and timestamp (or repeated in the batch), left as they were. */
  readonly existing: number;
  /** NaN and ±Inf samples, which are not stored (they mark no data, not a value). */
  readonly nonFinite: number;
  readonly seriesIds: readonly string[];
}

const CHUNK_ROWS = 2048;

/**
 * Stores a batch of samples atomically and idempotently: the batch lands whole
 * or not at all, and a (series, timestamp) already stored is never duplicated
 * nor overwritten, so re-pulling an overlapping range is always safe.
 *
 * Speed comes from not comparing against history when there is nothing to
 * compare: each series keeps its stored extent (`series.last_ts`), samples
 * after it are appended directly, and only the overlap is anti-joined.
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

  // Rows after a series' stored extent go to one staging table, rows at or before it to another.
  await connection.run(`CREATE OR REPLACE TEMP TABLE staging_new (series_idx INTEGER, ts_ms DOUBLE, value DOUBLE, resolution_s INTEGER)`);
  await connection.run(`CREATE OR REPLACE TEMP TABLE staging_overlap (series_idx INTEGER, ts_ms DOUBLE, value DOUBLE, resolution_s INTEGER)`);
  const fresh = await stage(connection, 'staging_new', clean, batch, (i, t) => lastStored[i] === null || t > (lastStored[i] as number));
  const overlap = await stage(connection, 'staging_overlap', clean, batch, (i, t) => lastStored[i] !== null && t <= (lastStored[i] as number));

  await connection.run('BEGIN TRANSACTION');
  try {
    await upsertSeries(connection, ids, batch, nowMs);
    await connection.run(`CREATE OR REPLACE TEMP TABLE staging_series (series_idx INTEGER, series_id VARCHAR)`);
    if (ids.length > 0) {
      await connection.run(`INSERT INTO staging_series SELECT unnest($1::INTEGER[]), unnest($2::VARCHAR[])`, [
        listParam(ids.map((_, i) => i)),
        listParam(ids),
      ]);
    }
    let inserted = 0;
    if (fresh > 0) {
      const r = await connection.run(
        `INSERT INTO samples (series_id, ts, value, resolution_s, pull_id)
         SELECT ss.series_id, epoch_ms(st.ts_ms::BIGINT)::TIMESTAMPTZ, st.value, st.resolution_s, $1
         FROM staging_new st JOIN staging_series ss USING (series_idx)`,
        [pullId],
      );
      inserted += Number(r.rowsChanged);
    }
    if (overlap > 0) {
      const r = await connection.run(
        `INSERT INTO samples (series_id, ts, value, resolution_s, pull_id)
         SELECT n.series_id, n.ts, n.value, n.resolution_s, $1
         FROM (SELECT ss.series_id, epoch_ms(st.ts_ms::BIGINT)::TIMESTAMPTZ AS ts, st.value, st.resolution_s
               FROM staging_overlap st JOIN staging_series ss USING (series_idx)) n
         ANTI JOIN (
           SELECT series_id, ts FROM samples
           WHERE series_id IN (SELECT DISTINCT ss.series_id FROM staging_overlap JOIN staging_series ss USING (series_idx))
             AND ts BETWEEN (SELECT epoch_ms(min(ts_ms)::BIGINT)::TIMESTAMPTZ FROM staging_overlap)
                        AND (SELECT epoch_ms(max(ts_ms)::BIGINT)::TIMESTAMPTZ FROM staging_overlap)
         ) e ON e.series_id = n.series_id AND e.ts = n.ts`,
        [pullId],
      );
      inserted += Number(r.rowsChanged);
    }
    await updateExtents(connection, ids, clean);
    await connection.run('COMMIT');
    return { inserted, existing: fresh + overlap - inserted + repeated, nonFinite, seriesIds: ids };
  } catch (err) {
    await connection.run('ROLLBACK');
    throw err;
  } finally {
    await connection.run('DROP TABLE IF EXISTS temp.staging_new');
    await connection.run('DROP TABLE IF EXISTS temp.staging_overlap');
  }
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

/** Appends the rows `select` accepts to a staging table through DataChunks; returns how many. */
async function stage(
  connection: DuckDBConnection,
  table: string,
  clean: readonly CleanSeries[],
  batch: readonly SeriesSamples[],
  select: (seriesIdx: number, tsMs: number) => boolean,
): Promise<number> {
  const appender = await connection.createAppender(table, 'main', 'temp');
  let staged = 0;
  try {
    const idx: number[] = new Array(CHUNK_ROWS);
    const ts: number[] = new Array(CHUNK_ROWS);
    const vs: number[] = new Array(CHUNK_ROWS);
    const res: number[] = new Array(CHUNK_ROWS);
    let fill = 0;
    const flush = () => {
      if (fill === 0) return;
      const chunk = DuckDBDataChunk.create([INTEGER, DOUBLE, DOUBLE, INTEGER], fill);
      chunk.setColumns(fill === CHUNK_ROWS ? [idx, ts, vs, res] : [idx.slice(0, fill), ts.slice(0, fill), vs.slice(0, fill), res.slice(0, fill)]);
      appender.appendDataChunk(chunk);
      staged += fill;
      fill = 0;
    };
    for (let i = 0; i < batch.length; i++) {
      const { timestamps, values, resolutionS } = batch[i];
      const { order, count } = clean[i];
      for (let j = 0; j < count; j++) {
        const k = order === null ? j : order[j];
        const t = Math.round(timestamps[k]);
        if (!select(i, t)) continue;
        idx[fill] = i;
        ts[fill] = t;
        vs[fill] = values[k];
        res[fill] = resolutionS;
        if (++fill === CHUNK_ROWS) flush();
      }
    }
    flush();
  } finally {
    appender.closeSync();
  }
  return staged;
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
     SELECT DISTINCT ON (id) id, resource, metric, map(k, v), name, unit, capacity, description, epoch_ms($10::BIGINT)::TIMESTAMPTZ
     FROM (SELECT unnest($1::VARCHAR[]) AS id, unnest($2::VARCHAR[]) AS resource, unnest($3::VARCHAR[]) AS metric,
                  unnest($4::VARCHAR[][]) AS k, unnest($5::VARCHAR[][]) AS v, unnest($6::VARCHAR[]) AS name,
                  unnest($7::VARCHAR[]) AS unit, unnest($8::DOUBLE[]) AS capacity, unnest($9::VARCHAR[]) AS description)
     ON CONFLICT (series_id) DO NOTHING`,
    [
      listParam(ids),
      listParam(batch.map((s) => s.key.resource)),
      listParam(batch.map((s) => s.key.metric)),
      listValue(labelKeys.map((keys) => listValue(keys))),
      listValue(batch.map((s, i) => listValue(labelKeys[i].map((k) => s.key.labels[k])))),
      listParam(batch.map((s) => s.meta?.name ?? seriesDisplayName(s.key))),
      listValue(batch.map((s) => s.meta?.unit ?? null)),
      listValue(batch.map((s) => s.meta?.capacity ?? null)),
      listValue(batch.map((s) => s.meta?.description ?? null)),
      Math.round(nowMs),
    ],
  );
}
