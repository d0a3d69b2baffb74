import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { Store } from '../../src/store/Store.js';
import { ROOT, requireBuiltCli } from '../reliability/childCli.js';
import { startPrometheusWithHistory, type RunningPrometheus } from '../support/prometheus.js';
import { runCli } from '../support/runCli.js';

const H = 3_600_000;
const DAY = 24 * H;
/** The frozen clock: history ends here, and every command runs "now". */
const NOW = Date.UTC(2026, 10, 24, 9);
const LOGFMT = /^ts=\S+ level=(info|warn|error) stage=\w+ msg="(?:[^"\\]|\\.)*"( \w+=\S+)*$/;

let prom: RunningPrometheus;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'capplan-cron-'));
  // Ten days of a disk (two hosts) and its size, at 5m.
  prom = await startPrometheusWithHistory({
    dir: work,
    fromMs: NOW - 10 * DAY,
    toMs: NOW,
    intervalMs: 5 * 60_000,
    series: [
      { metric: 'disk_used_bytes', labels: { host: 'a' }, value: (t) => 1e9 + Math.round((t - NOW + 10 * DAY) / 1000) },
      { metric: 'disk_used_bytes', labels: { host: 'b' }, value: (t) => 2e9 + Math.round((t - NOW + 10 * DAY) / 1000) },
      { metric: 'disk_size_bytes', labels: { host: 'a' }, value: () => 4e9 },
      { metric: 'disk_size_bytes', labels: { host: 'b' }, value: () => 4e9 },
    ],
  });
}, 120_000);

