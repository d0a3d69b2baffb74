import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleDataset, runKeyOf, writeShardDataset, type AssembledDataset, type ShardManifest } from '../store/parquetDataset.js';
import { inShard, type Shard } from '../shard.js';
import { quoteLiteral } from '../store/sql.js';
import { listParam } from '../store/sqlValues.js';
import { Store, type SeriesRow } from '../store/Store.js';
import { planRun, type PlanRunOptions, type PlanRunResult } from './planRun.js';

export interface ShardRunOptions extends Omit<PlanRunOptions, 'shard' | 'asOfMs'> {
  readonly shard: Shard;
  /** The dataset directory: this shard writes `run=<run>/shard=<I>/`. */
  readonly outDir: string;
  /** The run key shared by every shard of one run; default the as-of time (`20261130T0100Z`). */
  readonly run?: string;
  /** Where the scratch database goes; default the OS temp directory. */
  readonly tmpDir?: string;
  readonly now: () => number;
}

export interface ShardRunResult extends PlanRunResult {
  readonly asOfMs: number;
  readonly path: string;
  readonly manifest: ShardManifest;
}

/**
 * Forecasts one shard of the fleet stored in `sourcePath` without writing to
 * it, so N processes (the pods of an Indexed Job) can share one database
 * read-only: the shard's series, their capacity series, the SLO series and
 * the pulls are copied into a scratch database, planned there exactly as
 * `planRun` plans a whole database, and written out as the shard's part of a
 * Parquet dataset. The as-of time is the whole database's, as an unsharded
 * run would use.
 */
export async function runShardToDataset(sourcePath: string, o: ShardRunOptions): Promise<ShardRunResult> {
  const source = await Store.open(sourcePath, { readOnly: true, now: o.now });
  let asOfMs: number;
  let ids: string[];
  try {
    const asOf = await source.query(`SELECT coalesce(epoch_ms(max(ts))::DOUBLE, 0) FROM samples`);
    asOfMs = Number(asOf.rows[0][0]) || o.now();
    ids = shardSeries(await source.listSeries(), o.shard, new Set((o.planning?.slos ?? []).map((s) => s.name)));
  } finally {
    source.close();
  }

  const scratchDir = mkdtempSync(join(o.tmpDir ?? tmpdir(), 'capplan-shard-'));
  try {
    const scratch = await Store.open(join(scratchDir, 'shard.duckdb'), { now: o.now });
    try {
      const c = scratch.connection;
      await c.run(`ATTACH ${quoteLiteral(source.path)} AS src (READ_ONLY)`);
      await c.run(`CREATE TEMP TABLE wanted AS SELECT unnest($1::VARCHAR[]) AS series_id`, [listParam(ids)]);
      await c.run(`INSERT INTO resources BY NAME SELECT * FROM src.resources`);
      await c.run(`INSERT INTO pulls BY NAME SELECT * FROM src.pulls`);
      await c.run(`INSERT INTO series BY NAME SELECT * FROM src.series WHERE series_id IN (SELECT series_id FROM wanted)`);
      await c.run(`INSERT INTO samples BY NAME SELECT * FROM src.samples WHERE series_id IN (SELECT series_id FROM wanted)`);
      await c.run('DROP TABLE wanted');
      await c.run('DETACH src');

      const { shard: _shard, outDir: _out, run: _run, tmpDir: _tmp, now: _now, ...plan } = o;
      const result = await planRun(scratch, { ...plan, asOfMs, shard: o.shard });
      const written = await writeShardDataset(scratch, {
        dir: o.outDir,
        run: o.run ?? runKeyOf(asOfMs),
        shard: o.shard,
        asOfMs,
        seriesForecast: result.forecast.seriesCount,
        seriesFailed: result.forecast.failedCount,
        nowMs: o.now(),
      });
      return { ...result, asOfMs, ...written };
    } finally {
      scratch.close();
    }
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
}

/**
 * The series a shard needs: its own usage series, the capacity series paired
 * with them (same resource and labels), and every SLO series (each shard
 * computes the error budgets; the assembled report takes shard 1's).
 */
function shardSeries(all: readonly SeriesRow[], shard: Shard, sloNames: ReadonlySet<string>): string[] {
  const isSlo = (s: SeriesRow) => s.kind === 'slo' || sloNames.has(s.resource) || sloNames.has(s.resource.replace(/:(errors|good|total)$/, ''));
  const key = (s: SeriesRow) => JSON.stringify([s.resource, Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
  const mine = all.filter((s) => s.metric !== 'capacity' && !isSlo(s) && inShard(s.seriesId, shard));
  const keys = new Set(mine.map(key));
  const capacities = all.filter((s) => s.metric === 'capacity' && keys.has(key(s)));
  return [...mine, ...capacities, ...all.filter(isSlo)].map((s) => s.seriesId);
}

/** A scratch database holding one assembled dataset run; `close` removes it. */
export interface AssembledStore {
  readonly store: Store;
  readonly dataset: AssembledDataset;
  close(): void;
}

/**
 * Assembles a shard dataset (`capplan forecast --out-parquet`) into a scratch
 * database that reads like the database of one unsharded run, for the report.
 */
export async function openAssembledDataset(dir: string, o: { readonly now: () => number; readonly tmpDir?: string }): Promise<AssembledStore> {
  const scratchDir = mkdtempSync(join(o.tmpDir ?? tmpdir(), 'capplan-assemble-'));
  let store: Store | null = null;
  try {
    store = await Store.open(join(scratchDir, 'assembled.duckdb'), { now: o.now });
    const dataset = await assembleDataset(dir, store);
    const opened = store;
    return {
      store: opened,
      dataset,
      close() {
        opened.close();
        rmSync(scratchDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    store?.close();
    rmSync(scratchDir, { recursive: true, force: true });
    throw err;
  }
}
