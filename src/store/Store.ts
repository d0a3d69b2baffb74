import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { VERSION } from '../version.js';
import type { ErrorBudgetRecord, ForecastRecord, ForecastRunInfo } from './ForecastRecord.js';
import { openDatabase, type OpenOptions } from './openDatabase.js';
import { readCapacityPairs, type CapacityPair } from './readCapacityPairs.js';
import { readSampleBatches, sampleCounts, type StoredSamples } from './readSampleBatches.js';
import { runQuery, type QueryResult } from './runQuery.js';
import { listParam } from './sqlValues.js';
import { writeErrorBudgets, writeForecasts } from './writeForecasts.js';
import { SampleWriter } from './SampleWriter.js';
import { writeSamples, type SeriesSamples, type WriteResult } from './writeSamples.js';

/** A stored series with its descriptive fields. */
export interface SeriesRow {
  readonly seriesId: string;
  readonly resource: string;
  readonly metric: string;
  readonly labels: Record<string, string>;
  readonly name: string;
  readonly unit: string | null;
  readonly capacity: number | null;
  readonly description: string | null;
  readonly direction: 'rising' | 'falling';
  /** The resource's kind: `capacity` (planned against capacity) or `slo` (planned by error budget). */
  readonly kind: string;
}

/** One resource kind (disk, cpu, …) and how to read it. */
export interface ResourceRow {
  readonly resource: string;
  readonly kind?: string;
  readonly unit?: string | null;
  readonly direction?: 'rising' | 'falling';
  readonly description?: string | null;
}

/** What a pull was asked to do. */
export interface PullInfo {
  readonly source: string;
  readonly resource?: string | null;
  readonly query?: string | null;
  readonly rangeStartMs?: number | null;
  readonly rangeEndMs?: number | null;
  readonly stepMs?: number | null;
  readonly resolution?: string | null;
  /** Hash of what was asked (queries and parameters); a change means the stored series must be re-read whole. */
  readonly queryHash?: string | null;
}

/** A recorded pull of a resource, as incremental pulls plan from it. */
export interface PreviousPull {
  readonly pullId: number;
  readonly status: string;
  readonly queryHash: string | null;
  readonly rangeStartMs: number | null;
  readonly rangeEndMs: number | null;
}

/** How a pull ended. */
export interface PullOutcome {
  readonly status: 'ok' | 'partial' | 'failed';
  readonly warnings?: readonly string[];
  readonly seriesCount: number;
  readonly sampleCount: number;
  /** Stored values the pull changed. */
  readonly updatedCount?: number;
  /** NaN/±Inf (stale or missing) points the server returned and the pull did not store. */
  readonly droppedCount?: number;
  readonly error?: string | null;
}

export type { StoredSamples };

/** How a forecast run ended, with its series accounted for. */
export interface ForecastRunOutcome {
  readonly status: 'ok' | 'failed';
  /** Series with a forecasts row: forecast + failed. */
  readonly seriesCount: number;
  readonly failedCount: number;
  /** Series the run set out to forecast. */
  readonly expectedCount?: number;
  readonly forecastCount?: number;
  /** Series with no stored samples. */
  readonly skippedCount?: number;
  readonly error?: string | null;
}

/**
 * capplan's DuckDB database: the only code that writes it. Every pull and
 * forecast run is appended with its own id; nothing is overwritten.
 */
