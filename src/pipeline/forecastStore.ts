import { capacityAt, type CapacityChange } from '../forecast/capacityTimeline.js';
import { inShard, type Shard } from '../shard.js';
import { exhaustion } from '../forecast/exhaustion.js';
import { forecastFleet } from '../forecast/fleet.js';
import type { ForecastOptions, SeriesForecast } from '../forecast/forecastSeries.js';
import { recommend } from '../forecast/recommend.js';
import { applyScenario, type Scenario } from '../forecast/scenario.js';
import { usageView } from '../forecast/usageView.js';
import { planningFor, thresholdList, type PlanningSpec } from '../plan/Planning.js';
import type { ExhaustionRecord, ForecastRecord } from '../store/ForecastRecord.js';
import type { SeriesRow, Store } from '../store/Store.js';
import { usageNow, type UsageNow } from '../store/usageNow.js';

export interface ForecastStoreOptions {
  readonly asOfMs: number;
  readonly horizonMs: number;
  readonly levels: readonly number[];
  /** Fractions of capacity to date when no plan says otherwise (0.8 warn, 0.9 critical, 1 full). */
  readonly thresholds: readonly number[];
  /** Per-resource thresholds, capacity changes, lead times; defaults when absent. */
  readonly planning?: PlanningSpec | null;
  /** What-if scenarios, each stored as its own run beside the baseline. */
  readonly scenarios?: readonly Scenario[];
  readonly models?: readonly string[];
  readonly workers?: number;
  readonly resource?: string;
  /** Forecast only this host's slice of the fleet (`--shard I/N`). */
  readonly shard?: Shard;
  /** Called after each series with how many are done. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ForecastRunSummary {
  readonly runId: number;
  readonly seriesCount: number;
  readonly failedCount: number;
  readonly models: ReadonlyMap<string, number>;
  /** Scenario name → its run id. */
  readonly scenarioRuns: ReadonlyMap<string, number>;
}

const BATCH = 64;

/**
 * Forecasts every stored series (streamed from DuckDB, forecast on worker
 * threads) and records the run: one forecast row per series, its points at
 * every level, exhaustion per threshold and a recommendation. Each scenario
 * gets its own run holding the baseline rewritten by the scenario, so they
 * compare side by side. A series that fails is recorded with its reason and
 * never sinks the run.
 */
