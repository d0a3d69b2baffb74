import { SourceError } from '../../errors.js';
import type { ResourceConfig, SourceConfig } from '../../plan/Plan.js';
import type { Store } from '../../store/Store.js';
import type { SeriesSamples } from '../../store/writeSamples.js';
import { seriesId } from '../../store/seriesId.js';
import { inShard, type Shard } from '../../shard.js';
import { mapInOrder } from './mapInOrder.js';
import type { RangeResult } from './matrix.js';
import { groupQuery, peakQuery } from './peakQuery.js';
import type { PromClient } from './PromClient.js';
import { Semaphore } from './Semaphore.js';
import { alignRange, fetchWindow, splitRange, type Window } from './splitRange.js';
import { chooseMaxSourceResolution } from './thanosResolution.js';

/** The metric names series are stored under; labels tell series of one resource apart. */
export const USAGE_METRIC = 'usage';
export const CAPACITY_METRIC = 'capacity';

export interface PullResourceOptions {
  readonly client: PromClient;
  readonly source: SourceConfig;
  /** The pull's end (ms UTC), floored to the step; injected so tests pin the clock. */
  readonly nowMs?: number;
  /** Steps re-pulled before the stored extent, so the last, possibly incomplete, steps are refreshed. Default 2. */
  readonly overlapSteps?: number;
  /** Ignore what is stored and pull the whole lookback (still idempotent). */
  readonly full?: boolean;
  /** Shared by everything pulled from this source, bounding its requests in flight. */
  readonly semaphore?: Semaphore;
  /** Shared by concurrent pulls into one store: a DuckDB connection runs one transaction at a time. */
  readonly storeLock?: Semaphore;
  /** Keep only this host's slice of the fleet (stable hash of the series id); all when absent. */
  readonly shard?: Shard;
  readonly maxHalvings?: number;
  readonly onProgress?: (event: PullProgress) => void;
  /** Called once per query before its first request, with how many windows it will take (before any halving). */
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
  readonly existing: number;
  readonly warnings: readonly string[];
}

interface QueryPlan {
  readonly metric: string;
  readonly query: string;
  readonly window: { startMs: number; endMs: number } | null;
}

/**
 * Pulls one resource into the store as one recorded pull.
 *
 * Incremental: each query starts at its series' stored extent minus a small
 * overlap (the whole lookback for a new resource). Idempotent: overlap lands
 * on step-aligned timestamps already stored, which `writeSamples` skips.
 * Resumable: windows are committed one by one, oldest first, so a killed
 * pull leaves whole windows behind and the next pull starts where they end.
 * Server warnings (Thanos partial responses) are kept and mark the pull partial.
 */
