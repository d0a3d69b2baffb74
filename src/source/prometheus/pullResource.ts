import { createHash } from 'node:crypto';
import { SourceError } from '../../errors.js';
import type { ResourceConfig, SourceConfig } from '../SourceConfig.js';
import type { Store } from '../../store/Store.js';
import type { SeriesSamples } from '../../store/writeSamples.js';
import { seriesId } from '../../store/seriesId.js';
import { inShard, type Shard } from '../../shard.js';
import { mapInOrder } from './mapInOrder.js';
import type { RangeResult } from './matrix.js';
import { groupQuery, peakQuery } from './peakQuery.js';
import type { PromClient } from './PromClient.js';
import { Semaphore } from './Semaphore.js';
import { alignRange, fetchWindow, splitRange, windowProducer, WindowSizer, type Window } from './splitRange.js';
import { chooseMaxSourceResolution } from './thanosResolution.js';

/** Default late-data window: see `PullResourceOptions.lateWindowMs`. */
export const DEFAULT_LATE_WINDOW_MS = 7 * 24 * 3_600_000;

/** The metric names series are stored under; labels tell series of one resource apart. */
export const USAGE_METRIC = 'usage';
export const CAPACITY_METRIC = 'capacity';

export interface PullResourceOptions {
  readonly client: PromClient;
  readonly source: SourceConfig;
  /** The pull's end (ms UTC), floored to the step; injected so tests pin the clock. */
  readonly nowMs?: number;
  /** Steps re-read before each series' newest sample, so the last, possibly incomplete, steps are refreshed. Default 2. */
  readonly overlapSteps?: number;
  /** Ignore what is stored and re-read the whole lookback, refreshing every value the server now answers differently. */
  readonly full?: boolean;
  /**
   * How far behind the pull's end a series' newest sample may be for the pull's range to reach back to it (default
   * 7 days): late data within it is fetched by every pull. A series further behind is resumed only when the answer
   * shows it again.
   */
  readonly lateWindowMs?: number;
  /** Shared by everything pulled from this source, bounding its requests in flight. */
  readonly semaphore?: Semaphore;
  /** Shared by concurrent pulls into one store: a DuckDB connection runs one transaction at a time. */
  readonly storeLock?: Semaphore;
  /** Keep only this host's slice of the fleet (stable hash of the series id); all when absent. */
  readonly shard?: Shard;
  readonly maxHalvings?: number;
  readonly onProgress?: (event: PullProgress) => void;
  /**
   * Called per range of a query before its first request, with how many windows it will take at the source's
   * maxPoints; called again with the change when the window size changes: the server refused a size, or the
   * answers' series count set a smaller one (see `TARGET_SAMPLES_PER_REQUEST`).
   */
  readonly onPlanned?: (event: PullPlanned) => void;
}

export interface PullProgress {
  readonly resource: string;
  readonly metric: string;
  readonly window: Window;
  readonly windowIndex: number;
  readonly windowCount: number;
  readonly inserted: number;
  /** Series and points the server returned for this window. */
  readonly series: number;
  readonly points: number;
  /** HTTP requests this window took (more than one when the server made it halve). */
  readonly requests: number;
}

export interface PullPlanned {
  readonly resource: string;
  readonly metric: string;
  readonly query: string;
  readonly windowCount: number;
  readonly points: number;
}

/**
 * A query of a pull failed at its source: the source's error (status and
 * server message kept) with the resource and the PromQL that was sent, so a
 * message can show both.
 */
export class PullQueryError extends SourceError {
  constructor(
    readonly resource: string,
    readonly query: string,
    readonly sourceError: SourceError,
  ) {
    super(sourceError.message, sourceError.status, sourceError.serverMessage, { cause: sourceError });
  }
}

export interface PullSummary {
  readonly pullId: number;
  readonly resource: string;
  readonly status: 'ok' | 'partial';
  /** Distinct series written (usage and capacity). */
  readonly series: number;
  readonly inserted: number;
  /** Stored values the server now answers differently, replaced by its answer. */
  readonly updated: number;
  /** Re-read values already stored as they are. */
  readonly existing: number;
  /** NaN/±Inf (stale or missing) points the server returned, not stored. */
  readonly dropped: number;
  /** Series whose history was read further back than the pull's range (new to the query, or back after a gap). */
  readonly backfilled: number;
  /** True when the queries differ from the previous pull's, so every series was re-read over the whole lookback. */
  readonly queryChanged: boolean;
  readonly warnings: readonly string[];
}

