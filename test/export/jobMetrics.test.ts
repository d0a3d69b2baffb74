import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ExitCode } from '../../src/errors.js';
import { groupingPath, jobMetricsText } from '../../src/export/pushgateway.js';
import { requireBuiltCli, runCliChild } from '../reliability/childCli.js';
import { eventually, instant, startPrometheus, startPushgateway, type LiveServer } from '../support/liveServers.js';
import { runCli } from '../support/runCli.js';

const PLAN = `sources:
  prom: {url: 'http://127.0.0.1:1', type: prometheus}
resources:
  - {name: disk, source: prom, usage: disk_used_bytes, step: 1h, lookback: 30d}
planning:
  horizon: 90d
`;

describe('capplan run --pushgateway: job metrics in a real Pushgateway, scraped by a real Prometheus; exported rules loaded by it', () => {
  let dir: string;
  let pgw: LiveServer;
  let prom: LiveServer;

  beforeAll(async () => {
    requireBuiltCli();
    dir = mkdtempSync(join(tmpdir(), 'capplan-pgw-'));
    pgw = await startPushgateway();
    // Both rule formats, loaded as Prometheus loads them: the plain file as is, the CRD's spec as a file.
    const rules = await runCli(['export', '--format', 'rules', '--group-by', 'cluster']);
    const crd = await runCli(['export', '--format', 'prometheus-rule', '--namespace', 'monitoring', '--label', 'release=prometheus']);
    expect(rules.code, rules.stderr).toBe(0);
    expect(crd.code, crd.stderr).toBe(0);
    writeFileSync(join(dir, 'capplan.rules.yaml'), rules.stdout);
    writeFileSync(join(dir, 'crd-spec.rules.yaml'), stringify((parse(crd.stdout) as { spec: unknown }).spec));
    prom = await startPrometheus(
      dir,
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [join(dir, 'capplan.rules.yaml'), join(dir, 'crd-spec.rules.yaml')],
        // honor_labels keeps the pushed job/instance instead of the Pushgateway's own, as its docs require.
        scrape_configs: [{ job_name: 'pushgateway', honor_labels: true, static_configs: [{ targets: [pgw.address] }] }],
      }),
    );
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
    await pgw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('both rule formats load and every rule evaluates healthy (/api/v1/rules)', async () => {
    const groups = await eventually('every rule evaluated once', async () => {
      const res = (await (await fetch(`${prom.url}/api/v1/rules`)).json()) as {
        data: { groups: { name: string; file: string; rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[] }[] };
      };
      const all = res.data.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((r) => !r.lastEvaluation.startsWith('0001')) ? res.data.groups : undefined;
    });
    expect(new Set(groups.map((g) => g.file))).toEqual(new Set([join(dir, 'capplan.rules.yaml'), join(dir, 'crd-spec.rules.yaml')]));
    const rules = groups.flatMap((g) => g.rules.map((r) => ({ file: g.file, ...r })));
    expect(rules.filter((r) => r.health !== 'ok')).toEqual([]);
    expect(rules.map((r) => r.name)).toContain('CapplanNoSuccessfulRun');
    expect(rules.filter((r) => r.file.endsWith('capplan.rules.yaml'))).toHaveLength(9);
  });

  it('a successful run pushes its metrics with job and instance labels; a later failure keeps the last success', async () => {
    const db = join(dir, 'demo.duckdb');
    expect((await runCli(['demo', '--size', 'small', '--db', db, '--out', join(dir, 'demo-reports/'), '--workers', '1'], { cwd: dir })).code).toBe(0);
    const plan = join(dir, 'nightly.yaml');
    writeFileSync(plan, PLAN);

    const before = Date.now() / 1000;
    const ok = await runCliChild(['run', '--plan', plan, '--db', db, '--out', join(dir, 'reports'), '--no-pull', '--pushgateway', pgw.url]);
    const after = Date.now() / 1000;
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/stage=push msg="pushed success to http:\/\/127\.0\.0\.1:\d+ \(job=capplan, instance=nightly\)"/);
    const forecast = Number(/run #\d+: (\d+) series/.exec(ok.stderr)?.[1]);
    expect(forecast).toBeGreaterThan(0);

    const success = await eventually('the pushed success in Prometheus', async () => {
      const r = await instant(prom, 'capplan_last_success_timestamp_seconds');
      return r.length === 1 ? r[0] : undefined;
    });
    expect(success.metric).toEqual({ __name__: 'capplan_last_success_timestamp_seconds', job: 'capplan', instance: 'nightly' });
    const lastSuccess = Number(success.value[1]);
    expect(lastSuccess).toBeGreaterThanOrEqual(Math.floor(before));
    expect(lastSuccess).toBeLessThanOrEqual(after);
    const value = async (q: string) => Number((await instant(prom, q))[0]?.value[1]);
    expect(await value('capplan_last_run_series_forecast{job="capplan",instance="nightly"}')).toBe(forecast);
    expect(await value('capplan_last_run_failures{job="capplan",instance="nightly",stage="pull"}')).toBe(0);
    expect(await value('capplan_last_run_success')).toBe(1);
    expect(await value('capplan_last_run_duration_seconds')).toBeGreaterThan(0);
    expect((await instant(prom, 'capplan_last_run_series_at_risk{job="capplan",instance="nightly"}')).length).toBe(1);

    // A run that fails (the database file is not DuckDB): exit 7, a failure pushed, the last success kept.
    const bad = join(dir, 'not-a-db.duckdb');
    writeFileSync(bad, 'not a database');
    const failed = await runCliChild(['run', '--plan', plan, '--db', bad, '--out', join(dir, 'reports'), '--no-pull', '--pushgateway', pgw.url]);
    expect(failed.code).toBe(ExitCode.store);
    expect(failed.stderr).toMatch(/pushed failure/);
    await eventually('the pushed failure in Prometheus', async () => ((await value('capplan_last_run_success')) === 0 ? true : undefined));
    expect(await value('capplan_last_success_timestamp_seconds')).toBe(lastSuccess);
    expect(await value('capplan_last_failure_timestamp_seconds')).toBeGreaterThanOrEqual(lastSuccess);
    const alert = await eventually('CapplanLastRunFailed pending', async () => {
      const res = (await (await fetch(`${prom.url}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
      return res.data.alerts.find((a) => a.labels.alertname === 'CapplanLastRunFailed');
    });
    expect(alert.state).toBe('pending');
    expect(alert.labels).toMatchObject({ job: 'capplan', instance: 'nightly', severity: 'info' });
  }, 120_000);

  it('an unreachable Pushgateway is logged and makes an otherwise clean run exit 1', async () => {
    const db = join(dir, 'demo.duckdb');
    const plan = join(dir, 'nightly.yaml');
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = await runCli(['run', '--plan', plan, '--db', db, '--out', join(dir, 'reports2'), '--no-pull', '--pushgateway', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(ExitCode.failure);
    expect(r.stderr).toContain(`level=error stage=push msg="pushgateway http://127.0.0.1:${port}: connect ECONNREFUSED`);
    expect(r.stderr).toMatch(/stage=report msg="written to/);
  }, 60_000);

  it("without --pushgateway, the plan's pushgateway: is used; a bad URL there is refused before any work", async () => {
    const db = join(dir, 'demo.duckdb');
    const plan = join(dir, 'planned.yaml');
    writeFileSync(plan, `${PLAN}\npushgateway: ${pgw.url}\n`);
    const r = await runCli(['run', '--plan', plan, '--db', db, '--out', join(dir, 'reports3'), '--no-pull']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/stage=push msg="pushed success to http:\/\/127\.0\.0\.1:\d+ \(job=capplan, instance=planned\)"/);
    const exposed = await (await fetch(`${pgw.url}/metrics`)).text();
    expect(exposed).toMatch(/capplan_last_success_timestamp_seconds\{[^}]*instance="planned"[^}]*\}/);

    const badPlan = join(dir, 'bad-pushgateway.yaml');
    writeFileSync(badPlan, `${PLAN}\npushgateway: not-a-url\n`);
    const bad = await runCli(['run', '--plan', badPlan, '--db', join(dir, 'never-made.duckdb'), '--out', join(dir, 'reports4'), '--no-pull']);
    expect(bad.code).toBe(ExitCode.usage);
    expect(bad.stderr).toMatch(/pushgateway.*expected an http\(s\) URL of a Prometheus Pushgateway/);
    expect(existsSync(join(dir, 'never-made.duckdb'))).toBe(false);
  }, 60_000);

  it('text format and grouping path follow the Pushgateway conventions', () => {
    const text = jobMetricsText({ success: false, startedMs: 1000, finishedMs: 4500, seriesForecast: 10, seriesFailed: 2, seriesAtRisk: 1, pullFailures: 1 });
    expect(text).toContain('capplan_last_failure_timestamp_seconds 4.5\n');
    expect(text).not.toContain('capplan_last_success_timestamp_seconds');
    expect(text).toContain('capplan_last_run_duration_seconds 3.5\n');
    expect(text).toContain('capplan_last_run_failures{stage="forecast"} 2\n');
    expect(groupingPath({ job: 'capplan', instance: 'nightly' })).toBe('/metrics/job/capplan/instance/nightly');
    expect(groupingPath({ job: 'capplan', instance: 'a/b' })).toBe(`/metrics/job/capplan/instance@base64/${Buffer.from('a/b').toString('base64url')}`);
  });
});