export async function forecastStore(store: Store, options: ForecastStoreOptions): Promise<ForecastRunSummary> {
  // SLO counts are planned by their error budget (pipeline/errorBudgets), not as capacity.
  const sloNames = new Set((options.planning?.slos ?? []).map((s) => s.name));
  const listed = (await store.listSeries(options.resource ? { resource: options.resource } : {})).filter((s) => s.kind !== 'slo' && !sloNames.has(s.resource) && !sloNames.has(s.resource.replace(/:(errors|good|total)$/, '')));
  // A pulled capacity query is a series of its own (metric `capacity`, same labels as its usage series):
  // it is not forecast as usage; its latest value is the usage series' capacity.
  const capacities = await latestCapacities(store);
  const series = listed
    .filter((s) => s.metric !== 'capacity' && (!options.shard || inShard(s.seriesId, options.shard)))
    .map((s) => {
      const pulled = capacities.get(capacityKey(s.resource, s.labels));
      return pulled === undefined ? s : { ...s, capacity: pulled };
    });
  // series.capacity shows the latest known capacity to analysts and reports; its history stays in the capacity series.
  for (const s of series) {
    if (capacities.has(capacityKey(s.resource, s.labels))) {
      await store.connection.run('UPDATE series SET capacity = $2 WHERE series_id = $1 AND capacity IS DISTINCT FROM $2', [s.seriesId, s.capacity]);
    }
  }
  const byId = new Map(series.map((s) => [s.seriesId, s]));
  const now = await usageNow(store, options.asOfMs);
  const forecastOptions: ForecastOptions = {
    horizonMs: options.horizonMs,
    levels: [...options.levels],
    ...(options.models ? { models: [...options.models] } : {}),
  };
  const runInfo = (scenario: Scenario | null) => ({
    asOfMs: options.asOfMs,
    horizonMs: options.horizonMs,
    levels: options.levels,
    scenario: scenario?.name ?? null,
    options: { ...forecastOptions, thresholds: options.thresholds, ...(scenario ? { scenario: scenarioJson(scenario) } : {}) },
  });
  const runId = await store.beginForecastRun(runInfo(null));
  const scenarioRuns = new Map<string, number>();
  for (const s of options.scenarios ?? []) scenarioRuns.set(s.name, await store.beginForecastRun(runInfo(s)));
  const batches = new Map<number, ForecastRecord[]>([[runId, []], ...[...scenarioRuns.values()].map((id): [number, ForecastRecord[]] => [id, []])]);
  const flush = async (force: boolean) => {
    for (const [id, batch] of batches) {
      if (batch.length > 0 && (force || batch.length >= BATCH)) {
        await store.writeForecasts(id, batch);
        batches.set(id, []);
      }
    }
  };
  let done = 0;
  let failed = 0;
  const models = new Map<string, number>();
  const finishAll = async (status: 'ok' | 'failed') => {
    for (const id of batches.keys()) await store.finishForecastRun(id, { status, seriesCount: done, failedCount: failed });
  };
  try {
    const input = (async function* () {
      for await (const s of store.streamSamples(series.map((x) => x.seriesId))) yield { id: s.seriesId, samples: s };
    })();
    for await (const out of forecastFleet(input, { forecast: forecastOptions, workers: options.workers })) {
      const row = byId.get(out.id) as SeriesRow;
      if ('result' in out) {
        const record = toRecord(row, out.result, [], options, now.get(row.seriesId));
        models.set(record.model as string, (models.get(record.model as string) ?? 0) + 1);
        (batches.get(runId) as ForecastRecord[]).push(record);
        for (const s of options.scenarios ?? []) {
          const applies = !s.resources || s.resources.includes(row.resource);
          const { forecast, capacityChanges } = applies ? applyScenario(out.result, s) : { forecast: out.result, capacityChanges: [] };
          (batches.get(scenarioRuns.get(s.name) as number) as ForecastRecord[]).push(toRecord(row, forecast, capacityChanges, options, now.get(row.seriesId)));
        }
      } else {
        failed++;
        for (const batch of batches.values()) batch.push(failedRecord(row, out.error));
      }
      await flush(false);
      done++;
      options.onProgress?.(done, series.length);
    }
    await flush(true);
    await finishAll('ok');
  } catch (err) {
    await finishAll('failed');
    throw err;
  }
  return { runId, seriesCount: done, failedCount: failed, models, scenarioRuns };
}