export async function pullResource(store: Store, resource: ResourceConfig, options: PullResourceOptions): Promise<PullSummary> {
  const { client, source } = options;
  const lock = options.storeLock ?? new Semaphore(1);
  const semaphore = options.semaphore ?? new Semaphore(source.concurrency);
  const step = resource.stepMs;
  const endMs = Math.floor((options.nowMs ?? Date.now()) / step) * step;
  const overlapMs = (options.overlapSteps ?? 2) * step;

  const queries: { metric: string; query: string }[] = [
    { metric: USAGE_METRIC, query: peakQuery(groupQuery(resource.usage, resource.groupBy), resource.aggregate, step) },
  ];
  if (resource.capacity && 'query' in resource.capacity) {
    queries.push({ metric: CAPACITY_METRIC, query: peakQuery(groupQuery(resource.capacity.query, resource.groupBy), resource.aggregate, step) });
  }
  const constantCapacity = resource.capacity && 'value' in resource.capacity ? resource.capacity.value : null;

  const plans: QueryPlan[] = await lock.run(async () => {
    await store.upsertResource({ resource: resource.name, unit: resource.unit, direction: resource.direction, description: resource.description });
    const out: QueryPlan[] = [];
    for (const q of queries) {
      const last = options.full ? null : await storedExtent(store, resource.name, q.metric);
      const fullStart = endMs - resource.lookbackMs;
      const start = last === null ? fullStart : Math.max(fullStart, last - overlapMs);
      out.push({ ...q, window: alignRange(start, endMs, step) });
    }
    return out;
  });

  const starts = plans.flatMap((p) => (p.window ? [p.window.startMs] : []));
  const resolution = source.thanos ? (source.thanos.maxSourceResolution ?? chooseMaxSourceResolution(step)) : 'raw';
  const pullId = await lock.run(() =>
    store.beginPull({
      source: source.name,
      resource: resource.name,
      query: plans.map((p) => p.query).join('\n'),
      rangeStartMs: starts.length ? Math.min(...starts) : endMs,
      rangeEndMs: endMs,
      stepMs: step,
      resolution,
    }),
  );

  const warnings: string[] = [];
  const seriesIds = new Set<string>();
  let inserted = 0;
  let existing = 0;
  let current: string | null = null;
  try {
    for (const p of plans) {
      if (!p.window) continue;
      current = p.query;
      const windows = splitRange(p.window.startMs, p.window.endMs, step, source.maxPoints);
      options.onPlanned?.({
        resource: resource.name,
        metric: p.metric,
        query: p.query,
        windowCount: windows.length,
        points: windows.reduce((n, w) => n + w.points, 0),
      });
      const requests = new Map<number, number>();
      await mapInOrder(
        windows,
        source.concurrency,
        (w, i) =>
          fetchWindow(
            (x) =>
              semaphore.run(() => {
                requests.set(i, (requests.get(i) ?? 0) + 1);
                return client.queryRange({ query: p.query, startMs: x.startMs, endMs: x.endMs, stepMs: step });
              }),
            w,
            step,
            options.maxHalvings,
          ),
        async (result, w, i) => {
          for (const text of result.warnings) if (!warnings.includes(text)) warnings.push(text);
          const all = toSamples(result, resource, p.metric, constantCapacity);
          const shard = options.shard;
          const batch = shard ? all.filter((b) => inShard(seriesId(b.key), shard)) : all;
          let added = 0;
          if (batch.length > 0) {
            const r = await lock.run(() => store.writeSamples(pullId, batch));
            added = r.inserted;
            inserted += r.inserted;
            existing += r.existing;
            for (const id of r.seriesIds) seriesIds.add(id);
          }
          let points = 0;
          for (const x of result.series) points += x.timestamps.length;
          options.onProgress?.({
            resource: resource.name,
            metric: p.metric,
            window: w,
            windowIndex: i,
            windowCount: windows.length,
            inserted: added,
            series: result.series.length,
            points,
            requests: requests.get(i) ?? 1,
          });
          requests.delete(i);
        },
      );
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await lock.run(() =>
      store.finishPull(pullId, { status: 'failed', warnings, seriesCount: seriesIds.size, sampleCount: inserted, error: message }),
    );
    if (err instanceof SourceError && !(err instanceof PullQueryError) && current !== null) throw new PullQueryError(resource.name, current, err);
    throw err;
  }
  const status = warnings.length > 0 ? 'partial' : 'ok';
  await lock.run(() => store.finishPull(pullId, { status, warnings, seriesCount: seriesIds.size, sampleCount: inserted }));
  return { pullId, resource: resource.name, status, series: seriesIds.size, inserted, existing, warnings };
}

/** The newest stored timestamp (ms) among the resource's series of this metric, or null when none. */
async function storedExtent(store: Store, resource: string, metric: string): Promise<number | null> {
  const reader = await store.connection.runAndReadAll(
    `SELECT epoch_ms(max(last_ts))::DOUBLE AS last FROM series WHERE resource = $1 AND metric = $2`,
    [resource, metric],
  );
  const last = reader.getRowObjectsJS()[0]?.last;
  return last === null || last === undefined ? null : Number(last);
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
