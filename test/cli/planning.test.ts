import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { Store } from '../../src/store/Store.js';
import { runCli } from '../support/runCli.js';
import { useTempDir } from '../support/tempDir.js';
import { FROZEN_NOW } from '../support/clock.js';

const NOW = FROZEN_NOW;
const DAY = 86_400_000;

describe('planning on the demo fleet: headroom, scenarios, error budgets, diff, --fail-on-risk', () => {
  const tempDir = useTempDir();

  it('answers the planner’s questions from one demo run, and what moved after the data is extended', async () => {
    const dir = tempDir();
    const db = join(dir, 'demo.duckdb');
    const first = await runCli(['demo', '--size', 'small', '--db', db, '--out', join(dir, 'r'), '--workers', '2', '--fail-on-risk'], { nowMs: NOW, cwd: dir });
    expect(first.stderr).toBe('');
    // db-01 is past 90% and the search SLO's budget runs out within the warning window.
    expect(first.code).toBe(ExitCode.riskFound);
    expect(first.stdout).toMatch(/scenario {2}traffic-plus-30 \(run #2\)/);
    expect(first.stdout).toMatch(/budget {4}search-availability \(99\.5%\): \d+% left, runs out 2026-1[12]-\d\d/);
    // Every dated risk line carries its 80% interval and what dated it; past ones the model.
    const riskLines = first.stdout.split('\n').filter((l) => / reaches its critical threshold| error budget runs out on/.test(l));
    expect(riskLines.length).toBeGreaterThan(0);
    for (const l of riskLines) expect(l).toMatch(/ on \d{4}-\d\d-\d\d \(80%: \d{4}-\d\d-\d\d – (\d{4}-\d\d-\d\d|beyond the horizon), UTC\) {2}\[[^\]]+\]$/);
    for (const l of first.stdout.split('\n').filter((x) => x.includes('past its critical threshold'))) expect(l).toMatch(/ {2}\[[^\]]+\]$/);

    const headroom = await runCli(['headroom', '--db', db, '--format', 'json'], { nowMs: NOW });
    expect(headroom.code).toBe(0);
    const rows = JSON.parse(headroom.stdout) as Record<string, unknown>[];
    const db01 = rows.find((r) => String(r.series).includes('host="db-01"')) as Record<string, unknown>;
    expect(db01.action).toBe('add');
    expect(Number(db01.add)).toBeGreaterThan(0);
    expect(Number(db01['headroom_2027-Q1'])).toBeLessThan(Number(db01.headroom_now));
    const flat = rows.find((r) => String(r.series).includes('archive-01')) as Record<string, unknown>;
    expect(flat.full_status).toBe('beyond_horizon');
    expect(flat.full_p50).toBeNull();
    // "Never within the horizon" as a probability, stored with the run and shown: 1 for the flat archive, 0 once past.
    expect(flat.full_p_never).toBe(1);
    expect(db01.full_status === 'past' ? db01.full_p_never : 0).toBe(0);
    for (const r of rows) expect(Number(r.full_p_never) >= 0 && Number(r.full_p_never) <= 1).toBe(true);
    const human = await runCli(['headroom', '--db', db], { nowMs: NOW });
    expect(human.stdout).toMatch(/full_p90\s+full_p_never\s+action/);
    expect(human.stdout).toMatch(/archive-01[^\n]*beyond horizon\s+100%/);
    for (const r of rows) for (const k of ['full_p10', 'full_p50', 'full_p90', 'order_by']) expect(r[k] === null || /^\d{4}-\d\d-\d\dT/.test(String(r[k]))).toBe(true);
    expect(flat.action).toBe('none');

    const q = await runCli(['headroom', '--db', db, '--quarter', '2027-Q1', '--group-by', 'cluster'], { nowMs: NOW });
    expect(q.stdout).toMatch(/headroom_2027-Q1/);
    expect(q.stdout).toMatch(/disk cluster=us-east/);
    expect((await runCli(['headroom', '--db', db, '--quarter', '2027-Q9'])).code).toBe(ExitCode.usage);

    // The scenario run is stored beside the baseline: traffic +30% brings a requests/cpu date within the horizon or forward.
    const store = await Store.open(db, { readOnly: true });
    const sc = (await store.query(`SELECT scenario, count(*) FROM forecast_runs r JOIN forecasts f USING (run_id) GROUP BY 1 ORDER BY 1 NULLS FIRST`)).rows;
    expect(sc.map((r) => r[0])).toEqual([null, 'big-tenant', 'traffic-plus-30']);
    const budgets = (await store.query(`SELECT slo, remaining, status FROM error_budgets ORDER BY slo`)).rows;
    // Every exhaustion row of the run has its P(never); the view shows the same number.
    const pNever = (await store.query(`SELECT count(*), count(p_never), min(p_never), max(p_never), bool_and((status = 'past') <= (p_never = 0)) FROM latest_exhaustion`)).rows[0];
    expect(pNever[0]).toBeGreaterThan(0);
    expect(pNever[1]).toBe(pNever[0]);
    expect([pNever[2], pNever[3], pNever[4]]).toEqual([0, 1, true]);
    store.close();
    expect(budgets).toHaveLength(2);
    expect(budgets[0]).toEqual(['checkout-availability', expect.any(Number), 'beyond_horizon']);
    expect(budgets[1][2]).toBe('within');

    for (const cmd of ['budget', 'diff', 'headroom']) {
      const badZone = await runCli([cmd, '--db', db, '--tz', 'Mars/Olympus']);
      expect(badZone.code).toBe(ExitCode.usage);
      expect(badZone.stderr).toMatch(/--tz: unknown time zone 'Mars\/Olympus'/);
    }
    const budget = await runCli(['budget', '--db', db, '--format', 'csv']);
    expect(budget.stdout.split('\n')[0]).toBe('slo,objective,window_s,budget_left,error_ratio,burn_rate_1d,alerts_firing,status,exhausted_p10,exhausted_p50,exhausted_p90');
    expect(budget.stdout).not.toMatch(/""|\r|spent|not within/);

    // An inline what-if on the command line.
    const whatIf = await runCli(['forecast', '--db', db, '--horizon', '180d', '--workers', '1', '--what-if', 'tenant:step=3e11@2026-12-15,resources=disk'], { nowMs: NOW });
    expect(whatIf.code).toBe(0);
    expect(whatIf.stdout).toMatch(/scenario tenant: run #\d+/);

    // Eight days later: the demo appends new data and a new run; diff reports what moved.
    const later = await runCli(['demo', '--size', 'small', '--db', db, '--out', join(dir, 'r'), '--workers', '2'], { nowMs: NOW + 8 * DAY, cwd: dir });
    expect(later.code).toBe(0);
    const diff = await runCli(['diff', '--db', db, '--all', '--format', 'json']);
    const changes = JSON.parse(diff.stdout) as { change: string; series: string; moved_days: number | null }[];
    expect(changes.length).toBe(8);
    const moved = changes.find((c) => c.series.includes('host="db-01"'));
    // The regenerated fleet fills db-01 45 days after the new end, 8 days later than before.
    expect(moved?.change).toBe('later');
    expect(moved?.moved_days as number).toBeGreaterThan(1);
    expect(moved?.moved_days as number).toBeLessThan(20);
  });

  it('rejects bad planning input naming the plan path, and writes nothing', async () => {
    const dir = tempDir();
    const plan = join(dir, 'plan.yaml');
    const base = `sources:\n  p: {url: 'http://127.0.0.1:1', type: prometheus}\nresources:\n  - {name: disk, source: p, usage: x}\n`;
    const cases: [string, RegExp][] = [
      [`${base}planning:\n  thresholds: {warn: 0.95, critical: 0.9}\n`, /planning\.thresholds: thresholds must be in order/],
      [`${base}planning:\n  thresholds: {full: 1.5}\n`, /planning\.thresholds\.full: expected a fraction/],
      [`${base}slos:\n  - {name: a, objective: 1}\n`, /slos\[0\]\.objective: must be below 1/],
      [`${base}scenarios:\n  - {name: s, resources: [dsik], changes: [{growth: 1.3, from: 2027-01-01}]}\n`, /scenarios\[0\]\.resources\[0\]: unknown resource "dsik"/],
      [`${base}  - {name: cpu, source: p, usage: y, capacityChanges: [{date: 2027-01-01, set: 0}]}\n`, /resources\[1\]\.capacityChanges\[0\]\.set: capacity must be above zero/],
    ];
    for (const [text, message] of cases) {
      writeFileSync(plan, text);
      const r = await runCli(['forecast', '--db', join(dir, 'x.duckdb'), '--horizon', '90d', '--plan', plan]);
      expect(r.code).toBe(ExitCode.usage);
      expect(r.stderr).toMatch(message);
    }
    writeFileSync(plan, `${base}scenarios:\n  - {name: s, changes: [{growth: 1.3, from: 2030-01-01}]}\n`);
    const db = join(dir, 'y.duckdb');
    await runCli(['demo', '--size', 'small', '--db', db, '--out', join(dir, 'r'), '--workers', '1'], { nowMs: NOW, cwd: dir });
    const outside = await runCli(['forecast', '--db', db, '--horizon', '90d', '--plan', plan, '--scenario', 's']);
    expect(outside.code).toBe(ExitCode.usage);
    expect(outside.stderr).toMatch(/scenarios\[0\]\.changes\[0\]\.from: date 2030-01-01 is outside the forecast horizon/);
    const unknown = await runCli(['forecast', '--db', db, '--horizon', '90d', '--plan', plan, '--scenario', 'nope']);
    expect(unknown.stderr).toMatch(/unknown scenario 'nope'/);
    const store = await Store.open(db, { readOnly: true });
    const runs = Number((await store.query('SELECT count(*) FROM forecast_runs')).rows[0][0]);
    store.close();
    expect(runs).toBe(3); // the demo's baseline and two scenarios; the refused runs wrote nothing
    expect((await runCli(['forecast', '--db', db, '--horizon', '90d', '--what-if', 'nocolon'])).stderr).toMatch(/--what-if 'nocolon': missing NAME/);
  });
});
