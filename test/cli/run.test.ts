import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { Store } from '../../src/store/Store.js';
import { runCli } from '../support/runCli.js';
import { startPrometheusWithHistory, type RunningPrometheus } from '../support/prometheus.js';

const MIN5 = 300_000;
const DAY = 86_400_000;
const TO = Date.UTC(2026, 10, 20);
const FROM = TO - 60 * DAY;

let prom: RunningPrometheus;
let work: string;
let smtp: SMTPServer;
let smtpPort: number;
const mails: ParsedMail[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'capplan-run-'));
  // A disk at 1.2 TB of 2 TB growing 10 GB/day (full in ~80 days, past 90% in ~60), and an SLO's counters:
  // 1000 requests and 0.8 errors per 5 minutes against 99.9% (burn rate 0.8).
  prom = await startPrometheusWithHistory({
    dir: work,
    fromMs: FROM,
    toMs: TO,
    intervalMs: MIN5,
    series: [
      { metric: 'disk_used_bytes', labels: { host: 'db-7' }, value: (t) => 1.2e12 + (10e9 * (t - TO)) / DAY + 5e9 * Math.sin((2 * Math.PI * t) / DAY) },
      { metric: 'disk_size_bytes', labels: { host: 'db-7' }, value: () => 2e12 },
      { metric: 'api_requests_total', labels: {}, value: (t) => Math.floor((t - FROM) / MIN5) * 1000 },
      { metric: 'api_errors_total', labels: {}, value: (t) => Math.floor(((t - FROM) / MIN5) * 0.8) },
    ],
  });
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then((m) => mails.push(m)).then(() => callback(), callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = ((smtp as unknown as { server: { address(): AddressInfo } }).server.address() as AddressInfo).port;
}, 180_000);

afterAll(async () => {
  await prom?.stop();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

function plan(file: string): void {
  writeFileSync(
    file,
    `sources:
  prom: {url: '${prom.url}', type: prometheus}
resources:
  - name: disk
    source: prom
    usage: disk_used_bytes
    capacity: disk_size_bytes
    aggregate: max
    step: 1h
    lookback: 60d
    unit: bytes
    leadTime: 45d
planning:
  horizon: 120d
  warningWindow: 90d
scenarios:
  - name: tenant
    changes: [{step: 2e11, at: 2026-12-15}]
slos:
  - name: api
    source: prom
    objective: 99.9%
    window: 30d
    step: 5m
    errors: sum(increase(api_errors_total[5m]))
    total: sum(increase(api_requests_total[5m]))
email:
  to: [planners@example.com]
  format: html
  timeZone: Europe/Berlin
`,
  );
}

describe('capplan run (the cron job) against a real Prometheus and a loopback SMTP server', () => {
  it('pulls, forecasts with the plan, writes the report and mails it; exit 3 on risk with --fail-on-risk', async () => {
    const file = join(work, 'plan.yaml');
    plan(file);
    const db = join(work, 'run.duckdb');
    const env = { CAPPLAN_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, CAPPLAN_SMTP_STARTTLS: 'off', CAPPLAN_SMTP_FROM: 'capplan <capplan@example.com>' };
    const r = await runCli(['run', '--plan', file, '--db', db, '--out', join(work, 'reports'), '--fail-on-risk'], { nowMs: TO, env, cwd: work });
    expect(r.stderr).toMatch(/level=info stage=pull msg="disk: 2 series/);
    expect(r.stderr).toMatch(/stage=email msg="sent/);
    expect(r.stderr).not.toMatch(/level=error/);
    // The disk passes 90% within the 90-day warning window.
    expect(r.code).toBe(ExitCode.riskFound);
    expect(r.stdout).toMatch(/capplan run: [1-9]\d* at risk/);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toMatch(/db-7/);
    expect(mails[0].attachments.some((a) => a.filename?.endsWith('.csv'))).toBe(true);
    expect(existsSync(join(work, 'reports'))).toBe(true);

    const store = await Store.open(db, { readOnly: true });
    const pulls = (await store.query(`SELECT resource, status FROM pulls ORDER BY resource`)).rows;
    const budget = (await store.query(`SELECT slo, round(remaining, 2), status FROM error_budgets`)).rows;
    const runs = (await store.query(`SELECT scenario FROM forecast_runs ORDER BY run_id`)).rows.map((x) => x[0]);
    const disk = (await store.query(`SELECT status, p50 IS NOT NULL FROM latest_exhaustion WHERE resource = 'disk' AND threshold = 1`)).rows;
    store.close();
    expect(pulls).toEqual([['api:errors', 'ok'], ['api:total', 'ok'], ['disk', 'ok']]);
    // 0.8 errors per 1000 requests against a 0.1% budget: 20% of the window budget left.
    expect(budget).toEqual([['api', 0.2, 'beyond_horizon']]);
    expect(runs).toEqual([null, 'tenant']);
    expect(disk).toEqual([['within', true]]);
  });

  it('a second run while one holds the database exits 4 naming the holder, and loses nothing', async () => {
    const db = join(work, 'locked.duckdb');
    const file = join(work, 'plan.yaml');
    (await Store.open(db)).close();
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `
      import { DuckDBInstance } from '@duckdb/node-api';
      const i = await DuckDBInstance.create(${JSON.stringify(db)}); await i.connect();
      process.stdout.write('held\\n'); setTimeout(() => process.exit(0), 20000);`], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout?.once('data', () => resolve()));
    try {
      const r = await runCli(['run', '--plan', file, '--db', db, '--out', join(work, 'r2'), '--no-pull', '--no-email', '--wait', '1'], { nowMs: TO });
      expect(r.code).toBe(ExitCode.locked);
      expect(r.stderr).toMatch(new RegExp(`database ${db.replace(/[/.]/g, '\\$&')}: process ${holder.pid} .* holds it; gave up after waiting 1 s`));
    } finally {
      holder.kill();
    }
  });
});
