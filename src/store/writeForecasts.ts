import { DOUBLE, DuckDBDataChunk, INTEGER, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBValue } from '@duckdb/node-api';
import { listParam } from './sqlValues.js';
import type { ErrorBudgetRecord, ForecastRecord } from './ForecastRecord.js';

const CHUNK_ROWS = 2048;

/**
 * Stores the forecasts of one batch of series for a run, atomically: the
 * per-series summary, every forecast point at every level, and exhaustion rows.
 */
export async function writeForecasts(connection: DuckDBConnection, runId: number, records: readonly ForecastRecord[]): Promise<void> {
  if (records.length === 0) return;
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE staging_points (series_idx INTEGER, ts_ms DOUBLE, level DOUBLE, value DOUBLE, lower DOUBLE, upper DOUBLE)`,
  );
  const appender = await connection.createAppender('staging_points', 'main', 'temp');
  try {
    const cols: number[][] = Array.from({ length: 6 }, () => new Array<number>(CHUNK_ROWS));
    let fill = 0;
    const flush = () => {
      if (fill === 0) return;
      const chunk = DuckDBDataChunk.create([INTEGER, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE], fill);
      chunk.setColumns(fill === CHUNK_ROWS ? cols : cols.map((c) => c.slice(0, fill)));
      appender.appendDataChunk(chunk);
      fill = 0;
    };
    records.forEach((r, i) => {
      for (const interval of r.intervals) {
        for (let k = 0; k < r.point.length; k++) {
          cols[0][fill] = i;
          cols[1][fill] = Math.round(r.timestamps[k]);
          cols[2][fill] = interval.level;
          cols[3][fill] = r.point[k];
          cols[4][fill] = interval.lower[k];
          cols[5][fill] = interval.upper[k];
          if (++fill === CHUNK_ROWS) flush();
        }
      }
    });
    flush();
  } finally {
    appender.closeSync();
  }

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
  await connection.run('BEGIN TRANSACTION');
  try {
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
    await connection.run(`CREATE OR REPLACE TEMP TABLE staging_ids AS SELECT unnest($1::VARCHAR[]) AS series_id, generate_subscripts($1::VARCHAR[], 1) - 1 AS series_idx`, [
      listParam(records.map((r) => r.seriesId)),
    ]);
    await connection.run(
      `INSERT INTO forecast_points
       SELECT $1, i.series_id, epoch_ms(p.ts_ms::BIGINT)::TIMESTAMPTZ, p.level, p.value, p.lower, p.upper
       FROM staging_points p JOIN staging_ids i USING (series_idx)`,
      [runId],
    );
    await connection.run('COMMIT');
  } catch (err) {
    await connection.run('ROLLBACK');
    throw err;
  } finally {
    for (const statement of [insertForecast, insertExhaustion, insertRecommendation]) statement.destroySync();
    await connection.run('DROP TABLE IF EXISTS temp.staging_points');
    await connection.run('DROP TABLE IF EXISTS temp.staging_ids');
  }
}

/** Stores the error-budget results of a run. */
export async function writeErrorBudgets(connection: DuckDBConnection, runId: number, records: readonly ErrorBudgetRecord[]): Promise<void> {
  for (const b of records) {
    await connection.run(
      `INSERT INTO error_budgets VALUES ($1, $2, $3, $4, epoch_ms($5::BIGINT)::TIMESTAMPTZ, $6, $7, $8::JSON, $9,
         epoch_ms($10::BIGINT)::TIMESTAMPTZ, epoch_ms($11::BIGINT)::TIMESTAMPTZ, epoch_ms($12::BIGINT)::TIMESTAMPTZ)`,
      [
        runId, b.slo, b.objective, Math.round(b.windowMs / 1000), Math.round(b.asOfMs), b.remaining, b.errorRatio,
        JSON.stringify(b.alerts.map((a) => ({ severity: a.severity, long_s: a.longMs / 1000, short_s: a.shortMs / 1000, factor: a.factor, long_rate: a.longRate, short_rate: a.shortRate, firing: a.firing }))),
        b.status, msOrNull(b.p10), msOrNull(b.p50), msOrNull(b.p90),
      ],
    );
  }
}

function finiteOrNull(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : v;
}

function msOrNull(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : Math.round(v);
}
