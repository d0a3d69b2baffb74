import { join } from 'node:path';
import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBValue } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import type { ForecastRecord } from '../../src/store/ForecastRecord.js';
import { listParam } from '../../src/store/sqlValues.js';
import { Store } from '../../src/store/Store.js';
import { useTempDir } from '../support/tempDir.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);

/**
 * The summary, exhaustion and recommendation rows as writeForecasts stored them before it staged them
 * through the appender (commit 3e39cd0): one prepared INSERT per row, values bound as parameters.
 */
async function writeRowsOneByOne(connection: DuckDBConnection, runId: number, records: readonly ForecastRecord[]): Promise<void> {
  // Prepared once per batch, not once per row: parsing and planning cost more than the insert itself.
  const insertForecast = await connection.prepare(
    `INSERT INTO forecasts VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::INTEGER[], []), $8::JSON, $9::JSON, $10, $11, $12, $13::JSON,
           epoch_ms($14::BIGINT)::TIMESTAMPTZ, epoch_ms($15::BIGINT)::TIMESTAMPTZ, $16, $17, $18, $19, $20, $21)`,
  );
  const insertExhaustion = await connection.prepare(
    `INSERT INTO exhaustion VALUES ($1, $2, $3, $4, $5,
       epoch_ms($6::BIGINT)::TIMESTAMPTZ, epoch_ms($7::BIGINT)::TIMESTAMPTZ, epoch_ms($8::BIGINT)::TIMESTAMPTZ,
       epoch_ms($9::BIGINT)::TIMESTAMPTZ, $10)`,
  );
  const insertRecommendation = await connection.prepare(
    `INSERT INTO recommendations VALUES ($1, $2, $3, $4, $5, $6, epoch_ms($7::BIGINT)::TIMESTAMPTZ, epoch_ms($8::BIGINT)::TIMESTAMPTZ, $9, $10, $11::JSON)`,
  );
  const run = async (statement: DuckDBPreparedStatement, values: DuckDBValue[]) => {
    statement.bind(values);
    await statement.run();
  };
    for (const r of records) {
      await run(insertForecast, [
          runId,
          r.seriesId,
          r.model,
          r.fallbackReason,
          r.aggregation,
          r.stepMs === null ? null : Math.round(r.stepMs / 1000),
          listParam(r.periods),
          JSON.stringify(r.params ?? null),
          JSON.stringify(r.candidates ?? null),
          r.backtest?.windows ?? null,
          r.backtest?.horizon ?? null,
          finiteOrNull(r.backtest?.mase),
          JSON.stringify(r.backtest?.coverage ?? null),
          r.data ? Math.round(r.data.startMs) : null,
          r.data ? Math.round(r.data.endMs) : null,
          r.data?.points ?? null,
          r.data?.missing ?? null,
          r.data?.gaps ?? null,
          r.data ? Math.round(r.data.resolutionMs / 1000) : null,
          finiteOrNull(r.lastValue),
          r.error,
      ]);
      for (const e of r.exhaustion) {
        await run(insertExhaustion, [runId, r.seriesId, e.threshold, e.capacity, e.status, msOrNull(e.p10), msOrNull(e.p50), msOrNull(e.p90), Math.round(e.horizonEndMs), e.pNever]);
      }
      const rec = r.recommendation;
      if (rec) {
        await run(insertRecommendation, [
            runId, r.seriesId, rec.risk, rec.targetHeadroom, rec.action, rec.amount, msOrNull(rec.neededByMs), msOrNull(rec.orderByMs),
            Math.round(rec.leadTimeMs / 1000), rec.late,
            JSON.stringify(rec.capacityChanges.map((c) => ({ at: new Date(c.atMs).toISOString(), kind: c.kind, amount: c.amount, ...(c.note ? { note: c.note } : {}) }))),
        ]);
      }
    }
  for (const statement of [insertForecast, insertExhaustion, insertRecommendation]) statement.destroySync();
}

function finiteOrNull(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : v;
}

function msOrNull(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : Math.round(v);
}

