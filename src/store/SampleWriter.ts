import { DOUBLE, DuckDBDataChunk, INTEGER, listValue, type DuckDBConnection } from '@duckdb/node-api';
import { seriesDisplayName, seriesId, wellFormed } from './seriesId.js';
import { listParam } from './sqlValues.js';
import type { SeriesSamples, WriteResult } from './writeSamples.js';

/** DuckDB's vector size: a DataChunk holds at most this many rows. */
const CHUNK_ROWS = 2048;
const STAGING_TYPES = [INTEGER, DOUBLE, DOUBLE];

/**
 * What node-api's INTEGER and DOUBLE vectors are inside: a typed array over
 * the chunk's rows, copied into DuckDB by `flush`. Writing it in bulk
 * (`set`, `fill`) costs one copy per run of rows instead of a call per value;
 * `items` is not in node-api's public typings, hence this view.
 */
interface NumberVector<A extends Int32Array | Float64Array> {
  readonly items: A;
  flush(): void;
}

/** Staging tables of writers alive at once on one connection (pulls of several resources) must not collide. */
let writers = 0;

/**
 * Writes batches of samples for one pull, each batch atomically and
 * idempotently: it lands whole or not at all, and a (series, timestamp)
 * already stored is never duplicated. A stored sample whose value a batch
 * changes is updated in place (the source is the truth: a later peak, a
 * completed partial response), so re-pulling an overlapping range is always
 * safe and always current.
 *
 * Speed comes from not comparing against history when there is nothing to
 * compare: each series keeps its stored extent (`series.last_ts`), samples
 * after it are appended directly, and only the overlap is joined with what is
 * stored, within its time span. Rows are staged once, copied column by column
 * in bulk into DataChunks, and the split between new and overlapping rows is
 * made in SQL, not in JS.
 *
 * A writer lives as long as its pull: it reads a series' stored extent and
 * inserts its `series` row the first time the series appears, then keeps the
 * extent itself (updated only after a commit), so a pull of many windows pays
 * those per-series statements once, not once per window. It must be the only
 * writer of its series while it is open (a pull holds the store's lock).
 */
