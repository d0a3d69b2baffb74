import { copyFileSync, existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { buildReportModel } from '../../src/report/buildReportModel.js';
import { Store } from '../../src/store/Store.js';
import { startFaultProxy } from '../support/faultProxy.js';
import { startPrometheusWithHistory, type RunningPrometheus, type SyntheticSeries } from '../support/prometheus.js';
import { killCliAfter, LONG, prng, requireBuiltCli, ROOT, runCliChild, startCli } from './childCli.js';
import { spawnSync } from 'node:child_process';
import { checkConsistency, openAndCheck, sampleRows } from './consistency.js';

/*
 * SIGKILL `capplan pull` and `capplan forecast` (the compiled CLI, as cron
 * runs it) at random instants, over and over. After every kill the database
 * must open, pass a CHECKPOINT, a full scan and capplan's consistency
 * queries, and a restart must finish the job with exactly the result of an
 * uninterrupted run. Two overlapping runs: the second exits 4 naming the file
 * and the process holding it.
 *
 * The CLI pulls up to the wall clock (it has no frozen clock), so the history
 * ends a day before now and the lookback reaches past its start: every run in
 * the next day stores the same points.
 */

const M = 60_000;
const H = 60 * M;
const DAY = 24 * H;
const END = Math.floor(Date.now() / H) * H - DAY;
const DAYS = 30;
const START = END - DAYS * DAY;
const SERIES = 12;
const ITERATIONS = LONG ? 40 : 10;
const SEED = Number(process.env.CAPPLAN_CRASH_SEED ?? 20261124);

const series: SyntheticSeries[] = Array.from({ length: SERIES }, (_, i) => [
  {
    metric: 'capplan_crash_used_bytes',
    labels: { host: `h${String(i).padStart(2, '0')}` },
    value: (t: number) => 1e10 * (i + 1) + Math.floor((t - START) / M) * (500 + 37 * i) + ((((t - START) / M) % 1440) * 11),
  },
  { metric: 'capplan_crash_size_bytes', labels: { host: `h${String(i).padStart(2, '0')}` }, value: () => 1e12 },
]).flat();

let prom: RunningPrometheus;
let work: string;
let planFile: string;
let refPull: { rows: string[]; ms: number };
let refForecast: { result: string[]; ms: number };
let pulledDb: string;

function writePlan(url: string, file: string): string {
  writeFileSync(
    file,
    `sources:
  prom:
    url: ${url}
    type: prometheus
    maxPoints: 120
    concurrency: 2
resources:
  - name: disk
    source: prom
    usage: capplan_crash_used_bytes
    capacity: capplan_crash_size_bytes
    step: 1h
    lookback: 35d
    unit: bytes
`,
  );
  return file;
}

/** What a forecast run leaves behind, minus run ids and wall-clock times: the latest forecasts, points and exhaustion. */
async function forecastResult(db: string): Promise<string[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    const out: string[] = [];
    for (const sql of [
      `SELECT series_id, model, fallback_reason, mase, data_points, last_value, error, epoch_ms(as_of) FROM latest_forecasts ORDER BY series_id`,
      `SELECT series_id, epoch_ms(ts), level, value, lower, upper FROM latest_forecast_points ORDER BY ALL`,
      `SELECT series_id, threshold, status, epoch_ms(p10), epoch_ms(p50), epoch_ms(p90) FROM latest_exhaustion ORDER BY ALL`,
    ]) {
      const r = await store.connection.runAndReadAll(sql);
      for (const row of r.getRowsJS()) out.push(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
    }
    return out;
  } finally {
    store.close();
  }
}

async function storedRows(db: string): Promise<string[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    return await sampleRows(store.connection);
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  requireBuiltCli();
  work = mkdtempSync(join(tmpdir(), 'capplan-crash-'));
  prom = await startPrometheusWithHistory({ dir: work, series, fromMs: START, toMs: END, intervalMs: 5 * M });
  planFile = writePlan(prom.url, join(work, 'plan.yaml'));

  pulledDb = join(work, 'ref-pull.duckdb');
  const pull = await runCliChild(['pull', '--db', pulledDb, '--plan', planFile]);
  expect(pull.stderr).toBe('');
  expect(pull.code).toBe(0);
  refPull = { rows: await storedRows(pulledDb), ms: pull.ms };
  expect(refPull.rows.length).toBe(2 * SERIES * (DAYS * 24 + 1));

  const forecastDb = join(work, 'ref-forecast.duckdb');
  copyFileSync(pulledDb, forecastDb);
  const forecast = await runCliChild(['forecast', '--db', forecastDb, '--horizon', '90d']);
  expect(forecast.code, forecast.stderr).toBe(0);
  refForecast = { result: await forecastResult(forecastDb), ms: forecast.ms };
  expect(refForecast.result.length).toBeGreaterThan(2 * SERIES);
  console.log(`reference runs: pull ${refPull.ms.toFixed(0)} ms (${refPull.rows.length} samples), forecast ${refForecast.ms.toFixed(0)} ms`);
}, 180_000);