function toRecord(row: SeriesRow, f: SeriesForecast, extraChanges: readonly CapacityChange[], options: ForecastStoreOptions, now: UsageNow | undefined): ForecastRecord {
  const planning = planningFor(options.planning ?? null, row.resource);
  const thresholds = options.planning ? thresholdList(planning.thresholds) : options.thresholds;
  const hasCapacity = row.capacity !== null && row.capacity > 0;
  const changes = [...planning.capacityChanges, ...extraChanges];
  const capacity = hasCapacity ? capacityAt(row.capacity as number, changes, f.timestamps) : null;
  const exhaustionRecords: ExhaustionRecord[] = !capacity
    ? []
    : thresholds.map((threshold) => {
        const e = exhaustion(f, { capacity, threshold, direction: row.direction });
        return { threshold, capacity: row.capacity as number, status: e.status, p10: e.p10, p50: e.p50, p90: e.p90, horizonEndMs: e.horizonEndMs };
      });
  const rec = capacity
    ? // Usage now is the 7-day peak (store/usageNow.ts), as in capplan headroom, the report and the views.
      recommend(usageView(now ? { ...f, data: { ...f.data, lastSignal: now.peak } } : f, capacity, row.capacity as number, row.direction), {
        targetHeadroom: planning.targetHeadroom,
        leadTimeMs: planning.leadTimeMs,
        risk: planning.risk,
        nowMs: options.asOfMs,
      })
    : null;
  return {
    seriesId: row.seriesId,
    error: null,
    model: f.model,
    fallbackReason: f.fallbackReason,
    aggregation: f.aggregation.kind === 'raw' ? 'raw' : `${f.aggregation.kind === 'max' ? 'max' : `p${Math.round((f.aggregation.q ?? 0) * 100)}`} per ${bucketText(f.aggregation.bucketMs)}`,
    stepMs: f.stepMs,
    periods: f.periods,
    params: f.levelShifts.length ? { ...f.params, levelShifts: f.levelShifts.map((l) => ({ at: new Date(l.atMs).toISOString(), size: l.size })) } : f.params,
    candidates: f.candidates,
    backtest: f.backtest,
    data: {
      startMs: f.data.startMs,
      endMs: f.data.endMs,
      points: f.data.n,
      missing: f.data.missing,
      gaps: f.data.gapCount,
      resolutionMs: f.data.stepMs,
    },
    lastValue: f.data.lastSignal ?? null,
    timestamps: f.timestamps,
    point: f.point,
    intervals: f.intervals,
    exhaustion: exhaustionRecords,
    recommendation: rec && { ...rec, leadTimeMs: planning.leadTimeMs, capacityChanges: changes },
  };
}

const capacityKey = (resource: string, labels: Readonly<Record<string, string>>) =>
  JSON.stringify([resource, Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))]);

/** The latest value of every pulled capacity series, in one query, keyed like its usage series. */
async function latestCapacities(store: Store): Promise<Map<string, number>> {
  const reader = await store.connection.runAndReadAll(
    `SELECT s.resource, map_keys(s.labels), map_values(s.labels), arg_max(x.value, x.ts)
     FROM series s JOIN samples x USING (series_id)
     WHERE s.metric = 'capacity'
     GROUP BY ALL`,
  );
  const out = new Map<string, number>();
  for (const [resource, keys, values, last] of reader.getRowsJS()) {
    const k = keys as string[];
    const v = values as string[];
    const capacity = Number(last);
    if (Number.isFinite(capacity) && capacity > 0) out.set(capacityKey(String(resource), Object.fromEntries(k.map((key, i) => [key, v[i]]))), capacity);
  }
  return out;
}

function failedRecord(row: SeriesRow, error: string): ForecastRecord {
  return {
    seriesId: row.seriesId, error, model: null, fallbackReason: null, aggregation: null, stepMs: null, periods: [],
    params: null, candidates: null, backtest: null, data: null, lastValue: null,
    timestamps: new Float64Array(0), point: new Float64Array(0), intervals: [], exhaustion: [],
  };
}

function scenarioJson(s: Scenario): unknown {
  return {
    name: s.name,
    description: s.description ?? null,
    resources: s.resources ?? null,
    changes: s.changes.map((c) =>
      c.kind === 'capacity'
        ? { kind: 'capacity', at: new Date(c.change.atMs).toISOString(), change: c.change.kind, amount: c.change.amount }
        : c.kind === 'growth'
          ? { kind: 'growth', factor: c.factor, from: new Date(c.fromMs).toISOString(), rampMs: c.rampMs ?? null }
          : { kind: 'step', amount: c.amount, at: new Date(c.atMs).toISOString() },
    ),
  };
}

function bucketText(ms: number | null): string {
  if (ms === null) return '?';
  if (ms % (7 * 86_400_000) === 0) return ms === 7 * 86_400_000 ? 'week' : `${ms / (7 * 86_400_000)} weeks`;
  if (ms % 86_400_000 === 0) return ms === 86_400_000 ? 'day' : `${ms / 86_400_000} days`;
  return `${ms / 3_600_000} h`;
}