interface QueryPlan {
  readonly metric: string;
  readonly query: string;
  /** The range every series of the query is asked for; null when empty. */
  readonly window: { startMs: number; endMs: number } | null;
  /** Where each stored series resumes (ms, step-aligned); a series not listed is new to the query and resumes at `fullStartMs`. */
  readonly resumeFrom: ReadonlyMap<string, number>;
  readonly fullStartMs: number;
}

/**
 * Pulls one resource into the store as one recorded pull.
 *
 * Incremental per series: every series resumes from its own newest sample
 * minus a small overlap, so one whose data arrived late is not skipped past.
 * The pull asks for the range its active series need (those with a sample
 * in the late-data window); a series that the answer shows but whose
 * history starts before that range — new to the query (a widened selector, a
 * new host with history) or back after a gap — has the missing span fetched
 * too, before any of its samples are stored. A changed query (its hash is
 * recorded on every pull) re-reads the whole lookback for every series.
 *
 * The overlap refreshes: a re-read step whose value the server now answers
 * differently (a later peak, a completed partial response) is updated.
 * Idempotent: re-reads land on step-aligned timestamps already stored.
 * Resumable: windows are committed one by one, oldest first, so a killed
 * pull leaves whole windows behind and the next pull resumes after them.
 * Server warnings (Thanos partial responses) are kept and mark the pull partial.
 */