afterAll(async () => {
  await prom?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Kill {
  readonly at: number;
  readonly killed: boolean;
  readonly inconsistencies: number;
  /** The kill landed between schema creation and its first checkpoint (see WAL_REPLAY_BUG). */
  readonly knownBug?: boolean;
}

/**
 * Known bug (src/store/openDatabase.ts, `migrate` on a new file): the schema is committed to the WAL
 * only, and DuckDB 1.x cannot replay its COMMENT ON statements ("Calling
 * DatabaseManager::GetDefaultDatabase with no default database set", duckdb/duckdb#19712). A process
 * killed after creating a database and before its first CHECKPOINT leaves a file no capplan command
 * can open again. The pull command checkpoints right after opening, which narrows the window but does
 * not close it. The test 'a database killed right after creation opens again' reproduces it every time;
 * the kill loops count such hits separately, apply the workaround (delete the .wal, which holds only
 * the schema) and go on.
 */
const WAL_REPLAY_BUG = /Failure while replaying WAL file.*GetDefaultDatabase with no default database set/;

/** openAndCheck, except that the known WAL replay bug is reported (and worked around) instead of thrown. */
async function openAndCheckOrKnownBug(db: string): Promise<{ failures: Record<string, string[]>; knownBug: boolean }> {
  try {
    return { ...(await openAndCheck(db)), knownBug: false };
  } catch (err) {
    if (!(err instanceof Error) || !WAL_REPLAY_BUG.test(err.message) || !existsSync(`${db}.wal`)) throw err;
    unlinkSync(`${db}.wal`);
    return { ...(await openAndCheck(db)), knownBug: true };
  }
}

function summary(what: string, kills: readonly Kill[]): string {
  const killed = kills.filter((k) => k.killed).length;
  const bad = kills.reduce((a, k) => a + k.inconsistencies, 0);
  const known = kills.filter((k) => k.knownBug).length;
  return (
    `${what}: ${kills.length} iterations (seed ${SEED}), ${killed} killed mid-run, ${bad} inconsistencies, ` +
    `${known} unopenable after a kill (WAL replay); kill instants ms: ${kills.map((k) => Math.round(k.at)).join(' ')}`
  );
}

describe('SIGKILL at random points', () => {
  it(`capplan pull, ${ITERATIONS} times: the database stays consistent and a restart completes the same pull`, async () => {
    const random = prng(SEED);
    const kills: Kill[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const db = join(work, `pull-${i}.duckdb`);
      // Instants from process start to a little past the uninterrupted run: start-up, schema creation, windows, the end.
      const at = random() * refPull.ms * 1.1;
      const run = await killCliAfter(['pull', '--db', db, '--plan', planFile], at);
      if (!run.killed) expect(run.code, run.stderr).toBe(0);

      const report = await openAndCheckOrKnownBug(db);
      kills.push({ at, killed: run.killed, inconsistencies: Object.keys(report.failures).length, knownBug: report.knownBug });
      expect(report.failures, `kill ${i} at ${Math.round(at)} ms`).toEqual({});
      // Whatever it stored is exactly what the uninterrupted pull stored.
      const partial = await storedRows(db);
      const ref = new Set(refPull.rows);
      expect(partial.filter((r) => !ref.has(r))).toEqual([]);

      const again = await runCliChild(['pull', '--db', db, '--plan', planFile]);
      expect(again.code, again.stderr).toBe(0);
      expect(await storedRows(db)).toEqual(refPull.rows);
      const after = await openAndCheck(db);
      expect(after.failures).toEqual({});
      const store = await Store.open(db, { readOnly: true });
      const statuses = (await store.connection.runAndReadAll(`SELECT status, count(*)::INTEGER AS n FROM pulls GROUP BY ALL ORDER BY ALL`)).getRowObjectsJS();
      store.close();
      // The interrupted pull is closed as failed by the restart; nothing stays 'running'.
      expect(statuses.map((s) => s.status)).not.toContain('running');
    }
    console.log(summary('pull kill loop', kills));
    // A new database is created beside its path and renamed into place, so no kill leaves an unopenable file.
    expect(kills.filter((k) => k.knownBug)).toEqual([]);
    expect(kills.some((k) => k.killed)).toBe(true);
  }, (ITERATIONS + 2) * 60_000);

  it(`capplan forecast --horizon 90d, ${ITERATIONS} times on one database: latest never shows a killed run, a restart gives the same forecasts`, async () => {
    const random = prng(SEED + 1);
    const db = join(work, 'forecast-loop.duckdb');
    copyFileSync(pulledDb, db);
    const kills: Kill[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const at = random() * refForecast.ms * 1.1;
      const run = await killCliAfter(['forecast', '--db', db, '--horizon', '90d'], at);
      if (!run.killed) expect(run.code, run.stderr).toBe(0);
      const report = await openAndCheck(db);
      kills.push({ at, killed: run.killed, inconsistencies: Object.keys(report.failures).length });
      expect(report.failures, `kill ${i} at ${Math.round(at)} ms`).toEqual({});
      // The report reads the latest finished run, never the one the kill left 'running'.
      const store = await Store.open(db, { readOnly: true });
      const [latestOk] = (await store.connection.runAndReadAll(`SELECT max(run_id) FILTER (status = 'ok') AS ok FROM forecast_runs`)).getRowObjectsJS();
      const model = await buildReportModel(store, { nowMs: Date.now(), timeZone: 'UTC', renderCharts: false });
      store.close();
      expect(model.run?.runId ?? null).toBe(latestOk.ok ?? null);

      const again = await runCliChild(['forecast', '--db', db, '--horizon', '90d']);
      expect(again.code, again.stderr).toBe(0);
      expect(await forecastResult(db)).toEqual(refForecast.result);
      expect((await openAndCheck(db)).failures).toEqual({});
    }
    // Samples are untouched by forecasting, killed or not.
    expect(await storedRows(db)).toEqual(refPull.rows);
    console.log(summary('forecast kill loop', kills));
    // A new database is created beside its path and renamed into place, so no kill leaves an unopenable file.
    expect(kills.filter((k) => k.knownBug)).toEqual([]);
    expect(kills.some((k) => k.killed)).toBe(true);
  }, (ITERATIONS + 2) * 90_000);
});

describe('a kill right after the database is created', () => {
  // Guards against WAL_REPLAY_BUG: openDatabase now creates a file beside its path, migrates and checkpoints it,
  // then renames it into place, so no kill can leave a schema that only the WAL holds.
  it('a database killed right after creation opens again', async () => {
    const db = join(work, 'fresh-kill.duckdb');
    // Open (create and migrate) a new database, then die before anything checkpoints it: a kill at the worst instant.
    const code = `import { Store } from './dist/src/store/Store.js';\nawait Store.open(${JSON.stringify(db)});\nprocess.kill(process.pid, 'SIGKILL');\n`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
    expect(r.signal).toBe('SIGKILL');
    const report = await openAndCheck(db);
    expect(report.failures).toEqual({});
    expect(report.rowCounts.schema_migrations).toBeGreaterThan(0);
  });
});

describe('overlapping cron runs', () => {
  it('a second writer exits 4 naming the file and the process holding it; the first finishes, nothing is corrupted', async () => {
    // The first pull goes through a slow proxy, so it holds the database for a while.
    const proxy = await startFaultProxy(prom.url, () => ({ kind: 'delay', ms: 1000 }));
    try {
      const db = join(work, 'overlap.duckdb');
      const slowPlan = writePlan(proxy.url, join(work, 'slow-plan.yaml'));
      const first = startCli(['pull', '--db', db, '--plan', slowPlan]);
      // It holds the file once it has asked the source for data.
      for (let waited = 0; proxy.log.length === 0; waited += 20) {
        if (waited > 30_000) throw new Error(`first pull never reached the source: ${first.output().stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const [second, forecast] = await Promise.all([
        runCliChild(['pull', '--db', db, '--plan', planFile]),
        runCliChild(['forecast', '--db', db, '--horizon', '90d']),
      ]);
      // The first still holds the file: the refusals above were not a race with its end.
      expect(first.proc.exitCode).toBe(null);
      const firstRun = await first.done;

      for (const other of [second, forecast]) {
        expect(other.code, other.stderr).toBe(ExitCode.locked);
        expect(other.stderr).toContain(db);
        expect(other.stderr).toContain(`PID ${first.pid}`);
        expect(other.stderr.trim().split('\n')).toHaveLength(1);
      }
      expect(firstRun.code, firstRun.stderr).toBe(0);
      expect((await openAndCheck(db)).failures).toEqual({});
      expect(await storedRows(db)).toEqual(refPull.rows);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('a reader (capplan sql) waits for the writer, then answers', async () => {
    const db = join(work, 'overlap-sql.duckdb');
    copyFileSync(pulledDb, db);
    const writer = await Store.open(db);
    const reader = startCli(['sql', '--db', db, '--wait', '20', '--format', 'csv', 'SELECT count(*) AS n FROM samples']);
    await new Promise((r) => setTimeout(r, 1500));
    expect(reader.proc.exitCode).toBe(null);
    await checkConsistency(writer.connection);
    writer.close();
    const run = await reader.done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split(/\r?\n/)).toEqual(['n', String(refPull.rows.length)]);
  }, 60_000);
});