export class SampleWriter {
  /** Series this writer knows are stored, with their newest stored sample (ms; null when none). */
  private readonly known = new Map<string, number | null>();
  private readonly staging = `capplan_staging_${++writers}`;
  private stagingCreated = false;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly pullId: number,
    private readonly now: () => number,
  ) {}

  /** Stores one batch; see the class comment for what is guaranteed. */
  async write(batch: readonly SeriesSamples[]): Promise<WriteResult> {
    const connection = this.connection;
    const ids = batch.map((s) => seriesId(s.key));
    // Checked before anything is learnt from the store: a malformed batch leaves the writer as it was.
    const clean = batch.map((s, i) => dedupeSorted(s, ids[i]));
    const fresh = await this.lastStored(ids);
    const lastStored = ids.map((id) => this.known.get(id) ?? null);
    const nonFinite = clean.reduce((a, c) => a + c.nonFinite, 0);
    const repeated = clean.reduce((a, c) => a + c.repeated, 0);
    let after = 0;
    let overlap = 0;
    clean.forEach((c, i) => {
      const n = countAfter(batch[i].timestamps, c, lastStored[i]);
      after += n;
      overlap += c.count - n;
    });

    const staged = after + overlap > 0;
    const staging = `temp.${this.staging}`;
    let begun = false;
    try {
      if (staged) await this.stage(clean, batch);
      await connection.run('BEGIN TRANSACTION');
      begun = true;
      if (fresh.size > 0) await upsertSeries(connection, ids, batch, fresh, this.now());
      // Per series: its index, id, resolution and stored extent, as list parameters unnested in place (no second temp table).
      const seriesParams = [listParam(ids.map((_, i) => i)), listParam(ids), listParam(batch.map((s) => s.resolutionS)), listValue(lastStored)];
      // The four lists bound from parameter $k on.
      const seriesTableAt = (k: number) => `(SELECT unnest($${k}::INTEGER[]) AS series_idx, unnest($${k + 1}::VARCHAR[]) AS series_id,
                                 unnest($${k + 2}::INTEGER[]) AS resolution_s, unnest($${k + 3}::DOUBLE[]) AS last_ms)`;
      let inserted = 0;
      if (after > 0) {
        // make_timestamptz(µs) is several times cheaper than epoch_ms(ms) on DuckDB 1.x.
        const r = await connection.run(
          `INSERT INTO samples (series_id, ts, value, resolution_s, pull_id)
           SELECT ss.series_id, make_timestamptz(round(st.ts_ms)::BIGINT * 1000), st.value, ss.resolution_s, $1
           FROM ${staging} st JOIN ${seriesTableAt(2)} ss USING (series_idx)
           WHERE ss.last_ms IS NULL OR round(st.ts_ms) > ss.last_ms`,
          [this.pullId, ...seriesParams],
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
                 FROM ${staging} st JOIN ${seriesTableAt(1)} ss USING (series_idx)
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
            [this.pullId, span.lo, span.hi],
          );
          updated = Number(r.rowsChanged);
        }
        if (missing > 0) {
          const r = await connection.run(
            `INSERT INTO samples (series_id, ts, value, resolution_s, pull_id)
             SELECT series_id, ts, value, resolution_s, $1 FROM staging_overlap WHERE stored IS NULL`,
            [this.pullId],
          );
          inserted += Number(r.rowsChanged);
        }
      }
      await updateExtents(connection, ids, clean);
      await connection.run('COMMIT');
      // Only what is committed is remembered: after a rollback the next batch reads the store again.
      ids.forEach((id, i) => {
        const hi = Number.isFinite(clean[i].maxMs) ? Math.round(clean[i].maxMs) : null;
        const last = this.known.get(id) ?? null;
        this.known.set(id, hi === null ? last : last === null ? hi : Math.max(last, hi));
      });
      return { inserted, updated, existing: after + overlap - inserted - updated + repeated, nonFinite, seriesIds: ids };
    } catch (err) {
      if (begun) await connection.run('ROLLBACK');
      for (const id of fresh) this.known.delete(id);
      throw err;
    } finally {
      if (staged) await connection.run(`TRUNCATE ${staging}`);
      if (overlap > 0) await connection.run('DROP TABLE IF EXISTS temp.staging_overlap');
    }
  }

  /** Drops the staging table; the writer must not be used afterwards. */
  async close(): Promise<void> {
    if (this.stagingCreated) await this.connection.run(`DROP TABLE IF EXISTS temp.${this.staging}`);
    this.stagingCreated = false;
  }

  /**
   * Learns the stored extent of every id not seen before from `series`, and
   * returns the ids that have no `series` row yet (remembered as known with no
   * samples: their row is inserted by this batch; forgotten again on rollback).
   */
  private async lastStored(ids: readonly string[]): Promise<Set<string>> {
    const unknown = [...new Set(ids.filter((id) => !this.known.has(id)))];
    const fresh = new Set<string>();
    if (unknown.length === 0) return fresh;
    const reader = await this.connection.runAndReadAll(
      `SELECT series_id, epoch_ms(last_ts)::DOUBLE AS last FROM series WHERE list_contains($1::VARCHAR[], series_id)`,
      [listParam(unknown)],
    );
    const found = new Map(reader.getRowObjectsJS().map((r) => [String(r.series_id), r.last === null ? null : Number(r.last)]));
    for (const id of unknown) {
      if (!found.has(id)) fresh.add(id);
      this.known.set(id, found.get(id) ?? null);
    }
    return fresh;
  }

  /**
   * Appends every clean sample to the staging table through one reused
   * DataChunk, column by column: in-order runs are copied as whole typed-array
   * ranges (no per-value calls), reordered series value by value.
   */
  private async stage(clean: readonly CleanSeries[], batch: readonly SeriesSamples[]): Promise<void> {
    if (!this.stagingCreated) {
      await this.connection.run(`CREATE OR REPLACE TEMP TABLE ${this.staging} (series_idx INTEGER, ts_ms DOUBLE, value DOUBLE)`);
      this.stagingCreated = true;
    }
    const appender = await this.connection.createAppender(this.staging, 'main', 'temp');
    try {
      const chunk = DuckDBDataChunk.create(STAGING_TYPES, CHUNK_ROWS);
      const idxV = chunk.getColumnVector(0) as unknown as NumberVector<Int32Array>;
      const tsV = chunk.getColumnVector(1) as unknown as NumberVector<Float64Array>;
      const valV = chunk.getColumnVector(2) as unknown as NumberVector<Float64Array>;
      let fill = 0;
      const flush = () => {
        idxV.flush();
        tsV.flush();
        valV.flush();
        // A short last chunk: the rows are written, only the count shrinks (the chunk is not reused after it).
        if (fill < CHUNK_ROWS) chunk.rowCount = fill;
        appender.appendDataChunk(chunk);
        fill = 0;
      };
      for (let i = 0; i < batch.length; i++) {
        const { timestamps, values } = batch[i];
        const { order, count } = clean[i];
        for (let j = 0; j < count; ) {
          const n = Math.min(count - j, CHUNK_ROWS - fill);
          idxV.items.fill(i, fill, fill + n);
          if (order === null) {
            tsV.items.set(timestamps.subarray(j, j + n), fill);
            valV.items.set(values.subarray(j, j + n), fill);
          } else {
            for (let r = 0; r < n; r++) {
              tsV.items[fill + r] = timestamps[order[j + r]];
              valV.items[fill + r] = values[order[j + r]];
            }
          }
          fill += n;
          j += n;
          if (fill === CHUNK_ROWS) flush();
        }
      }
      if (fill > 0) flush();
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
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

/** Inserts the series of the batch in `fresh` (not stored yet), in one statement. */
async function upsertSeries(connection: DuckDBConnection, ids: readonly string[], batch: readonly SeriesSamples[], fresh: ReadonlySet<string>, nowMs: number): Promise<void> {
  const pick = ids.flatMap((id, i) => (fresh.has(id) ? [i] : []));
  if (pick.length === 0) return;
  const sel = pick.map((i) => batch[i]);
  const labelKeys = sel.map((s) => Object.keys(s.key.labels).sort());
  await connection.run(
    `INSERT INTO series (series_id, resource, metric, labels, name, unit, capacity, description, first_seen)
     SELECT DISTINCT ON (id) id, resource, metric, CAST(labels::JSON AS MAP(VARCHAR, VARCHAR)), name, unit, capacity, description, epoch_ms($9::BIGINT)::TIMESTAMPTZ
     FROM (SELECT unnest($1::VARCHAR[]) AS id, unnest($2::VARCHAR[]) AS resource, unnest($3::VARCHAR[]) AS metric,
                  unnest($4::VARCHAR[]) AS labels, unnest($5::VARCHAR[]) AS name,
                  unnest($6::VARCHAR[]) AS unit, unnest($7::DOUBLE[]) AS capacity, unnest($8::VARCHAR[]) AS description)
     ON CONFLICT (series_id) DO NOTHING`,
    [
      listParam(pick.map((i) => ids[i])),
      listParam(sel.map((s) => s.key.resource)),
      listParam(sel.map((s) => s.key.metric)),
      // Labels travel as JSON text: a list of lists cannot be bound when a series has no labels (its type would be ANY).
      listParam(sel.map((s, i) => JSON.stringify(Object.fromEntries(labelKeys[i].map((k) => [wellFormed(k), wellFormed(s.key.labels[k])]))))),
      listParam(sel.map((s) => s.meta?.name ?? seriesDisplayName(s.key))),
      listValue(sel.map((s) => s.meta?.unit ?? null)),
      listValue(sel.map((s) => s.meta?.capacity ?? null)),
      listValue(sel.map((s) => s.meta?.description ?? null)),
      Math.round(nowMs),
    ],
  );
}
