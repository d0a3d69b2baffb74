import { errorFunction } from 'simple-statistics';
import type { ExhaustionInput } from '../../src/forecast/exhaustion.js';
import { recommend } from '../../src/forecast/recommend.js';
import { usageView } from '../../src/forecast/usageView.js';
import type { ExhaustionRecord, ForecastRecord } from '../../src/store/ForecastRecord.js';
import { seriesId, type SeriesKey } from '../../src/store/seriesId.js';
import type { Store } from '../../src/store/Store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface SyntheticSeries {
  readonly key: SeriesKey;
  readonly capacity: number;
  readonly unit: string;
  /** Linear usage: value at `asOf` and growth per day. */
  readonly level: number;
  readonly perDay: number;
  readonly name?: string;
  readonly warnings?: readonly string[];
}

/**
 * Stores a small fleet and a forecast run for it whose numbers are known in
 * closed form (straight lines), so report tests can assert exact dates
 * without depending on model fitting.
 */
export async function storeSyntheticRun(store: Store, fleet: readonly SyntheticSeries[], asOfMs: number, horizonDays = 90): Promise<number> {
  for (const s of fleet) {
    const pull = await store.beginPull({ source: 'test' });
    const n = 24 * 30;
    const timestamps = Float64Array.from({ length: n }, (_, i) => asOfMs - (n - 1 - i) * HOUR);
    const values = timestamps.map((t) => s.level + (s.perDay * (t - asOfMs)) / DAY);
    await store.writeSamples(pull, [{ key: s.key, resolutionS: 3600, timestamps, values, meta: { capacity: s.capacity, unit: s.unit, ...(s.name ? { name: s.name } : {}) } }]);
    await store.finishPull(pull, { status: s.warnings ? 'partial' : 'ok', warnings: s.warnings ?? [], seriesCount: 1, sampleCount: n });
  }
  const horizonMs = horizonDays * DAY;
  const runId = await store.beginForecastRun({ asOfMs, horizonMs, levels: [0.8], scenario: null, options: null });
  const records: ForecastRecord[] = fleet.map((s) => {
    const h = horizonDays;
    const timestamps = Float64Array.from({ length: h }, (_, k) => asOfMs + (k + 1) * DAY);
    const point = Float64Array.from({ length: h }, (_, k) => s.level + s.perDay * (k + 1));
    const lower = point.map((v, k) => v - 0.1 * s.perDay * (k + 1));
    const upper = point.map((v, k) => v + 0.1 * s.perDay * (k + 1));
    const cross = (rate: number): number | null => {
      if (s.level >= s.capacity) return asOfMs;
      if (rate <= 0) return null;
      const days = (s.capacity - s.level) / rate;
      return days <= h ? asOfMs + days * DAY : null;
    };
    const p50 = cross(s.perDay);
    // The band's quantile paths grow at perDay × (1 + 0.1·z/1.2816): those with z below z* stay under capacity for h days.
    const zStar = (((s.capacity - s.level) / (h * s.perDay) - 1) * 1.2815515655446004) / 0.1;
    const pNever = s.level >= s.capacity ? 0 : s.perDay <= 0 ? 1 : Math.round(500 * (1 + errorFunction(zStar / Math.SQRT2))) / 1000;
    const status: ExhaustionRecord['status'] = s.level >= s.capacity ? 'past' : p50 === null && cross(s.perDay * 1.1) === null ? 'beyond_horizon' : 'within';
    // Stored like forecastStore does: the default plan (keep 20% free, 30 days lead time, conservative); usage now is the level.
    const f = { timestamps, point, intervals: [{ level: 0.8, lower, upper }], data: { lastSignal: s.level, lastSignalMs: asOfMs } } as unknown as ExhaustionInput;
    const rec = recommend(usageView(f, new Float64Array(h).fill(s.capacity), s.capacity, 'rising'), { targetHeadroom: 0.2, leadTimeMs: 30 * DAY, risk: 'conservative', nowMs: asOfMs });
    return {
      recommendation: { ...rec, leadTimeMs: 30 * DAY, capacityChanges: [] },
      seriesId: seriesId(s.key),
      error: null,
      model: 'linear',
      fallbackReason: null,
      aggregation: 'raw',
      stepMs: DAY,
      periods: [],
      params: { slope: s.perDay },
      candidates: [{ alias: 'linear', mase: 0.5, error: null }],
      backtest: { windows: 3, horizon: h, mase: 0.5, coverage: [{ level: 0.8, achieved: 0.8 }] },
      data: { startMs: asOfMs - 29 * DAY, endMs: asOfMs, points: 720, missing: 0, gaps: 0, resolutionMs: HOUR },
      lastValue: s.level,
      timestamps,
      point,
      intervals: [{ level: 0.8, lower, upper }],
      exhaustion: [
        { threshold: 1, capacity: s.capacity, status, p10: cross(s.perDay * 1.1), p50, p90: cross(s.perDay * 0.9), pNever, horizonEndMs: asOfMs + horizonMs },
      ],
    };
  });
  await store.writeForecasts(runId, records);
  await store.finishForecastRun(runId, { status: 'ok', seriesCount: records.length, failedCount: 0 });
  return runId;
}
