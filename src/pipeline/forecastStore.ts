import { inShard, type Shard } from '../shard.js';
import { compiledScript, forecastFleet, type FleetInput, type FleetOptions, type FleetOutput } from '../forecast/fleet.js';
import type { ForecastOptions } from '../forecast/forecastSeries.js';
import type { Scenario } from '../forecast/scenario.js';
import { DEFAULT_PLANNING, type PlanningSpec, type ResourcePlanning } from '../plan/Planning.js';
import type { PlanSource } from '../plan/planSource.js';
import type { ForecastRecord } from '../store/ForecastRecord.js';
import { IncompleteRunError } from '../errors.js';
import type { CapacityPair } from '../store/readCapacityPairs.js';
import type { SeriesRow, Store } from '../store/Store.js';
import { usageNow } from '../store/usageNow.js';
import { withMemoryCap } from '../store/memoryCap.js';
import { failedRecord, forecastRecords, type RecordContext, type RecordSettings, type RecordsOutput } from './forecastRecords.js';

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
  /** The plan file behind `planning`, recorded on the run (forecast_runs.plan_file, plan_sha256). */
  readonly planSource?: PlanSource | null;
}


export type { PlanSource };

export interface ForecastRunSummary {
  readonly runId: number;
  /** Series the run set out to forecast: forecast + failed + skipped, checked. */
  readonly expectedCount: number;
  /** Series with a forecasts row (forecast + failed). */
  readonly seriesCount: number;
  readonly forecastCount: number;
  readonly failedCount: number;
  /** Series with no stored samples: nothing to forecast. */
  readonly skipped: readonly SeriesRow[];
  readonly models: ReadonlyMap<string, number>;
  /** Scenario name → its run id. */
  readonly scenarioRuns: ReadonlyMap<string, number>;
  /** Usage series no capacity series matches, and capacity series matching no usage series, in the run's scope. */
  readonly capacityMismatches: readonly CapacityPair[];
}

/**
 * Forecasts a stream of series; `forecastFleet` unless a test injects another.
 * With the run's worker script (`options.script`) a forecast series comes
 * back as its records; in this thread, as its forecast.
 */
export type Forecaster = (input: AsyncIterable<FleetInput>, options: FleetOptions) => AsyncIterable<FleetOutput | RecordsOutput>;

/**
 * Series per write: each write is one transaction with fixed costs (five staging tables made and dropped,
 * about 0.1 CPU-s), and the batch being filled and the one being written are held at once. On the
 * 10,000-series bench, writes of 256 took 0.6 ms of CPU per series and writes of 1,024 0.2 ms, but 1,024
 * raised peak RSS by ~70 MB to 1.34 GiB, near the 1.5 GB bound; 512 keeps most of the saving.
 */
export const WRITE_BATCH = 512;

/**
 * DuckDB's buffer memory during a run (store/memoryCap.ts): samples are read
 * once per run, so a larger cache only grows with the file. On the 10,000-series
 * bench with 13 runs stored: uncapped 1.39 GiB peak, 31.2 s; at 512 MiB 1.05 GiB,
 * 30.2 s; at 200 MB 0.73 GiB, 32.3 s.
 */
export const FORECAST_DUCKDB_MEMORY_BYTES = 512 * 2 ** 20;

/**
 * Forecasts every stored series (read from DuckDB in bounded batches,
 * forecast on worker threads) and records the run: one forecast row per
 * series, its points at every level, exhaustion per threshold and a
 * recommendation. Each scenario gets its own run holding the baseline
 * rewritten by the scenario, so they compare side by side. A series that
 * fails is recorded with its reason and never sinks the run.
 *
 * The run's series are a checked count: it records how many it expected and
 * how many it forecast, failed or skipped, and when those do not add up (an
 * outcome lost, duplicated or unreadable, or rows missing in the database)
 * the run is finished as failed and `IncompleteRunError` is thrown.
 */
export async function forecastStore(store: Store, options: ForecastStoreOptions, forecaster: Forecaster = forecastFleet): Promise<ForecastRunSummary> {
  return withMemoryCap(store.connection, store.path, FORECAST_DUCKDB_MEMORY_BYTES, () => forecastStoreRun(store, options, forecaster));
}

