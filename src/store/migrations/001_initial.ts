import type { Migration } from './Migration.js';
import { commentStatements } from './schemaComments.js';

/**
 * The first public schema. Timestamps are TIMESTAMPTZ (instants; shown in the
 * reader's zone); labels are MAP(VARCHAR, VARCHAR) so `labels['cluster']` works
 * in SQL. Runs are append-only: nothing here is ever updated except a run's
 * own status row when it finishes.
 */
export const initialSchema: Migration = {
  version: 1,
  description: 'series, samples, pulls, forecast runs, forecasts, forecast points, exhaustion, views',
  statements: [
    `CREATE TABLE resources (
       resource     VARCHAR PRIMARY KEY,
       kind         VARCHAR NOT NULL DEFAULT 'capacity',
       unit         VARCHAR,
       direction    VARCHAR NOT NULL DEFAULT 'rising',
       description  VARCHAR
     )`,
    `CREATE TABLE series (
       series_id    VARCHAR PRIMARY KEY,
       resource     VARCHAR NOT NULL,
       metric       VARCHAR NOT NULL,
       labels       MAP(VARCHAR, VARCHAR) NOT NULL,
       name         VARCHAR NOT NULL,
       unit         VARCHAR,
       capacity     DOUBLE,
       description  VARCHAR,
       first_seen   TIMESTAMPTZ NOT NULL,
       first_ts     TIMESTAMPTZ,
       last_ts      TIMESTAMPTZ
     )`,
    `CREATE SEQUENCE pull_ids START 1`,
    `CREATE TABLE pulls (
       pull_id      INTEGER PRIMARY KEY,
       started_at   TIMESTAMPTZ NOT NULL,
       finished_at  TIMESTAMPTZ,
       source       VARCHAR NOT NULL,
       resource     VARCHAR,
       query        VARCHAR,
       range_start  TIMESTAMPTZ,
       range_end    TIMESTAMPTZ,
       step_s       BIGINT,
       resolution   VARCHAR,
       status       VARCHAR NOT NULL,
       warnings     VARCHAR[] NOT NULL DEFAULT [],
       series_count INTEGER NOT NULL DEFAULT 0,
       sample_count BIGINT NOT NULL DEFAULT 0,
       error        VARCHAR
     )`,
    `CREATE TABLE samples (
       series_id    VARCHAR NOT NULL,
       ts           TIMESTAMPTZ NOT NULL,
       value        DOUBLE NOT NULL,
       resolution_s INTEGER NOT NULL,
       pull_id      INTEGER NOT NULL
     )`,
    `CREATE SEQUENCE run_ids START 1`,
    `CREATE TABLE forecast_runs (
       run_id          INTEGER PRIMARY KEY,
       started_at      TIMESTAMPTZ NOT NULL,
       finished_at     TIMESTAMPTZ,
       as_of           TIMESTAMPTZ NOT NULL,
       horizon_s       BIGINT NOT NULL,
       levels          DOUBLE[] NOT NULL,
       scenario        VARCHAR,
       status          VARCHAR NOT NULL,
       capplan_version VARCHAR NOT NULL,
       series_count    INTEGER NOT NULL DEFAULT 0,
       failed_count    INTEGER NOT NULL DEFAULT 0,
       options         JSON
     )`,
    `CREATE TABLE forecasts (
       run_id            INTEGER NOT NULL,
       series_id         VARCHAR NOT NULL,
       model             VARCHAR,
       fallback_reason   VARCHAR,
       aggregation       VARCHAR,
       step_s            BIGINT,
       periods           INTEGER[],
       params            JSON,
       candidates        JSON,
       backtest_windows  INTEGER,
       backtest_horizon  INTEGER,
       mase              DOUBLE,
       coverage          JSON,
       data_start        TIMESTAMPTZ,
       data_end          TIMESTAMPTZ,
       data_points       INTEGER,
       data_missing      INTEGER,
       data_gaps         INTEGER,
       data_resolution_s BIGINT,
       last_value        DOUBLE,
       error             VARCHAR,
       PRIMARY KEY (run_id, series_id)
     )`,
    `CREATE TABLE forecast_points (
       run_id    INTEGER NOT NULL,
       series_id VARCHAR NOT NULL,
       ts        TIMESTAMPTZ NOT NULL,
       level     DOUBLE NOT NULL,
       value     DOUBLE NOT NULL,
       lower     DOUBLE NOT NULL,
       upper     DOUBLE NOT NULL
     )`,
    `CREATE TABLE exhaustion (
       run_id      INTEGER NOT NULL,
       series_id   VARCHAR NOT NULL,
       threshold   DOUBLE NOT NULL,
       capacity    DOUBLE NOT NULL,
       status      VARCHAR NOT NULL,
       p10         TIMESTAMPTZ,
       p50         TIMESTAMPTZ,
       p90         TIMESTAMPTZ,
       horizon_end TIMESTAMPTZ NOT NULL,
       PRIMARY KEY (run_id, series_id, threshold)
     )`,
    // Latest successful baseline run that forecast each series.
    `CREATE VIEW latest_forecasts AS
       SELECT f.*, r.as_of, r.started_at AS run_started_at
       FROM forecasts f JOIN forecast_runs r USING (run_id)
       WHERE r.scenario IS NULL AND r.status = 'ok'
       QUALIFY row_number() OVER (PARTITION BY f.series_id ORDER BY f.run_id DESC) = 1`,
    `CREATE VIEW latest_forecast_points AS
       SELECT p.* FROM forecast_points p
       JOIN latest_forecasts f USING (run_id, series_id)`,
    `CREATE VIEW latest_exhaustion AS
       SELECT s.resource, s.name, s.labels, s.unit, e.*, f.model, f.mase
       FROM exhaustion e
       JOIN latest_forecasts f USING (run_id, series_id)
       JOIN series s USING (series_id)`,
    `CREATE VIEW headroom AS
       WITH last AS (
         SELECT series_id, arg_max(value, ts) AS usage, max(ts) AS usage_at
         FROM samples GROUP BY series_id
       )
       SELECT s.series_id, s.resource, s.name, s.labels, s.unit, l.usage_at, l.usage, s.capacity,
              CASE WHEN coalesce(r.direction, 'rising') = 'falling' THEN l.usage
                   ELSE s.capacity - l.usage END AS headroom,
              CASE WHEN s.capacity IS NULL OR s.capacity = 0 THEN NULL
                   WHEN coalesce(r.direction, 'rising') = 'falling' THEN l.usage / s.capacity
                   ELSE (s.capacity - l.usage) / s.capacity END AS headroom_ratio
       FROM series s JOIN last l USING (series_id)
       LEFT JOIN resources r USING (resource)`,
    ...commentStatements(),
  ],
};
