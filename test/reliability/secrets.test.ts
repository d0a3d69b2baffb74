import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import type { CliContext } from '../../src/cli/CliContext.js';
import { ExitCode, SourceError } from '../../src/errors.js';
import { parsePlan } from '../../src/plan/loadPlan.js';
import { PromClient } from '../../src/source/prometheus/PromClient.js';
import { runPull } from '../../src/pipeline/runPull.js';
import { quoteLiteral } from '../../src/store/sql.js';
import { Store } from '../../src/store/Store.js';
import { runCli, type CliRun } from '../support/runCli.js';
import { makeSelfSignedCert, startTlsServer, type SelfSignedCert, type TlsServer } from '../support/tlsServer.js';
import { requireBuiltCli, runCliChild } from './childCli.js';
import { TABLES } from './consistency.js';

/*
 * A canary secret is handed to capplan the ways users do (a bearer token in an
 * environment variable, a basic-auth password), then capplan talks to a
 * server that answers 401, 500, stalls, redirects, and echoes the credentials
 * it got into its error bodies. Every byte capplan writes (stdout, stderr,
 * error objects, --help, the database and its dump, report files) is scanned
 * for the canary and its fragments.
 */

const HEX = randomBytes(12).toString('hex');
const TOKEN = `CANARY-5ec2e7-${HEX}`;
const PASSWORD = `CANARY-pw-${randomBytes(12).toString('hex')}`;
const BASIC = Buffer.from(`capplan:${PASSWORD}`).toString('base64');
/** Whole secrets and fragments a truncating message could still carry. */
const NEEDLES = [TOKEN, HEX.slice(0, 10), HEX.slice(-10), PASSWORD, PASSWORD.slice(-12), BASIC, BASIC.slice(4, 20)];

function leaks(text: string | Buffer): string[] {
  const s = typeof text === 'string' ? text : text.toString('latin1');
  return NEEDLES.filter((n) => s.includes(n));
}

type Mode = 'ok' | 'ok-echo-warning' | '401' | '401-echo-challenge' | '500' | 'stall' | 'redirect';

const T0 = Date.UTC(2026, 9, 1);
const H = 3_600_000;
const NOW = T0 + 40 * 24 * H;

/**
 * A Prometheus look-alike that wants the canary and, when it is unhappy, says
 * so quoting every credential it was sent (some real proxies do).
 */
function echoServer(getMode: () => Mode) {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const auth = req.headers.authorization ?? '(none)';
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const mode = getMode();
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (mode === 'stall') return; // never answers
      if (mode === 'redirect' && !req.url?.startsWith('/login')) {
        res.writeHead(302, { Location: `/login?access_token=${encodeURIComponent(auth)}` });
        return res.end();
      }
      if (mode === '401' || mode === '401-echo-challenge' || mode === 'redirect') {
        const challenge = mode === '401-echo-challenge' ? `Bearer realm="${auth}"` : 'Bearer realm="metrics"';
        return json(401, { status: 'error', errorType: 'unauthorized', error: `credentials "${auth}" rejected` }, { 'WWW-Authenticate': challenge });
      }
      if (mode === '500') {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        return res.end(`internal error while checking Authorization: ${auth}\n`.repeat(3));
      }
      const ok = auth === `Bearer ${TOKEN}` || auth === `Basic ${BASIC}`;
      if (!ok) return json(403, { status: 'error', errorType: 'forbidden', error: 'wrong credentials' });
      const warnings = mode === 'ok-echo-warning' ? [`upstream store answered for ${auth} partially`] : undefined;
      if (req.url?.startsWith('/api/v1/status/buildinfo')) return json(200, { status: 'success', data: { version: '2.53.0', revision: 'x' } });
      if (req.url?.startsWith('/api/v1/query_range')) {
        const start = Number(form.get('start'));
        const end = Number(form.get('end'));
        const values: [number, string][] = [];
        for (let t = start; t <= end; t += 3600) values.push([t, String(1e9 + (t - T0 / 1000) * 10)]);
        return json(200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { host: 'a' }, values }, { metric: { host: 'b' }, values }] }, warnings });
      }
      if (req.url?.startsWith('/api/v1/query')) return json(200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [NOW / 1000, '1'] }] }, warnings });
      return json(200, { status: 'success', data: [], warnings });
    });
  });
}

/** Runs that leak through a known bug (each pinned by an it.fails test below); left out of the final scan. */
const KNOWN_LEAKS = new Set(['pull ok-echo-warning', 'doctor 401-echo-challenge']);