export class Store {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly path: string,
    readonly readOnly: boolean,
    private readonly now: () => number,
  ) {}

  /** Opens or creates the database at `path`; see `openDatabase` for the checks made first. */
  static async open(path: string, options: OpenOptions = {}): Promise<Store> {
    const db = await openDatabase(path, options);
    return new Store(db.instance, db.connection, db.path, Boolean(options.readOnly), options.now ?? Date.now);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  async upsertResource(r: ResourceRow): Promise<void> {
    await this.connection.run(
      `INSERT INTO resources VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (resource) DO UPDATE SET kind = excluded.kind, unit = excluded.unit,
         direction = excluded.direction, description = excluded.description`,
      [r.resource, r.kind ?? 'capacity', r.unit ?? null, r.direction ?? 'rising', r.description ?? null],
    );
  }

  /** Records the start of a pull and returns its id; the row stays 'running' until `finishPull`. */
  async beginPull(info: PullInfo): Promise<number> {
    const reader = await this.connection.runAndReadAll(
      `INSERT INTO pulls (pull_id, started_at, source, resource, query, range_start, range_end, step_s, resolution, status, query_hash)
       VALUES (nextval('pull_ids'), epoch_ms($1::BIGINT)::TIMESTAMPTZ, $2, $3, $4,
               epoch_ms($5::BIGINT)::TIMESTAMPTZ, epoch_ms($6::BIGINT)::TIMESTAMPTZ, $7, $8, 'running', $9)
       RETURNING pull_id`,
      [
        Math.round(this.now()),
        info.source,
        info.resource ?? null,
        info.query ?? null,
        info.rangeStartMs == null ? null : Math.round(info.rangeStartMs),
        info.rangeEndMs == null ? null : Math.round(info.rangeEndMs),
        info.stepMs == null ? null : Math.round(info.stepMs / 1000),
        info.resolution ?? null,
        info.queryHash ?? null,
      ],
    );
    return Number(reader.getRowObjectsJS()[0].pull_id);
  }

  /**
   * The newest pull of a resource: with `finished`, the newest that ended ok or partial (not failed or
   * interrupted). Null when there is none.
   */
  async latestPull(resource: string, options: { finished?: boolean } = {}): Promise<PreviousPull | null> {
    const reader = await this.connection.runAndReadAll(
      `SELECT pull_id, status, query_hash, epoch_ms(range_start)::DOUBLE AS s, epoch_ms(range_end)::DOUBLE AS e
       FROM pulls WHERE resource = $1 AND (NOT $2 OR status IN ('ok', 'partial'))
       ORDER BY pull_id DESC LIMIT 1`,
      [resource, Boolean(options.finished)],
    );
    const r = reader.getRowObjectsJS()[0];
    if (!r) return null;
    return {
      pullId: Number(r.pull_id),
      status: String(r.status),
      queryHash: r.query_hash === null ? null : String(r.query_hash),
      rangeStartMs: r.s === null ? null : Number(r.s),
      rangeEndMs: r.e === null ? null : Number(r.e),
    };
  }

  /** Each stored series of a resource and metric with the time (ms) of its newest sample (null when it has none). */
  async seriesExtents(resource: string, metric: string): Promise<Map<string, number | null>> {
    const reader = await this.connection.runAndReadAll(
      `SELECT series_id, epoch_ms(last_ts)::DOUBLE AS last FROM series WHERE resource = $1 AND metric = $2`,
      [resource, metric],
    );
    return new Map(reader.getRowObjectsJS().map((r) => [String(r.series_id), r.last === null ? null : Number(r.last)]));
  }

  async finishPull(pullId: number, outcome: PullOutcome): Promise<void> {
    await this.connection.run(
      `UPDATE pulls SET finished_at = epoch_ms($2::BIGINT)::TIMESTAMPTZ, status = $3, warnings = coalesce($4::VARCHAR[], []),
         series_count = $5, sample_count = $6, error = $7, updated_count = $8, dropped_count = $9
       WHERE pull_id = $1`,
      [
        pullId,
        Math.round(this.now()),
        outcome.status,
        listParam(outcome.warnings ?? []),
        outcome.seriesCount,
        outcome.sampleCount,
        outcome.error ?? null,
        outcome.updatedCount ?? 0,
        outcome.droppedCount ?? 0,
      ],
    );
  }

  /**
   * Marks the pulls and forecast runs still `running` as ended by an
   * interrupt (pulls `interrupted`, runs `failed`), on a connection of its own:
   * the main one may be inside a transaction the process will never commit.
   */
  async markInterrupted(reason: string): Promise<{ pulls: number; runs: number }> {
    const c = await this.instance.connect();
    try {
      const pulls = await c.run(
        `UPDATE pulls SET status = 'interrupted', finished_at = epoch_ms($1::BIGINT)::TIMESTAMPTZ,
           error = $2 || ': samples stored before it are kept; the next pull resumes after them'
         WHERE status = 'running'`,
        [Math.round(this.now()), reason],
      );
      const runs = await c.run(
        `UPDATE forecast_runs SET status = 'failed', finished_at = epoch_ms($1::BIGINT)::TIMESTAMPTZ WHERE status = 'running'`,
        [Math.round(this.now())],
      );
      return { pulls: Number(pulls.rowsChanged), runs: Number(runs.rowsChanged) };
    } finally {
      c.closeSync();
    }
  }

  /** Atomic and idempotent; see `writeSamples`. */
  writeSamples(pullId: number, batch: readonly SeriesSamples[]): Promise<WriteResult> {
    return writeSamples(this.connection, pullId, batch, this.now());
  }

  /** A writer for the batches of one pull (each batch atomic and idempotent); close it when the pull ends. See `SampleWriter`. */
  sampleWriter(pullId: number): SampleWriter {
    return new SampleWriter(this.connection, pullId, this.now);
  }

  async listSeries(filter: { resource?: string } = {}): Promise<SeriesRow[]> {
    const reader = await this.connection.runAndReadAll(
      `SELECT s.series_id, s.resource, s.metric, map_keys(s.labels) AS k, map_values(s.labels) AS v, s.name, s.unit,
              s.capacity, s.description, coalesce(r.direction, 'rising') AS direction, coalesce(r.kind, 'capacity') AS kind
       FROM series s LEFT JOIN resources r USING (resource)
       WHERE $1::VARCHAR IS NULL OR s.resource = $1
       ORDER BY s.resource, s.name, s.series_id`,
      [filter.resource ?? null],
    );
    return reader.getRowObjectsJS().map((r) => {
      const keys = r.k as string[];
      const values = r.v as string[];
      return {
        seriesId: String(r.series_id),
        resource: String(r.resource),
        metric: String(r.metric),
        labels: Object.fromEntries(keys.map((k, i) => [k, values[i]])),
        name: String(r.name),
        unit: r.unit === null ? null : String(r.unit),
        capacity: r.capacity === null ? null : Number(r.capacity),
        description: r.description === null ? null : String(r.description),
        direction: r.direction === 'falling' ? 'falling' : 'rising',
        kind: String(r.kind),
      };
    });
  }

  /** All samples of one series, ascending by time. */
  async readSamples(seriesId: string, untilMs?: number): Promise<StoredSamples> {
    const reader = await this.connection.runAndReadAll(
      `SELECT epoch_ms(ts)::DOUBLE AS t, value FROM samples
       WHERE series_id = $1 AND ($2::BIGINT IS NULL OR ts <= epoch_ms($2::BIGINT)::TIMESTAMPTZ)
       ORDER BY ts`,
      [seriesId, untilMs == null ? null : Math.round(untilMs)],
    );
    const cols = reader.getColumnsJS();
    return { seriesId, timestamps: Float64Array.from(cols[0] as number[]), values: Float64Array.from(cols[1] as number[]) };
  }

  /** Stored samples per series (series without samples are absent), in series_id order. */
  sampleCounts(seriesIds?: readonly string[]): Promise<Map<string, number>> {
    return sampleCounts(this.connection, seriesIds);
  }

  /**
   * Every series' samples (or those of `seriesIds` that have any), one series
   * at a time in series_id order, read in bounded batches so the fleet is never
   * held in memory at once. Each batch is read whole before it is yielded, so
   * the caller may write to the store between series.
   */
  async *streamSamples(seriesIds?: readonly string[]): AsyncGenerator<StoredSamples> {
    const counts = await sampleCounts(this.connection, seriesIds);
    // A connection of its own, so the next batch is read while the caller writes results on the main one.
    const reader = await this.instance.connect();
    try {
      yield* readSampleBatches(reader, counts, undefined, { prefetch: true });
    } finally {
      reader.closeSync();
    }
  }

  /**
   * Copies the latest value of each series' paired capacity series into
   * series.capacity (what reports and the headroom views read), for these usage series.
   */
  async copyPairedCapacities(seriesIds: readonly string[]): Promise<void> {
    if (seriesIds.length === 0) return;
    await this.connection.run(
      `UPDATE series SET capacity = p.capacity
       FROM capacity_pairs p
       WHERE series.series_id = p.usage_series_id AND p.status = 'paired' AND isfinite(p.capacity) AND p.capacity > 0
         AND series.capacity IS DISTINCT FROM p.capacity
         AND series.series_id IN (SELECT unnest($1::VARCHAR[]))`,
      [listParam(seriesIds)],
    );
  }

  /** How pulled capacity series pair with usage series (see `capacity_pairs`). */
  capacityPairs(): Promise<CapacityPair[]> {
    return readCapacityPairs(this.connection);
  }

  async beginForecastRun(info: ForecastRunInfo): Promise<number> {
    const reader = await this.connection.runAndReadAll(
      `INSERT INTO forecast_runs (run_id, started_at, as_of, horizon_s, levels, scenario, status, capplan_version, options, plan_file, plan_sha256, planning)
       VALUES (nextval('run_ids'), epoch_ms($1::BIGINT)::TIMESTAMPTZ, epoch_ms($2::BIGINT)::TIMESTAMPTZ, $3, coalesce($4::DOUBLE[], []), $5, 'running', $6, $7::JSON, $8, $9, $10::JSON)
       RETURNING run_id`,
      [
        Math.round(this.now()),
        Math.round(info.asOfMs),
        Math.round(info.horizonMs / 1000),
        listParam(info.levels),
        info.scenario,
        VERSION,
        JSON.stringify(info.options ?? null),
        info.planFile ?? null,
        info.planSha256 ?? null,
        info.planning === undefined || info.planning === null ? null : JSON.stringify(info.planning),
      ],
    );
    return Number(reader.getRowObjectsJS()[0].run_id);
  }

  /** Atomic per call; call once per batch of series. */
  writeForecasts(runId: number, records: readonly ForecastRecord[]): Promise<void> {
    return writeForecasts(this.connection, runId, records);
  }

  writeErrorBudgets(runId: number, records: readonly ErrorBudgetRecord[]): Promise<void> {
    return writeErrorBudgets(this.connection, runId, records);
  }

  async finishForecastRun(runId: number, outcome: ForecastRunOutcome): Promise<void> {
    await this.connection.run(
      `UPDATE forecast_runs SET finished_at = epoch_ms($2::BIGINT)::TIMESTAMPTZ, status = $3, series_count = $4, failed_count = $5,
         expected_count = $6, forecast_count = $7, skipped_count = $8, error = $9
       WHERE run_id = $1`,
      [
        runId,
        Math.round(this.now()),
        outcome.status,
        outcome.seriesCount,
        outcome.failedCount,
        outcome.expectedCount ?? null,
        outcome.forecastCount ?? null,
        outcome.skippedCount ?? null,
        outcome.error ?? null,
      ],
    );
  }

  /** Forecasts rows stored for a run: with a model, and failed (with an error). */
  async forecastRowCounts(runId: number): Promise<{ forecast: number; failed: number }> {
    const reader = await this.connection.runAndReadAll(
      `SELECT count(*) FILTER (WHERE error IS NULL)::INTEGER, count(*) FILTER (WHERE error IS NOT NULL)::INTEGER FROM forecasts WHERE run_id = $1`,
      [runId],
    );
    const [forecast, failed] = reader.getRows()[0];
    return { forecast: Number(forecast), failed: Number(failed) };
  }

  /** Runs analyst SQL; see `runQuery`. */
  query(sql: string): Promise<QueryResult> {
    return runQuery(this.connection, sql);
  }
}
