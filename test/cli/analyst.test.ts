import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { Store } from '../../src/store/Store.js';
import { ROOT } from '../reliability/childCli.js';
import { runCli } from '../support/runCli.js';

const NOW = Date.UTC(2026, 10, 24, 9, 30);
const DAY = 86_400_000;
const DEMO_PLAN = join(ROOT, 'datasets/demo-plan.yaml');

/** Runs SQL read-only and returns plain rows. */
async function rows(db: string, sql: string): Promise<unknown[][]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    return (await store.query(sql)).rows.map((r) => [...r]);
  } finally {
    store.close();
  }
}

describe('the database as an analyst reads it: provenance, recommendations, diff between any runs, pruning', () => {
  let dir: string;
  let db: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capplan-analyst-'));
    db = join(dir, 'demo.duckdb');
    // Two demo runs a week apart (runs 1-3, then 4-6: a baseline and two scenarios each).
    for (const nowMs of [NOW, NOW + 7 * DAY]) {
      const r = await runCli(['demo', '--size', 'small', '--db', db, '--out', join(dir, 'r'), '--workers', '2'], { nowMs, cwd: dir });
      expect(r.code, r.stderr).toBe(0);
    }
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('forecast_runs records the plan file, its SHA-256 and the planning settings; the README what-if keeps the demo’s 45-day disk lead time', async () => {
    const sha = createHash('sha256').update(readFileSync(DEMO_PLAN)).digest('hex');
    const demoRuns = await rows(db, `SELECT run_id, plan_sha256, planning->>'$.resources.disk.lead_time_s', planning->>'$.defaults.lead_time_s' FROM forecast_runs ORDER BY run_id`);
    expect(demoRuns).toEqual([1, 2, 3, 4, 5, 6].map((id) => [id, sha, '3888000', '2592000']));

    const copy = join(dir, 'readme.duckdb');
    copyFileSync(db, copy);
    // The README's command: with the demo's plan the disks keep their 45-day lead time.
    const readme = await runCli(['forecast', '--db', copy, '--horizon', '180d', '--workers', '2', '--plan', DEMO_PLAN, '--what-if', 'traffic:growth=+30%@2026-12-20/14d,resources=requests+cpu'], { nowMs: NOW + 7 * DAY });
    expect(readme.code, readme.stderr).toBe(0);
    // An error budget's date comes with its 80% interval, as every date the CLI prints.
    const budgetLines = readme.stdout.split('\n').filter((l) => /^error budget .* runs out /.test(l));
    expect(budgetLines.length).toBeGreaterThan(0);
    for (const l of budgetLines) expect(l).toMatch(/ runs out \d{4}-\d\d-\d\d \(80%: \d{4}-\d\d-\d\d – (\d{4}-\d\d-\d\d|beyond the horizon), UTC\)$/);
    const [[runId, file, hash, defaults]] = await rows(copy, `SELECT run_id, plan_file, plan_sha256, planning->>'$.defaults.lead_time_s' FROM forecast_runs WHERE scenario IS NULL ORDER BY run_id DESC LIMIT 1`);
    expect([runId, file, hash, defaults]).toEqual([7, DEMO_PLAN, sha, '2592000']);
    const leadTimes = await rows(copy, `SELECT DISTINCT s.resource, r.lead_time_s / 86400 FROM recommendations r JOIN series s USING (series_id) WHERE run_id = 7 AND s.resource IN ('disk', 'cpu') ORDER BY 1`);
    expect(leadTimes).toEqual([['cpu', 21], ['disk', 45]]);
    // Without a plan, nothing pretends: the run says it had none.
    const bare = await runCli(['forecast', '--db', copy, '--horizon', '90d', '--workers', '2'], { nowMs: NOW + 7 * DAY });
    expect(bare.code, bare.stderr).toBe(0);
    // …and says so: the demo's 45-day lead time does not silently become 30 days.
    expect(bare.stderr).toContain(`capplan: warning: no --plan: planning with the defaults (30-day lead time, warn at 80%), while run #8 was planned with ${DEMO_PLAN}; pass --plan ${DEMO_PLAN} to keep its settings\n`);
    expect(readme.stderr).not.toMatch(/no --plan/);
    expect(await rows(copy, `SELECT plan_file, plan_sha256, planning->>'$.defaults.lead_time_s' FROM forecast_runs ORDER BY run_id DESC LIMIT 1`)).toEqual([[null, null, '2592000']]);
  }, 120_000);

  it('latest_recommendations lists every series of the newest baseline run, late ones first', async () => {
    const view = await rows(db, `SELECT run_id, name, action, amount, order_by, late, lead_time_days FROM latest_recommendations`);
    const [[count]] = await rows(db, `SELECT count(*) FROM recommendations WHERE run_id = 4`);
    expect(view).toHaveLength(Number(count));
    expect(view.length).toBeGreaterThan(0);
    expect(new Set(view.map((r) => r[0]))).toEqual(new Set([4]));
    const lateFlags = view.map((r) => r[5]);
    expect(lateFlags).toEqual([...lateFlags].sort((a, b) => Number(b) - Number(a)));
    const db01 = view.find((r) => String(r[1]).includes('host="db-01"')) as unknown[];
    expect(db01[2]).toBe('add');
    expect(db01[6]).toBe(45);
  });

  it('diff --from/--to compares any two runs; json and csv stay machine-readable with nothing to compare', async () => {
    const json = await runCli(['diff', '--db', db, '--from', '1', '--to', '4', '--all', '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const changes = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(changes).toHaveLength(8);
    expect(Object.keys(changes[0])).toEqual(['change', 'resource', 'series', 'before_status', 'before_p50', 'after_status', 'after_p50', 'moved_days']);
    for (const c of changes) {
      for (const k of ['before_p50', 'after_p50']) if (c[k] !== null) expect(String(c[k])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(['past', 'within', 'beyond_horizon']).toContain(c.after_status);
    }
    // The same as the default (latest vs the run before it).
    const byDefault = await runCli(['diff', '--db', db, '--all', '--format', 'json']);
    expect(JSON.parse(byDefault.stdout)).toEqual(changes);
    // A scenario run against its own earlier self.
    const scenario = await runCli(['diff', '--db', db, '--from', '2', '--to', '5', '--format', 'csv']);
    expect(scenario.code).toBe(0);
    expect(scenario.stdout.split('\n')[0]).toBe('change,resource,series,before_status,before_p50,after_status,after_p50,moved_days');

    // Nothing earlier than run 1: still JSON / CSV, not a sentence.
    const emptyJson = await runCli(['diff', '--db', db, '--to', '1', '--format', 'json']);
    expect(emptyJson.code).toBe(0);
    expect(JSON.parse(emptyJson.stdout)).toEqual([]);
    const emptyCsv = await runCli(['diff', '--db', db, '--to', '1', '--format', 'csv']);
    expect(emptyCsv.stdout).toBe('change,resource,series,before_status,before_p50,after_status,after_p50,moved_days\n');
    const table = await runCli(['diff', '--db', db, '--to', '1']);
    expect(table.stdout).toMatch(/^no earlier forecast run to compare with run #1/);

    const missing = await runCli(['diff', '--db', db, '--from', '99']);
    expect(missing.code).toBe(ExitCode.usage);
    expect(missing.stderr).toBe(`capplan: --from 99: no such forecast run in ${db}\n`);
  });

  it('budget --format csv has one kind of value per column, no doubled quotes, LF line ends', async () => {
    const csv = await runCli(['budget', '--db', db, '--format', 'csv']);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('slo,objective,window_s,budget_left,error_ratio,burn_rate_1d,alerts_firing,status,exhausted_p10,exhausted_p50,exhausted_p90');
    expect(csv.stdout).not.toMatch(/""|\r/);
    for (const line of lines.slice(1)) {
      const f = line.split(',');
      expect(f[2]).toBe('2592000');
      expect(['past', 'within', 'beyond_horizon']).toContain(f[7]);
      for (const d of f.slice(8)) expect(d).toMatch(/^$|^\d{4}-\d\d-\d\dT/);
    }
    const json = JSON.parse((await runCli(['budget', '--db', db, '--format', 'json'])).stdout) as Record<string, unknown>[];
    expect(typeof json[0].window_s).toBe('number');
    expect(Array.isArray(json[0].alerts_firing)).toBe(true);
  });

  it('prune --keep N deletes older runs and their rows, never samples or the latest run', async () => {
    const copy = join(dir, 'prune.duckdb');
    copyFileSync(db, copy);
    const [[samples]] = await rows(copy, 'SELECT count(*) FROM samples');
    const latestBefore = await rows(copy, 'SELECT count(*), sum(value) FROM forecast_points WHERE run_id = 4');

    expect((await runCli(['prune', '--db', copy])).code).toBe(ExitCode.usage);
    const dry = await runCli(['prune', '--db', copy, '--keep', '1', '--dry-run']);
    expect(dry.stdout).toMatch(/^capplan prune: would delete 3 runs \(#1–#3; rows: .*forecast_points \d/);
    expect(await rows(copy, 'SELECT count(*) FROM forecast_runs')).toEqual([[6]]);

    const pruned = await runCli(['prune', '--db', copy, '--keep', '1']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toMatch(/^capplan prune: deleted 3 runs \(#1–#3; .*\); 3 kept, latest run #4\n$/);
    expect(await rows(copy, 'SELECT list(run_id ORDER BY run_id) FROM forecast_runs')).toEqual([[[4, 5, 6]]]);
    for (const t of ['forecasts', 'forecast_points', 'exhaustion', 'recommendations', 'error_budgets']) {
      expect(await rows(copy, `SELECT count(*) FROM ${t} WHERE run_id < 4`)).toEqual([[0]]);
    }
    expect(await rows(copy, 'SELECT count(*) FROM samples')).toEqual([[samples]]);
    expect(await rows(copy, 'SELECT count(*), sum(value) FROM forecast_points WHERE run_id = 4')).toEqual(latestBefore);

    // --older-than never reaches the latest run, however old.
    const old = await runCli(['prune', '--db', copy, '--older-than', '1d'], { nowMs: NOW + 400 * DAY });
    expect(old.stdout).toMatch(/^capplan prune: nothing to delete; 3 runs kept/);
    expect(await rows(copy, 'SELECT count(*) FROM forecast_runs')).toEqual([[3]]);
  });
});