let dir: string;
let mode: Mode = 'ok';
let server: http.Server;
let url: string;
const env = { CAPPLAN_CANARY_TOKEN: TOKEN, CAPPLAN_CANARY_PASSWORD: PASSWORD, CAPPLAN_BEARER_TOKEN: TOKEN };
/** Everything capplan printed in this file's runs, for the final scan. */
const printed: { what: string; text: string }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capplan-secrets-'));
  server = echoServer(() => mode);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function planFile(name: string, auth: string, timeout = '2s'): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `sources:\n  guarded:\n    url: ${url}\n    type: prometheus\n    timeout: ${timeout}\n    auth: ${auth}\nresources:\n  - {name: disk, source: guarded, usage: used_bytes, capacity: 2e9, step: 1h, lookback: 30d, unit: bytes}\n`,
  );
  return file;
}

const bearerPlan = () => planFile('bearer', '{bearerTokenEnv: CAPPLAN_CANARY_TOKEN}');
const basicPlan = () => planFile('basic', '{basicAuth: {username: capplan, passwordEnv: CAPPLAN_CANARY_PASSWORD}}');

async function cli(what: string, args: readonly string[]): Promise<CliRun> {
  const r = await runCli(args, { nowMs: NOW, env, cwd: dir });
  printed.push({ what, text: r.stdout + r.stderr });
  return r;
}

function expectNoLeak(what: string, text: string | Buffer): void {
  expect(leaks(text), `${what} leaks the canary`).toEqual([]);
}