async function forecastStoreRun(store: Store, options: ForecastStoreOptions, forecaster: Forecaster): Promise<ForecastRunSummary> {
  // SLO counts are planned by their error budget (pipeline/errorBudgets), not as capacity.
  const sloNames = new Set((options.planning?.slos ?? []).map((s) => s.name));
  const listed = (await store.listSeries(options.resource ? { resource: options.resource } : {})).filter((s) => s.kind !== 'slo' && !sloNames.has(s.resource) && !sloNames.has(s.resource.replace(/:(errors|good|total)$/, '')));
  // A pulled capacity query is a series of its own (metric `capacity`, same labels as its usage series):
  // it is not forecast as usage; its latest value is the usage series' capacity (paired by the capacity_pairs view).
  const inScope = (id: string, resource: string) => (!options.resource || resource === options.resource) && (!options.shard || inShard(id, options.shard));
  const pairs = await store.capacityPairs();
  const capacities = new Map<string, number>();
  for (const p of pairs) {
    if (p.status === 'paired' && p.usageSeriesId !== null && p.capacity !== null && Number.isFinite(p.capacity) && p.capacity > 0) capacities.set(p.usageSeriesId, p.capacity);
  }
  const capacityMismatches = pairs.filter((p) => p.status !== 'paired' && inScope((p.usageSeriesId ?? p.capacitySeriesId) as string, p.resource));
  const series = listed
    .filter((s) => s.metric !== 'capacity' && inScope(s.seriesId, s.resource))
    .map((s) => {
      const pulled = capacities.get(s.seriesId);
      return pulled === undefined ? s : { ...s, capacity: pulled };
    });
  // series.capacity shows the latest known capacity to analysts and reports; its history stays in the capacity series.
  await store.copyPairedCapacities(series.filter((s) => capacities.has(s.seriesId)).map((s) => s.seriesId));
  const byId = new Map(series.map((s) => [s.seriesId, s]));
  const now = await usageNow(store, options.asOfMs);
  const counts = await store.sampleCounts(series.map((s) => s.seriesId));
  const skipped = series.filter((s) => !counts.has(s.seriesId));
  const toForecast = series.filter((s) => counts.has(s.seriesId)).map((s) => s.seriesId);

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
    planFile: options.planSource?.file ?? null,
    planSha256: options.planSource?.sha256 ?? null,
    planning: planningJson(options.planning ?? null),
  });
  const runId = await store.beginForecastRun(runInfo(null));
  const scenarioRuns = new Map<string, number>();
  for (const s of options.scenarios ?? []) scenarioRuns.set(s.name, await store.beginForecastRun(runInfo(s)));
  const batches = new Map<number, ForecastRecord[]>([[runId, []], ...[...scenarioRuns.values()].map((id): [number, ForecastRecord[]] => [id, []])]);
  // Results are written in the background while the next series are forecast; one write at a time,
  // so at most two batches are held. `force` waits for everything written so far.
  let writing: Promise<void> = Promise.resolve();
  const flush = async (force: boolean) => {
    const ready: [number, ForecastRecord[]][] = [];
    for (const [id, batch] of batches) {
      if (batch.length > 0 && (force || batch.length >= WRITE_BATCH)) {
        ready.push([id, batch]);
        batches.set(id, []);
      }
    }
    if (ready.length > 0) {
      await writing;
      writing = (async () => {
        for (const [id, batch] of ready) await store.writeForecasts(id, batch);
      })();
      // Observed now so a failure is never unhandled; it surfaces at the next flush.
      writing.catch(() => undefined);
    }
    if (force) await writing;
  };
  const seen = new Set<string>();
  const anomalies: string[] = [];
  let forecastCount = 0;
  let failed = 0;
  const models = new Map<string, number>();
  const finishAll = async (status: 'ok' | 'failed', error: string | null) => {
    for (const id of batches.keys()) {
      await store.finishForecastRun(id, {
        status,
        seriesCount: forecastCount + failed,
        failedCount: failed,
        expectedCount: series.length,
        forecastCount,
        skippedCount: skipped.length,
        error,
      });
    }
  };
  try {
    const settings: RecordSettings = { asOfMs: options.asOfMs, thresholds: options.thresholds, planning: options.planning ?? null, scenarios: options.scenarios ?? [] };
    const input = (async function* (): AsyncGenerator<FleetInput> {
      for await (const s of store.streamSamples(toForecast)) {
        const row = byId.get(s.seriesId);
        const context: RecordContext | undefined = row && { subject: { row, now: now.get(s.seriesId) }, settings };
        yield { id: s.seriesId, samples: s, context };
      }
    })();
    const script = recordWorkerScript();
    for await (const out of forecaster(input, { forecast: forecastOptions, workers: options.workers, ...(script ? { script } : {}) })) {
      const row = byId.get(out.id);
      if (!row || !counts.has(out.id)) {
        anomalies.push(`an outcome for series ${JSON.stringify(out.id)}, which the run did not ask for`);
        continue;
      }
      if (seen.has(out.id)) {
        anomalies.push(`a second outcome for ${row.name}`);
        continue;
      }
      seen.add(out.id);
      // Built by the worker that forecast the series, or here when the forecast ran in this thread.
      const records =
        'records' in out && Array.isArray(out.records)
          ? out.records
          : 'result' in out && out.result
            ? forecastRecords({ row, now: now.get(row.seriesId) }, out.result, settings)
            : null;
      if (records) {
        const expected = 1 + (options.scenarios?.length ?? 0);
        if (records.length !== expected || records.some((r) => r.seriesId !== row.seriesId)) {
          anomalies.push(`${records.length} records for ${row.name}, not ${expected}`);
          continue;
        }
        forecastCount++;
        const model = records[0].model as string;
        models.set(model, (models.get(model) ?? 0) + 1);
        (batches.get(runId) as ForecastRecord[]).push(records[0]);
        (options.scenarios ?? []).forEach((s, i) => (batches.get(scenarioRuns.get(s.name) as number) as ForecastRecord[]).push(records[i + 1]));
      } else if ('error' in out && typeof out.error === 'string') {
        failed++;
        for (const batch of batches.values()) batch.push(failedRecord(row, out.error));
      } else {
        anomalies.push(`an outcome for ${row.name} that is neither a forecast nor an error`);
        continue;
      }
      await flush(false);
      options.onProgress?.(seen.size, toForecast.length);
    }
    await flush(true);
  } catch (err) {
    // Keep what was forecast: the failed run still shows how far it got.
    await flush(true).catch(() => undefined);
    await finishAll('failed', `stopped after ${forecastCount + failed} of ${series.length} series: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
  const problems = [...anomalies];
  const missing = toForecast.filter((id) => !seen.has(id));
  if (missing.length > 0) {
    problems.push(`${missing.length} never came back from the forecaster (first: ${(byId.get(missing[0]) as SeriesRow).name})`);
  }
  for (const id of batches.keys()) {
    const stored = await store.forecastRowCounts(id);
    if (stored.forecast !== forecastCount || stored.failed !== failed) {
      problems.push(`run #${id} holds ${stored.forecast} forecast and ${stored.failed} failed rows, not ${forecastCount} and ${failed}`);
    }
  }
  if (problems.length > 0) {
    const message =
      `forecast run #${runId} is incomplete: expected ${series.length} series, forecast ${forecastCount}, failed ${failed}, ` +
      `skipped ${skipped.length} (no samples); ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}`;
    await finishAll('failed', message);
    throw new IncompleteRunError(runId, `${message}. The run is recorded as failed and reports keep using the last complete run`);
  }
  await finishAll('ok', null);
  return { runId, expectedCount: series.length, seriesCount: forecastCount + failed, forecastCount, failedCount: failed, skipped, models, scenarioRuns, capacityMismatches };
}

