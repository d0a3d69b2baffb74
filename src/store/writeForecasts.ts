import { BOOLEAN, DOUBLE, DuckDBDataChunk, INTEGER, VARCHAR, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
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

  // One row per series (and per threshold) staged with the appender and moved by one INSERT … SELECT per
  // table: a prepared INSERT per row cost ~3 ms of CPU per series (five statements, each with its own
  // primary-key check), as much as forecasting the series. Numbers are staged as DOUBLE and cast to the
  // column types in the SELECT, as the parameters of the per-row statements were; timestamps as ms.
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE staging_forecasts (idx INTEGER, model VARCHAR, fallback_reason VARCHAR, aggregation VARCHAR, step_s DOUBLE,
       periods VARCHAR, params VARCHAR, candidates VARCHAR, backtest_windows DOUBLE, backtest_horizon DOUBLE, mase DOUBLE, coverage VARCHAR,
       data_start DOUBLE, data_end DOUBLE, data_points DOUBLE, data_missing DOUBLE, data_gaps DOUBLE, data_resolution_s DOUBLE, last_value DOUBLE, error VARCHAR)`,
  );
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE staging_exhaustion (idx INTEGER, k INTEGER, threshold DOUBLE, capacity DOUBLE, status VARCHAR,
       p10 DOUBLE, p50 DOUBLE, p90 DOUBLE, horizon_end DOUBLE, p_never DOUBLE)`,
  );
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE staging_recommendations (idx INTEGER, risk VARCHAR, target_headroom DOUBLE, action VARCHAR, amount DOUBLE,
       needed_by DOUBLE, order_by DOUBLE, lead_time_s DOUBLE, late BOOLEAN, capacity_changes VARCHAR)`,
  );
  const forecastRows: DuckDBValue[][] = [];
  const exhaustionRows: DuckDBValue[][] = [];
  const recommendationRows: DuckDBValue[][] = [];
  records.forEach((r, i) => {
    forecastRows.push([
      i,
      r.model,
      r.fallbackReason,
      r.aggregation,
      r.stepMs === null ? null : Math.round(r.stepMs / 1000),
      JSON.stringify(r.periods),
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
    r.exhaustion.forEach((e, k) => {
      exhaustionRows.push([i, k, e.threshold, e.capacity, e.status, msOrNull(e.p10), msOrNull(e.p50), msOrNull(e.p90), Math.round(e.horizonEndMs), e.pNever ?? null]);
    });
    const rec = r.recommendation;
    if (rec) {
      recommendationRows.push([
        i, rec.risk, rec.targetHeadroom, rec.action, rec.amount, msOrNull(rec.neededByMs), msOrNull(rec.orderByMs), Math.round(rec.leadTimeMs / 1000), rec.late,
        JSON.stringify(rec.capacityChanges.map((c) => ({ at: new Date(c.atMs).toISOString(), kind: c.kind, amount: c.amount, ...(c.note ? { note: c.note } : {}) }))),
      ]);
    }
  });
  const V = VARCHAR;
  await appendRows(connection, 'staging_forecasts', [INTEGER, V, V, V, DOUBLE, V, V, V, DOUBLE, DOUBLE, DOUBLE, V, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, V], forecastRows);
  await appendRows(connection, 'staging_exhaustion', [INTEGER, INTEGER, DOUBLE, DOUBLE, V, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE], exhaustionRows);
  await appendRows(connection, 'staging_recommendations', [INTEGER, V, DOUBLE, V, DOUBLE, DOUBLE, DOUBLE, DOUBLE, BOOLEAN, V], recommendationRows);
  const ts = (column: string) => `epoch_ms(${column}::BIGINT)::TIMESTAMPTZ`;
  await connection.run('BEGIN TRANSACTION');
  try {
    await connection.run(`CREATE OR REPLACE TEMP TABLE staging_ids AS SELECT unnest($1::VARCHAR[]) AS series_id, generate_subscripts($1::VARCHAR[], 1) - 1 AS series_idx`, [
      listParam(records.map((r) => r.seriesId)),
    ]);
    await connection.run(
      `INSERT INTO forecasts
       SELECT $1, i.series_id, f.model, f.fallback_reason, f.aggregation, f.step_s::BIGINT, coalesce(f.periods::DOUBLE[]::INTEGER[], []),
              f.params::JSON, f.candidates::JSON, f.backtest_windows::INTEGER, f.backtest_horizon::INTEGER, f.mase, f.coverage::JSON,
              ${ts('f.data_start')}, ${ts('f.data_end')}, f.data_points::INTEGER, f.data_missing::INTEGER, f.data_gaps::INTEGER,
              f.data_resolution_s::BIGINT, f.last_value, f.error
       FROM staging_forecasts f JOIN staging_ids i ON i.series_idx = f.idx ORDER BY f.idx`,
      [runId],
    );
    await connection.run(
      `INSERT INTO exhaustion
       SELECT $1, i.series_id, e.threshold, e.capacity, e.status, ${ts('e.p10')}, ${ts('e.p50')}, ${ts('e.p90')}, ${ts('e.horizon_end')}, e.p_never
       FROM staging_exhaustion e JOIN staging_ids i ON i.series_idx = e.idx ORDER BY e.idx, e.k`,
      [runId],
    );
    await connection.run(
      `INSERT INTO recommendations
       SELECT $1, i.series_id, r.risk, r.target_headroom, r.action, r.amount, ${ts('r.needed_by')}, ${ts('r.order_by')}, r.lead_time_s::BIGINT, r.late,
              r.capacity_changes::JSON
       FROM staging_recommendations r JOIN staging_ids i ON i.series_idx = r.idx ORDER BY r.idx`,
      [runId],
    );
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
    for (const table of ['staging_points', 'staging_ids', 'staging_forecasts', 'staging_exhaustion', 'staging_recommendations']) {
      await connection.run(`DROP TABLE IF EXISTS temp.${table}`);
    }
  }
}

/** Appends rows (values in the order of `types`) to a table through the appender, a chunk at a time. */
async function appendRows(connection: DuckDBConnection, table: string, types: readonly DuckDBType[], rows: readonly DuckDBValue[][]): Promise<void> {
  if (rows.length === 0) return;
  const appender = await connection.createAppender(table, 'main', 'temp');
  try {
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
      const part = rows.slice(start, start + CHUNK_ROWS);
      const chunk = DuckDBDataChunk.create([...types], part.length);
      chunk.setColumns(types.map((_, c) => part.map((row) => row[c])));
      appender.appendDataChunk(chunk);
    }
  } finally {
    appender.closeSync();
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