/** Records with every kind of value the tables hold: nulls, NaN and ±Inf, empty and long lists, notes, failures. */
function records(): ForecastRecord[] {
  const h = 5;
  const timestamps = Float64Array.from({ length: h }, (_, k) => T0 + (k + 1) * DAY);
  const point = Float64Array.from({ length: h }, (_, k) => 10.1 * (k + 1));
  const band = { level: 0.8, lower: point.map((v) => v - 1 / 3), upper: point.map((v) => v + Math.PI) };
  const base = (i: number): ForecastRecord => ({
    seriesId: `s${i}`, error: null, model: 'ensemble(theta+linear)', fallbackReason: i % 2 ? 'too short: "x"' : null, aggregation: i % 3 ? 'raw' : 'max per day',
    stepMs: i % 4 ? DAY : 3_600_000.4, periods: i % 2 ? [] : [7, 24, 168], params: { slope: 0.1 + i, nested: { a: [1, null, 'é'] } },
    candidates: [{ alias: 'linear', mase: 0.123456789012345, error: null }], backtest: { windows: 3, horizon: 14, mase: i === 2 ? NaN : 0.5 + i / 7, coverage: [{ level: 0.8, achieved: 0.75 }] },
    data: { startMs: T0 - 180 * DAY + 0.6, endMs: T0, points: 4320 - i, missing: i, gaps: i % 2, resolutionMs: 3_600_000 }, lastValue: i === 3 ? Infinity : 42.000000001 * i,
    timestamps, point, intervals: [band],
    exhaustion: [
      { threshold: 0.8, capacity: 100.5, status: 'within', p10: T0 + 1.4 * DAY, p50: T0 + 2.5 * DAY, p90: null, pNever: 0.125 * i, horizonEndMs: T0 + h * DAY },
      { threshold: 1, capacity: 100.5, status: 'beyond_horizon', p10: i === 1 ? NaN : null, p50: null, p90: null, pNever: 1, horizonEndMs: T0 + h * DAY + 0.5 },
    ],
    recommendation: i === 4 ? null : {
      risk: i % 2 ? 'expected' : 'conservative', targetHeadroom: 0.2, action: i % 2 ? 'none' : 'add', amount: i === 0 ? NaN : 12.75 * i,
      neededByMs: i % 2 ? null : T0 + 3.3 * DAY, orderByMs: i % 2 ? null : T0 - 26.7 * DAY, leadTimeMs: 30 * DAY + 400, late: i % 2 === 0,
      capacityChanges: i % 2 ? [] : [{ atMs: T0 + DAY, kind: 'add', amount: 50, note: 'rack 7' }, { atMs: T0 + 2 * DAY, kind: 'set', amount: 300 }],
    },
  });
  const failed: ForecastRecord = {
    seriesId: 'failed', error: 'needs at least 10 points, series has 3', model: null, fallbackReason: null, aggregation: null, stepMs: null, periods: [],
    params: null, candidates: null, backtest: null, data: null, lastValue: null, timestamps: new Float64Array(0), point: new Float64Array(0), intervals: [], exhaustion: [],
  };
  return [...Array.from({ length: 6 }, (_, i) => base(i)), failed];
}

async function rows(store: Store, table: string, runId: number): Promise<string[]> {
  const r = await store.query(`SELECT * EXCLUDE (run_id) FROM ${table} WHERE run_id = ${runId}`);
  return r.rows.map((row) => JSON.stringify(row, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))).sort();
}

describe('writeForecasts', () => {
  const tempDir = useTempDir();

  it('stores through the appender exactly the rows the per-row INSERTs stored', async () => {
    const store = await Store.open(join(tempDir(), 'w.duckdb'), { now: () => T0 });
    const info = { asOfMs: T0, horizonMs: 5 * DAY, levels: [0.8], scenario: null, options: null };
    const staged = await store.beginForecastRun(info);
    await store.writeForecasts(staged, records());
    const oneByOne = await store.beginForecastRun(info);
    await writeRowsOneByOne(store.connection, oneByOne, records());
    for (const table of ['forecasts', 'exhaustion', 'recommendations']) {
      const expected = await rows(store, table, oneByOne);
      expect(expected.length).toBe(table === 'forecasts' ? 7 : table === 'exhaustion' ? 12 : 5);
      expect(await rows(store, table, staged)).toEqual(expected);
    }
    const points = await store.query(`SELECT count(*)::INTEGER FROM forecast_points WHERE run_id = ${staged}`);
    expect(points.rows[0][0]).toBe(6 * 5);
    store.close();
  });
});