/** The compiled worker script of a run (forecastRecordWorker); null without a build: records are then built in this thread. */
function recordWorkerScript(): string | null {
  return compiledScript(import.meta.url, 'pipeline/forecastRecordWorker.js');
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

/** The planning settings a run used, as stored in forecast_runs.planning (durations in seconds). */
export function planningJson(planning: PlanningSpec | null): unknown {
  const d = planning?.defaults ?? DEFAULT_PLANNING;
  const resource = (r: ResourcePlanning) => ({
    thresholds: r.thresholds,
    lead_time_s: r.leadTimeMs / 1000,
    target_headroom: r.targetHeadroom,
    risk: r.risk,
    capacity_changes: r.capacityChanges.map((c) => ({ at: new Date(c.atMs).toISOString(), kind: c.kind, amount: c.amount, ...(c.note ? { note: c.note } : {}) })),
  });
  return {
    defaults: {
      ...resource(d),
      horizon_s: d.horizonMs / 1000,
      warning_window_s: d.warningWindowMs / 1000,
      fiscal_year_start_month: d.fiscalYearStartMonth,
      group_by: d.groupBy,
    },
    resources: Object.fromEntries([...(planning?.resources ?? new Map<string, ResourcePlanning>())].map(([name, r]) => [name, resource(r)])),
  };
}