afterAll(async () => {
  await prom?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function planFile(name: string, body: string): string {
  const file = join(work, name);
  writeFileSync(file, `sources:\n  prom: {url: '${prom.url}', type: prometheus}\n${body}`);
  return file;
}

const DISK = `  - {name: disk, source: prom, usage: disk_used_bytes, capacity: disk_size_bytes, step: 1h, lookback: 30d, unit: bytes}\n`;

describe('cron safety', () => {
  beforeAll(() => requireBuiltCli());

  it("doctor --plan runs every resource's usage and capacity query: series, history span, label match", async () => {
    const plan = planFile(
      'doctor.yaml',
      `resources:\n${DISK}` +
        `  - {name: typo, source: prom, usage: disk_usd_bytes, capacity: 4e9}\n` +
        `  - {name: total, source: prom, usage: disk_used_bytes, capacity: 'sum(disk_size_bytes)'}\n` +
        `  - {name: broken, source: prom, usage: 'rate(disk_used_bytes)'}\n`,
    );
    const run = await runCli(['doctor', '--plan', plan], { nowMs: NOW });
    expect(run.stdout).toMatch(/^resource disk \(source prom\):\n {2}ok {4}usage {5}2 series; history 10d \(2026-11-14 \d\d:\d\d → 2026-11-24 0\d:\d\d, read at 1h steps\) of the 30d lookback; less than half of it\n {2}ok {4}capacity {2}2 series; labels match all 2 usage series$/m);
    expect(run.stdout).toMatch(/^resource typo \(source prom\):\n {2}WARN {2}usage {5}no series over the last \d+d: check the metric name and labels/m);
    expect(run.stdout).toMatch(/^ {2}WARN {2}capacity {2}1 series; 2 of 2 usage series have no capacity series with the same labels \(e\.g\. \{host="a"\}\)/m);
    expect(run.stdout).toMatch(/^resource broken \(source prom\):\n {2}FAIL {2}usage {5}.*expected type range vector/m);
    expect(run.stdout).toMatch(/^capplan doctor: 4 resources queried, 1 query failed, 3 warnings$/m);
    expect(run.stderr).toMatch(/^capplan: resource broken \(source prom\): usage query: /m);
    expect(run.code).toBe(ExitCode.source);
  });

  it('a pull of 0 series is a warning, and exit 6 with --strict', async () => {
    const db = join(work, 'empty.duckdb');
    const args = ['pull', '--db', db, '--url', prom.url, '--type', 'prometheus', '--name', 'x', '--query', 'does_not_exist', '--since', '2d'];
    const plain = await runCli(args, { nowMs: NOW });
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/^capplan: warning: x \(source adhoc\): the query returned no series: check the metric name, labels and time range/m);
    const strict = await runCli([...args, '--strict'], { nowMs: NOW });
    expect(strict.code).toBe(ExitCode.data);
  });

  it('a scenario naming no stored resource warns (exit 2 with --strict); a horizon beyond 2× the history is capped', async () => {
    const db = join(work, 'forecast.duckdb');
    const pull = await runCli(['pull', '--db', db, '--plan', planFile('pull.yaml', `resources:\n${DISK}`)], { nowMs: NOW });
    expect(pull.code, pull.stderr).toBe(0);
    const whatIf = `tenant:step=1e8@${new Date(NOW + 2 * DAY).toISOString().slice(0, 10)},resources=dsik`;
    const warned = await runCli(['forecast', '--db', db, '--horizon', '15d', '--workers', '1', '--what-if', whatIf], { nowMs: NOW });
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toMatch(/^capplan: warning: scenario 'tenant' matches no resource: 'dsik' is not stored \(stored: disk\)$/m);
    const refused = await runCli(['forecast', '--db', db, '--horizon', '15d', '--workers', '1', '--what-if', whatIf, '--strict'], { nowMs: NOW });
    expect(refused.code).toBe(ExitCode.usage);
    expect(refused.stderr).toMatch(/^capplan: scenario 'tenant' matches no resource: 'dsik' is not stored .*\(--strict\)$/m);

    // 10 days of history: 50 years is capped at 20 days, and says so.
    const long = await runCli(['forecast', '--db', db, '--horizon', '50y', '--workers', '1'], { nowMs: NOW });
    expect(long.code, long.stderr).toBe(0);
    expect(long.stderr).toMatch(/^capplan: warning: --horizon 18250d is longer than 2× the longest stored history \(10d\): forecasting 20d ahead instead$/m);
    const store = await Store.open(db, { readOnly: true });
    const horizons = (await store.query(`SELECT horizon_s / 86400.0 FROM forecast_runs WHERE scenario IS NULL ORDER BY run_id`)).rows.flat();
    store.close();
    expect(horizons.at(-1)).toBeCloseTo(20, 0);
    const strict = await runCli(['forecast', '--db', db, '--horizon', '50y', '--workers', '1', '--strict'], { nowMs: NOW });
    expect(strict.code).toBe(ExitCode.usage);
  }, 60_000);

  it('run checks SMTP settings before any work, logs every line as logfmt, and --no-email skips the mail', async () => {
    const plan = planFile('run.yaml', `resources:\n${DISK}planning: {horizon: 14d}\nemail: {to: [ops@example.com]}\n`);
    const db = join(work, 'run.duckdb');
    const noSmtp = await runCli(['run', '--plan', plan, '--db', db, '--out', join(work, 'reports')], { nowMs: NOW, cwd: work });
    expect(noSmtp.code).toBe(ExitCode.usage);
    expect(noSmtp.stderr).toMatch(/^ts=\S+ level=error stage=config msg="email: no SMTP server configured; set CAPPLAN_SMTP_URL.*" exit=2\n$/);
    expect(existsSync(db)).toBe(false);
    // A server but no sender: refused up front too, instead of mailing as capplan@127.0.0.1.
    const noFrom = await runCli(['run', '--plan', plan, '--db', db], { nowMs: NOW, cwd: work, env: { CAPPLAN_SMTP_URL: 'smtp://127.0.0.1:1' } });
    expect(noFrom.code).toBe(ExitCode.usage);
    expect(noFrom.stderr).toMatch(/no sender address; set CAPPLAN_SMTP_FROM/);
    expect(existsSync(db)).toBe(false);

    // A report directory that cannot be written: refused before the work too.
    const blocker = join(work, 'a-file');
    writeFileSync(blocker, '');
    const badOut = await runCli(['run', '--plan', plan, '--db', db, '--out', join(blocker, 'reports'), '--no-email'], { nowMs: NOW, cwd: work });
    expect(badOut.code).toBe(ExitCode.usage);
    expect(badOut.stderr).toMatch(/stage=config msg="--out .*a-file\/reports: cannot write reports there \(ENOTDIR\)/);
    expect(existsSync(db)).toBe(false);

    // A PDF without Chromium: refused before the work too.
    const noChromium = await runCli(['run', '--plan', plan, '--db', db, '--format', 'pdf', '--no-email'], { nowMs: NOW, cwd: work, env: { CAPPLAN_CHROMIUM: join(work, 'no-chromium') } });
    expect(noChromium.code).toBe(ExitCode.usage);
    expect(noChromium.stderr).toMatch(/^ts=\S+ level=error stage=config msg="--format pdf: Chromium not found at .*no-chromium/);
    expect(existsSync(db)).toBe(false);

    const ok = await runCli(['run', '--plan', plan, '--db', db, '--out', join(work, 'reports'), '--no-email'], { nowMs: NOW, cwd: work });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).not.toMatch(/mailed/);
    for (const line of ok.stderr.trimEnd().split('\n')) expect(line).toMatch(LOGFMT);
    expect(ok.stderr).not.toMatch(/stage=email/);
  }, 60_000);

  it('a run that cannot take the lock says so in logfmt, exit 4', async () => {
    const plan = planFile('lock.yaml', `resources:\n${DISK}`);
    const db = join(work, 'locked.duckdb');
    (await Store.open(db)).close();
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `
      import { DuckDBInstance } from '@duckdb/node-api';
      const i = await DuckDBInstance.create(${JSON.stringify(db)}); await i.connect();
      process.stdout.write('held\\n'); setTimeout(() => process.exit(0), 20000);`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    await once(holder.stdout!, 'data');
    try {
      const r = await runCli(['run', '--plan', plan, '--db', db, '--no-pull', '--wait', '0'], { nowMs: NOW, cwd: work });
      expect(r.code).toBe(ExitCode.locked);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(LOGFMT);
      expect(lines[0]).toMatch(/level=error stage=lock msg="database .*locked\.duckdb: process \d+ .* holds it.*" exit=4$/);
    } finally {
      holder.kill();
    }
  });

  describe('SIGINT and SIGTERM', () => {
    let hang: Server;
    let url: string;
    let queried: () => Promise<void>;

    beforeAll(async () => {
      let signal: () => void = () => undefined;
      queried = () => new Promise<void>((resolve) => (signal = resolve));
      // A source that answers its build info and then never answers a range query.
      hang = createServer((req, res) => {
        if (req.url?.startsWith('/api/v1/status/buildinfo')) {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ status: 'success', data: { version: '2.42.0' } }));
          return;
        }
        signal();
      });
      await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
    });

    afterAll(() => {
      hang.closeAllConnections();
      hang.close();
    });

    async function interrupt(args: string[], signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
      const proc = spawn(process.execPath, [join(ROOT, 'bin/capplan.js'), ...args], { cwd: work, env: { PATH: process.env.PATH ?? '', HOME: work, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const waiting = queried();
      await waiting;
      proc.kill(signal);
      const [code] = await once(proc, 'exit');
      return { code: code as number | null, stderr };
    }

    it('pull: a clear message, the pull row closed as interrupted, exit 130', async () => {
      const db = join(work, 'sigint.duckdb');
      const r = await interrupt(['pull', '--db', db, '--url', url, '--type', 'prometheus', '--name', 'disk', '--query', 'disk_used_bytes', '--since', '2d', '--timeout', '10m'], 'SIGINT');
      expect(r.code).toBe(130);
      expect(r.stderr).toBe('capplan: interrupted by SIGINT: 1 pull marked interrupted; samples stored so far are kept and the next pull resumes after them\n');
      const store = await Store.open(db, { readOnly: true });
      const pulls = (await store.query(`SELECT status, finished_at IS NOT NULL, error FROM pulls`)).rows;
      store.close();
      expect(pulls).toEqual([['interrupted', true, 'interrupted by SIGINT: samples stored before it are kept; the next pull resumes after them']]);
    });

    it('run: the same in logfmt, exit 143 on SIGTERM', async () => {
      const plan = join(work, 'hang.yaml');
      writeFileSync(plan, `sources:\n  slow: {url: '${url}', type: prometheus, timeout: 10m}\nresources:\n  - {name: disk, source: slow, usage: disk_used_bytes, lookback: 2d}\n`);
      const db = join(work, 'sigterm.duckdb');
      const r = await interrupt(['run', '--plan', plan, '--db', db, '--out', join(work, 'r-sigterm')], 'SIGTERM');
      expect(r.code).toBe(143);
      const lines = r.stderr.trimEnd().split('\n');
      for (const line of lines) expect(line).toMatch(LOGFMT);
      expect(lines.at(-1)).toMatch(/level=error stage=pull msg="interrupted by SIGTERM: 1 pull\(s\) marked interrupted, 0 forecast run\(s\) marked failed; .*" exit=143$/);
      const store = await Store.open(db, { readOnly: true });
      expect((await store.query(`SELECT status FROM pulls`)).rows).toEqual([['interrupted']]);
      store.close();
    });
  });
});