describe('the canary never leaks', () => {
  const db = () => join(dir, 'secrets.duckdb');

  it('server errors quoting the credentials (401, 500, a redirect) are scrubbed from CLI output, for bearer and basic auth', async () => {
    for (const m of ['401', 'redirect'] as const) {
      mode = m;
      for (const [auth, plan] of [['bearer', bearerPlan()], ['basic', basicPlan()]] as const) {
        const r = await cli(`pull ${m} ${auth}`, ['pull', '--db', join(dir, `fail-${m}-${auth}.duckdb`), '--plan', plan]);
        expect(r.code, r.stderr).toBe(ExitCode.source);
        expect(r.stderr).toMatch(/source guarded: POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query_range: HTTP 401/);
        expectNoLeak(`pull ${m} ${auth}`, r.stdout + r.stderr);
      }
    }
    mode = '500';
    const r = await cli('pull 500 bearer', ['pull', '--db', join(dir, 'fail-500.duckdb'), '--plan', bearerPlan()]);
    expect(r.code, r.stderr).toBe(ExitCode.source);
    expect(r.stderr).toMatch(/HTTP 500.*\[REDACTED\]/);
    expectNoLeak('pull 500', r.stdout + r.stderr);
    mode = '401';
    const adHoc = await cli('pull --url 401', ['pull', '--db', join(dir, 'adhoc.duckdb'), '--url', url, '--query', 'used_bytes', '--name', 'disk', '--since', '2d', '--type', 'prometheus']);
    expect(adHoc.code, adHoc.stderr).toBe(ExitCode.source);
    expectNoLeak('pull --url 401', adHoc.stdout + adHoc.stderr);
  }, 60_000);

  it('error objects (message, server message, cause chain, every property) hold no secret, for 401, 500 and timeouts', async () => {
    for (const m of ['401', '500', 'stall', 'redirect'] as const) {
      mode = m;
      for (const auth of ['{bearerTokenEnv: CAPPLAN_CANARY_TOKEN}', '{basicAuth: {username: capplan, passwordEnv: CAPPLAN_CANARY_PASSWORD}}']) {
        const plan = parsePlan(readFileSync(planFile('lib', auth, '300ms'), 'utf8'));
        const store = await Store.open(join(dir, `lib-${m}-${auth.length}.duckdb`), { now: () => NOW });
        const r = await runPull(plan, store, {
          nowMs: NOW,
          clientOptions: { sleep: async () => undefined, backoff: { retries: 1 }, secretReaders: { env } },
        });
        store.close();
        expect(r.failures).toHaveLength(1);
        const err = r.failures[0].error;
        expect(err).toBeInstanceOf(SourceError);
        const everything = [err.message, err.serverMessage ?? '', err.stack ?? '', inspect(err, { depth: 20, showHidden: true }), JSON.stringify(err)].join('\n');
        expectNoLeak(`runPull ${m}`, everything);
      }
    }
    mode = 'ok';
  }, 60_000);

  it('doctor, against a server that echoes credentials in its bodies, prints none of them', async () => {
    for (const m of ['401', '500', 'ok'] as const) {
      mode = m;
      const adHoc = await cli(`doctor --url ${m}`, ['doctor', '--url', url, '--timeout', '2s']);
      expectNoLeak(`doctor --url ${m}`, adHoc.stdout + adHoc.stderr);
      const planned = await cli(`doctor --plan ${m}`, ['doctor', '--plan', bearerPlan()]);
      expectNoLeak(`doctor --plan ${m}`, planned.stdout + planned.stderr);
      if (m === '401') expect(planned.code).toBe(ExitCode.source);
    }
    mode = 'ok';
  }, 60_000);

  it('a successful pull, a forecast, every report format and a dump of every table carry no secret; nor do the database files', async () => {
    mode = 'ok';
    const pull = await cli('pull ok', ['pull', '--db', db(), '--plan', bearerPlan()]);
    expect(pull.code, pull.stderr).toBe(0);
    const forecast = await cli('forecast', ['forecast', '--db', db(), '--horizon', '30d', '--workers', '1']);
    expect(forecast.code, forecast.stderr).toBe(0);
    const out = join(dir, 'reports');
    mkdirSync(out);
    for (const format of ['md', 'html', 'json', 'csv']) {
      const r = await cli(`report ${format}`, ['report', '--db', db(), '--format', format, '--out', `${out}/`]);
      expect(r.code, r.stderr).toBe(0);
    }
    const dump = join(dir, 'dump');
    mkdirSync(dump);
    const store = await Store.open(db());
    for (const t of TABLES) await store.connection.run(`COPY ${t} TO ${quoteLiteral(join(dump, `${t}.csv`))} (HEADER)`);
    await store.connection.run('CHECKPOINT');
    store.close();
    const files = [...readdirSync(out).map((f) => join(out, f)), ...readdirSync(dump).map((f) => join(dump, f)), ...readdirSync(dir).filter((f) => /\.duckdb(\.wal)?$/.test(f)).map((f) => join(dir, f))];
    expect(files.filter((f) => f.includes('reports')).length).toBe(4);
    expect(readFileSync(join(dump, 'samples.csv'), 'utf8').split('\n').length).toBeGreaterThan(1000);
    for (const f of files) if (statSync(f).isFile()) expectNoLeak(f, readFileSync(f));
  }, 120_000);

  // Fails while the bug stands: src/source/prometheus/doctor.ts (the auth check, line ~244) quotes the server's
  // WWW-Authenticate header as is ("it asks for: …"); a server that echoes the credentials there (realm="Bearer …")
  // has doctor print the secret on stdout and stderr. Fix: pass the challenge through
  // redact(text, resolveAuth(source.auth, readers)?.secrets ?? []) like every other server text.
  it('doctor scrubs a WWW-Authenticate challenge that quotes the credentials', async () => {
    mode = '401-echo-challenge';
    const r = await cli('doctor 401-echo-challenge', ['doctor', '--url', url, '--timeout', '2s']);
    mode = 'ok';
    expect(r.code).toBe(ExitCode.source);
    expectNoLeak('doctor --url with an echoing challenge', r.stdout + r.stderr);
  });

  // Fails while the bug stands: src/source/prometheus/PromClient.ts queryRange returns `body.warnings` as the server
  // sent them (as do series() and labels()), unscrubbed, and pullResource stores them in pulls.warnings and the pull
  // command prints them. A server or proxy that quotes the credentials in a warning puts the secret in the
  // database and on stderr. Fix: `warnings: (body.warnings ?? []).map((w) => this.scrub(String(w)))` in
  // queryRange, series and labels.
  it('warnings that quote the credentials are scrubbed before they are printed or stored', async () => {
    mode = 'ok-echo-warning';
    const file = join(dir, 'warned.duckdb');
    const r = await cli('pull ok-echo-warning', ['pull', '--db', file, '--plan', bearerPlan()]);
    mode = 'ok';
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning');
    expectNoLeak('pull warnings output', r.stdout + r.stderr);
    const store = await Store.open(file, { readOnly: true });
    const rows = await store.query(`SELECT warnings::VARCHAR FROM pulls`);
    store.close();
    expectNoLeak('pulls.warnings', JSON.stringify(rows.rows));
  });

  it('--help of every command, in-process and as a process with the secrets in its environment, shows none', async () => {
    requireBuiltCli();
    const noop = { write: () => undefined, isTTY: false };
    const ctx: CliContext = { stdout: noop, stderr: noop, env, now: () => NOW, cwd: dir, setExitCode: () => undefined };
    const commands = buildProgram(ctx).commands.map((c) => c.name());
    expect(commands.length).toBeGreaterThanOrEqual(7);
    for (const c of ['', ...commands]) {
      const r = await cli(`${c} --help`, c ? [c, '--help'] : ['--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: capplan/);
      expectNoLeak(`capplan ${c} --help`, r.stdout + r.stderr);
    }
    for (const c of ['', 'pull', 'doctor']) {
      const r = await runCliChild(c ? [c, '--help'] : ['--help'], { ...env, CAPPLAN_BASIC_AUTH_USER: 'capplan', CAPPLAN_BASIC_AUTH_PASSWORD: PASSWORD });
      expect(r.code).toBe(0);
      expectNoLeak(`node bin/capplan.js ${c} --help`, r.stdout + r.stderr);
    }
  }, 120_000);

  afterAll(() => {
    // Every run above, once more, as a whole.
    for (const p of printed) if (!KNOWN_LEAKS.has(p.what)) expectNoLeak(p.what, p.text);
    console.log(`secrets: ${printed.length} CLI runs scanned for ${NEEDLES.length} canary fragments`);
  });
});

describe('TLS verification', () => {
  let cert: SelfSignedCert;
  let tls: TlsServer;
  beforeAll(async () => {
    cert = makeSelfSignedCert(mkdtempSync(join(dir, 'tls-')));
    tls = await startTlsServer(cert, (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (req.url?.startsWith('/api/v1/query_range')) {
        res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { host: 'tls' }, values: [[NOW / 1000 - 3600, '1'], [NOW / 1000, '2']] }] } }));
      } else {
        res.end(JSON.stringify({ status: 'success', data: { version: '2.53.0' } }));
      }
    });
  });
  afterAll(async () => {
    await tls?.close();
  });

  it('is on by default: a self-signed server is refused with a SourceError that says how to trust it, and nothing is sent', async () => {
    const err = await new PromClient({ url: tls.url, name: 'secure', backoff: { retries: 0 }, auth: { bearerTokenEnv: 'CAPPLAN_CANARY_TOKEN' }, secretReaders: { env } })
      .buildInfo()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).exitCode).toBe(ExitCode.source);
    expect((err as Error).message).toMatch(/^source secure: GET https:\/\/127\.0\.0\.1:\d+\/api\/v1\/status\/buildinfo: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/);
    expect((err as Error).message).toContain('tls.caFile');
    // The handshake failed before any request: the token never left.
    expect(tls.requests).toEqual([]);
  });

  it('accepts the server with tls.caFile, through a plan and the CLI; refuses it without, exit 5', async () => {
    const plan = (extra: string) => {
      const file = join(dir, `tls-${extra ? 'ca' : 'none'}.yaml`);
      writeFileSync(file, `sources:\n  secure:\n    url: ${tls.url}\n    type: prometheus\n${extra}resources:\n  - {name: disk, source: secure, usage: used, step: 1h, lookback: 2h}\n`);
      return file;
    };
    const refused = await cli('pull tls no ca', ['pull', '--db', join(dir, 'tls.duckdb'), '--plan', plan('')]);
    expect(refused.code).toBe(ExitCode.source);
    expect(refused.stderr).toMatch(/source secure: .*SELF_SIGNED.*tls\.caFile/);
    const accepted = await cli('pull tls ca', ['pull', '--db', join(dir, 'tls.duckdb'), '--plan', plan(`    tls: {caFile: ${cert.certFile}}\n`)]);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toMatch(/1 series, 2 new samples/);
  });

  it('the certificate is made with openssl when present, and by node alone otherwise; both verify', async () => {
    for (const using of ['node', 'openssl'] as const) {
      const c = makeSelfSignedCert(mkdtempSync(join(dir, `tls-${using}-`)), using);
      expect(c.by).toBe(using);
      const s = await startTlsServer(c, (_q, res) => res.end(JSON.stringify({ status: 'success', data: { version: '3.0.0' } })));
      try {
        await expect(new PromClient({ url: s.url, backoff: { retries: 0 } }).buildInfo()).rejects.toThrow(SourceError);
        expect((await new PromClient({ url: s.url, tls: { caFile: c.certFile } }).buildInfo()).version).toBe('3.0.0');
      } finally {
        await s.close();
      }
    }
  });
});