export async function pullResource(store: Store, resource: ResourceConfig, options: PullResourceOptions): Promise<PullSummary> {
  const { client, source } = options;
  const lock = options.storeLock ?? new Semaphore(1);
  const semaphore = options.semaphore ?? new Semaphore(source.concurrency);
  const step = resource.stepMs;
  const endMs = Math.floor((options.nowMs ?? Date.now()) / step) * step;
  const overlapMs = (options.overlapSteps ?? 2) * step;
  const shard = options.shard;

  const queries: { metric: string; query: string }[] = [
    { metric: USAGE_METRIC, query: peakQuery(groupQuery(resource.usage, resource.groupBy), resource.aggregate, step) },
  ];
  if (resource.capacity && 'query' in resource.capacity) {
    queries.push({ metric: CAPACITY_METRIC, query: peakQuery(groupQuery(resource.capacity.query, resource.groupBy), resource.aggregate, step) });
  }
  const constantCapacity = resource.capacity && 'value' in resource.capacity ? resource.capacity.value : null;
  const resolution = source.thanos ? (source.thanos.maxSourceResolution ?? chooseMaxSourceResolution(step)) : 'raw';
  const queryHash = hashQueries(queries, step, resolution, source);

  let queryChanged = false;
  const plans: QueryPlan[] = await lock.run(async () => {
    await store.upsertResource({ resource: resource.name, unit: resource.unit, direction: resource.direction, description: resource.description });
    // A pull that finished with other queries means the stored values answer another question: re-read everything.
    const finished = await store.latestPull(resource.name, { finished: true });
    queryChanged = finished !== null && finished.queryHash !== null && finished.queryHash !== queryHash;
    // Series with a sample in the late-data window are active: the range reaches back to the oldest of their resume points.
    // Older ones (ended, or far behind) do not hold every pull back; when they reappear they bring their own span.
    // After a pull that failed or was killed, every series it reached is active too, so the next pull finishes its range
    // even where the data is older than the window (a first pull of a long history, killed halfway).
    const latest = await store.latestPull(resource.name);
    const interrupted = latest !== null && latest.status !== 'ok' && latest.status !== 'partial' ? (latest.rangeStartMs ?? -Infinity) : Infinity;
    const activeSince = Math.min(endMs - (options.lateWindowMs ?? DEFAULT_LATE_WINDOW_MS), interrupted);
    const fullStart = Math.ceil((endMs - resource.lookbackMs) / step) * step;
    const out: QueryPlan[] = [];
    for (const q of queries) {
      const resumeFrom = new Map<string, number>();
      let start = fullStart;
      if (!options.full && !queryChanged) {
        const extents = await store.seriesExtents(resource.name, q.metric);
        let activeStart = Infinity;
        for (const [id, last] of extents) {
          if (last === null) continue;
          const from = Math.max(fullStart, Math.ceil((last - overlapMs) / step) * step);
          resumeFrom.set(id, from);
          if (last >= activeSince) activeStart = Math.min(activeStart, from);
        }
        // Nothing stored: the whole lookback. Nothing active: only the overlap, and any series that shows up brings its own span.
        start = extents.size === 0 ? fullStart : Number.isFinite(activeStart) ? activeStart : Math.max(fullStart, endMs - overlapMs);
      }
      out.push({ ...q, window: alignRange(start, endMs, step), resumeFrom, fullStartMs: fullStart });
    }
    return out;
  });

  const starts = plans.flatMap((p) => (p.window ? [p.window.startMs] : []));
  const pullId = await lock.run(() =>
    store.beginPull({
      source: source.name,
      resource: resource.name,
      query: plans.map((p) => p.query).join('\n'),
      rangeStartMs: starts.length ? Math.min(...starts) : endMs,
      rangeEndMs: endMs,
      stepMs: step,
      resolution,
      queryHash,
    }),
  );

  const warnings: string[] = [];
  const seriesIds = new Set<string>();
  const totals = { inserted: 0, updated: 0, existing: 0, dropped: 0 };
  let backfilled = 0;
  let current: string | null = null;

  // One writer for the whole pull: it learns each series' stored extent once, not once per window.
  const writer = store.sampleWriter(pullId);
  const write = async (batch: SeriesSamples[]): Promise<number> => {
    if (batch.length === 0) return 0;
    const r = await lock.run(() => writer.write(batch));
    totals.inserted += r.inserted;
    totals.updated += r.updated;
    totals.existing += r.existing;
    totals.dropped += r.nonFinite;
    for (const id of r.seriesIds) seriesIds.add(id);
    return r.inserted;
  };

  /** Fetches [start, end] window by window (sized as the server allows), handing each answer's in-shard series to `consume` oldest first. */
  const fetchRange = async (
    p: QueryPlan,
    range: { startMs: number; endMs: number },
    consume: (batch: SeriesSamples[], result: RangeResult, w: Window, i: number, windowCount: number) => Promise<number>,
  ) => {
    const sizer = new WindowSizer(source.maxPoints);
    let planned = splitRange(range.startMs, range.endMs, step, source.maxPoints).length;
    options.onPlanned?.({ resource: resource.name, metric: p.metric, query: p.query, windowCount: planned, points: (range.endMs - range.startMs) / step + 1 });
    const next = windowProducer(range.startMs, range.endMs, step, sizer);
    const requests = new Map<number, number>();
    await mapInOrder(
      next,
      source.concurrency,
      (w, i) =>
        fetchWindow(
          (x) =>
            semaphore.run(async () => {
              requests.set(i, (requests.get(i) ?? 0) + 1);
              const result = await client.queryRange({ query: p.query, startMs: x.startMs, endMs: x.endMs, stepMs: step });
              // Windows not cut yet hold at most the sample target for this many series.
              sizer.observed(result.series.length);
              return result;
            }),
          w,
          step,
          options.maxHalvings,
          sizer,
        ),
      async (result, w, i) => {
        for (const text of result.warnings) if (!warnings.includes(text)) warnings.push(text);
        const all = toSamples(result, resource, p.metric, constantCapacity);
        const batch = shard ? all.filter((b) => inShard(seriesId(b.key), shard)) : all;
        // Windows now left at the learnt size, for the progress total: it changes when the server made the size shrink
        // or the answers' series count set a new one.
        const estimate = i + 1 + Math.ceil(Math.max(0, (range.endMs - w.endMs) / step) / sizer.points);
        if (estimate !== planned) {
          options.onPlanned?.({ resource: resource.name, metric: p.metric, query: p.query, windowCount: estimate - planned, points: 0 });
          planned = estimate;
        }
        const added = await consume(batch, result, w, i, planned);
        let points = 0;
        for (const x of result.series) points += x.timestamps.length;
        options.onProgress?.({
          resource: resource.name,
          metric: p.metric,
          window: w,
          windowIndex: i,
          windowCount: planned,
          inserted: added,
          series: result.series.length,
          points,
          requests: requests.get(i) ?? 1,
        });
        requests.delete(i);
      },
    );
  };

  try {
    for (const p of plans) {
      if (!p.window) continue;
      current = p.query;
      const rangeStart = p.window.startMs;
      // Series whose own resume point lies before this range: held back (not stored) until their earlier span is fetched,
      // so a pull killed in between leaves them as they were and the next pull fetches that span again.
      const behind = new Map<string, { from: number; held: SeriesSamples[] }>();
      await fetchRange(p, p.window, async (batch) => {
        const now: SeriesSamples[] = [];
        for (const b of batch) {
          const id = seriesId(b.key);
          const from = p.resumeFrom.get(id) ?? p.fullStartMs;
          if (from < rangeStart) {
            const entry = behind.get(id) ?? { from, held: [] };
            entry.held.push(b);
            behind.set(id, entry);
          } else now.push(b);
        }
        return write(now);
      });
      if (behind.size === 0) continue;
      backfilled += behind.size;
      const from = Math.min(...[...behind.values()].map((b) => b.from));
      await fetchRange(p, { startMs: from, endMs: rangeStart - step }, async (batch) =>
        write(
          batch.flatMap((b) => {
            const entry = behind.get(seriesId(b.key));
            return entry ? [trimBefore(b, entry.from)] : [];
          }),
        ),
      );
      await write([...behind.values()].flatMap((b) => b.held));
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await lock.run(async () => {
      await writer.close();
      await store.finishPull(pullId, {
        status: 'failed',
        warnings,
        seriesCount: seriesIds.size,
        sampleCount: totals.inserted,
        updatedCount: totals.updated,
        droppedCount: totals.dropped,
        error: message,
      });
    });
    if (err instanceof SourceError && !(err instanceof PullQueryError) && current !== null) throw new PullQueryError(resource.name, current, err);
    throw err;
  }
  const status = warnings.length > 0 ? 'partial' : 'ok';
  await lock.run(async () => {
    await writer.close();
    await store.finishPull(pullId, {
      status,
      warnings,
      seriesCount: seriesIds.size,
      sampleCount: totals.inserted,
      updatedCount: totals.updated,
      droppedCount: totals.dropped,
    });
  });
  return { pullId, resource: resource.name, status, series: seriesIds.size, ...totals, backfilled, queryChanged, warnings };
}

/**
 * What a pull asks, as a short stable hash: the PromQL of each query, the
 * step and the parameters that change the values answered (resolution,
 * Thanos dedup and replica labels). Concurrency, limits and credentials are
 * not part of it: they change how, not what.
 */
export function hashQueries(queries: readonly { metric: string; query: string }[], stepMs: number, resolution: string, source: SourceConfig): string {
  const asked = {
    queries: queries.map((q) => [q.metric, q.query]),
    stepMs,
    resolution,
    dedup: source.thanos?.dedup ?? null,
    replicaLabels: source.thanos?.replicaLabels ?? null,
  };
  return createHash('sha256').update(JSON.stringify(asked)).digest('hex').slice(0, 16);
}

/** The samples at or after `fromMs`. */
function trimBefore(s: SeriesSamples, fromMs: number): SeriesSamples {
  let k = 0;
  while (k < s.timestamps.length && s.timestamps[k] < fromMs) k++;
  return k === 0 ? s : { ...s, timestamps: s.timestamps.subarray(k), values: s.values.subarray(k) };
}

function toSamples(result: RangeResult, resource: ResourceConfig, metric: string, capacity: number | null): SeriesSamples[] {
  return result.series.map((s) => {
    // __name__ goes: the peak functions drop it anyway, and keeping it would make a series' identity depend on the aggregate.
    const labels = Object.fromEntries(Object.entries(s.labels).filter(([k]) => k !== '__name__'));
    return {
      key: { resource: resource.name, metric, labels },
      resolutionS: resource.stepMs / 1000,
      timestamps: s.timestamps,
      values: s.values,
      meta: {
        unit: resource.unit ?? undefined,
        description: resource.description ?? undefined,
        capacity: metric === USAGE_METRIC ? capacity : null,
      },
    };
  });
}
