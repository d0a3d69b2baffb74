import { capacityAt, type CapacityChange } from '../forecast/capacityTimeline.js';
import { exhaustion } from '../forecast/exhaustion.js';
import type { SeriesForecast } from '../forecast/forecastSeries.js';
import { recommend } from '../forecast/recommend.js';
import { applyScenario, type Scenario } from '../forecast/scenario.js';
import { usageView } from '../forecast/usageView.js';
import { planningFor, thresholdList, type PlanningSpec } from '../plan/Planning.js';
import type { ExhaustionRecord, ForecastRecord } from '../store/ForecastRecord.js';
import type { SeriesRow } from '../store/Store.js';
import type { UsageNow } from '../store/usageNow.js';

/** What a run's records depend on besides the forecast itself: plain data, so a worker thread can be given it. */
export interface RecordSettings {
  readonly asOfMs: number;
  /** Fractions of capacity to date when no plan says otherwise. */
  readonly thresholds: readonly number[];
  readonly planning?: PlanningSpec | null;
  readonly scenarios?: readonly Scenario[];
}

/** One series' place in the run: its row and its usage now (the 7-day peak), when known. */
export interface RecordSubject {
  readonly row: SeriesRow;
  readonly now: UsageNow | undefined;
}

/**
 * A forecast series' records: the baseline's first, then one per scenario
 * in `settings.scenarios` order (the baseline itself where a scenario does
 * not apply to the series' resource). Pure, so it runs on the worker that
 * forecast the series: dating exhaustion by sample paths costs about as much
 * as the forecast.
 */
export function forecastRecords(subject: RecordSubject, f: SeriesForecast, settings: RecordSettings): ForecastRecord[] {
  const { row, now } = subject;
  const records = [toRecord(row, f, [], settings, now)];
  for (const s of settings.scenarios ?? []) {
    const applies = !s.resources || s.resources.includes(row.resource);
    const { forecast, capacityChanges } = applies ? applyScenario(f, s) : { forecast: f, capacityChanges: [] };
    records.push(toRecord(row, forecast, capacityChanges, settings, now));
  }
  return records;
}

/** The record of a series that could not be forecast, with the reason. */
export function failedRecord(row: SeriesRow, error: string): ForecastRecord {
  return {
    seriesId: row.seriesId, error, model: null, fallbackReason: null, aggregation: null, stepMs: null, periods: [],
    params: null, candidates: null, backtest: null, data: null, lastValue: null,
    timestamps: new Float64Array(0), point: new Float64Array(0), intervals: [], exhaustion: [],
  };
}

function toRecord(row: SeriesRow, f: SeriesForecast, extraChanges: readonly CapacityChange[], options: RecordSettings, now: UsageNow | undefined): ForecastRecord {
  const planning = planningFor(options.planning ?? null, row.resource);
  const thresholds = options.planning ? thresholdList(planning.thresholds) : options.thresholds;
  const hasCapacity = row.capacity !== null && row.capacity > 0;
  const changes = [...planning.capacityChanges, ...extraChanges];
  const capacity = hasCapacity ? capacityAt(row.capacity as number, changes, f.timestamps) : null;
  const exhaustionRecords: ExhaustionRecord[] = !capacity
    ? []
    : thresholds.map((threshold) => {
        const e = exhaustion(f, { capacity, threshold, direction: row.direction });
        return { threshold, capacity: row.capacity as number, status: e.status, p10: e.p10, p50: e.p50, p90: e.p90, pNever: e.pNever, horizonEndMs: e.horizonEndMs };
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

function bucketText(ms: number | null): string {
  if (ms === null) return '?';
  if (ms % (7 * 86_400_000) === 0) return ms === 7 * 86_400_000 ? 'week' : `${ms / (7 * 86_400_000)} weeks`;
  if (ms % 86_400_000 === 0) return ms === 86_400_000 ? 'day' : `${ms / 86_400_000} days`;
  return `${ms / 3_600_000} h`;
}

/** `FleetInput.context` of a run's series: what its worker needs to build the records. */
export interface RecordContext {
  readonly subject: RecordSubject;
  readonly settings: RecordSettings;
}

/** A run's worker's answer for a forecast series: its records (see `forecastRecords`), built where it was forecast. */
export interface RecordsOutput {
  readonly id: string;
  readonly records: readonly ForecastRecord[];
}
