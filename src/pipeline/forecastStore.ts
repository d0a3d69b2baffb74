import { forecastFleet } from '../forecast/fleet.js';
import type { ForecastOptions, SeriesForecast } from '../forecast/forecastSeries.js';
import { exhaustion } from '../forecast/exhaustion.js';
import type { ExhaustionRecord, ForecastRecord } from '../store/ForecastRecord.js';
import type { SeriesRow, Store } from '../store/Store.js';

export interface ForecastStoreOptions {
  readonly asOfMs: number;
  readonly horizonMs: number;
  readonly levels: readonly number[];
  /** Fractions of capacity to date (0.8 warn, 0.9 critical, 1 full). */
  readonly thresholds: readonly number[];
  readonly models?: readonly string[];
  readonly workers?: number;
  readonly resource?: string;
  /** Called after each series with how many are done. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ForecastRunSummary {
  readonly runId: number;
  readonly seriesCount: number;
  readonly failedCount: number;
  readonly models: ReadonlyMap<string, number>;
}

const BATCH = 64;

/**
 * Forecasts every stored series (streamed from DuckDB, forecast on worker
 * threads) and records the run: one forecast row per series, its points at
 * every level, and exhaustion per threshold. A series that fails is recorded
 * with its reason and never sinks the run.
 */
export async function forecastStore(store: Store, options: ForecastStoreOptions): Promise<ForecastRunSummary> {
  const series = await store.listSeries(options.resource ? { resource: options.resource } : {});
  const byId = new Map(series.map((s) => [s.seriesId, s]));
  const forecastOptions: ForecastOptions = {
    horizonMs: options.horizonMs,
    levels: [...options.levels],
    ...(options.models ? { models: [...options.models] } : {}),
  };
  const runId = await store.beginForecastRun({
    asOfMs: options.asOfMs,
    horizonMs: options.horizonMs,
    levels: options.levels,
    scenario: null,
    options: { ...forecastOptions, thresholds: options.thresholds },
  });
  let done = 0;
  let failed = 0;
  const models = new Map<string, number>();
  let batch: ForecastRecord[] = [];
  try {
    const input = (async function* () {
      for await (const s of store.streamSamples(series.map((x) => x.seriesId))) yield { id: s.seriesId, samples: s };
    })();
    for await (const out of forecastFleet(input, { forecast: forecastOptions, workers: options.workers })) {
      const row = byId.get(out.id) as SeriesRow;
      const record = 'result' in out ? toRecord(row, out.result, options) : failedRecord(row, out.error);
      if (record.error) failed++;
      else models.set(record.model as string, (models.get(record.model as string) ?? 0) + 1);
      batch.push(record);
      if (batch.length >= BATCH) {
        await store.writeForecasts(runId, batch);
        batch = [];
      }
      done++;
      options.onProgress?.(done, series.length);
    }
    if (batch.length > 0) await store.writeForecasts(runId, batch);
    await store.finishForecastRun(runId, { status: 'ok', seriesCount: done, failedCount: failed });
  } catch (err) {
    await store.finishForecastRun(runId, { status: 'failed', seriesCount: done, failedCount: failed });
    throw err;
  }
  return { runId, seriesCount: done, failedCount: failed, models };
}

function toRecord(row: SeriesRow, f: SeriesForecast, options: ForecastStoreOptions): ForecastRecord {
  const exhaustionRecords: ExhaustionRecord[] =
    row.capacity === null || !(row.capacity > 0)
      ? []
      : options.thresholds.map((threshold) => {
          const e = exhaustion(f, { capacity: row.capacity as number, threshold, direction: row.direction });
          return { threshold, capacity: row.capacity as number, status: e.status, p10: e.p10, p50: e.p50, p90: e.p90, horizonEndMs: e.horizonEndMs };
        });
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
    lastValue: f.data.lastValue ?? null,
    timestamps: f.timestamps,
    point: f.point,
    intervals: f.intervals,
    exhaustion: exhaustionRecords,
  };
}

function failedRecord(row: SeriesRow, error: string): ForecastRecord {
  return {
    seriesId: row.seriesId, error, model: null, fallbackReason: null, aggregation: null, stepMs: null, periods: [],
    params: null, candidates: null, backtest: null, data: null, lastValue: null,
    timestamps: new Float64Array(0), point: new Float64Array(0), intervals: [], exhaustion: [],
  };
}

function bucketText(ms: number | null): string {
  if (ms === null) return '?';
  if (ms % (7 * 86_400_000) === 0) return ms === 7 * 86_400_000 ? 'week' : `${ms / (7 * 86_400_000)} weeks`;
  if (ms % 86_400_000 === 0) return ms === 86_400_000 ? 'day' : `${ms / 86_400_000} days`;
  return `${ms / 3_600_000} h`;
}
