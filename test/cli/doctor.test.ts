import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.js';
import { startPrometheusWithHistory, type RunningPrometheus } from '../support/prometheus.js';
import { matrixReply, useFakeServer, type SeenRequest } from '../source/prometheus/fakeServer.js';

/*
 * `capplan doctor` against a real Prometheus, and against a loopback server
 * answering with a recorded Thanos 0.34.1 build info. The clock is the real
 * one here, since the checks compare it with the server's Date header.
 */

const H = 3_600_000;
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/thanos/${name}`, import.meta.url), 'utf8'));
const TOKEN = 's3cr3t-token-value';

let prom: RunningPrometheus;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'capplan-doctor-'));
  const to = Math.floor(Date.now() / H) * H;
  prom = await startPrometheusWithHistory({
    dir: work,
    series: [{ metric: 'capplan_up', labels: { job: 'x' }, value: () => 1 }],
    fromMs: to - 2 * 24 * H,
    toMs: to,
    intervalMs: 5 * 60_000,
  });
});

afterAll(async () => {
  await prom?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const doctor = (args: string[], env: Record<string, string> = {}) => runCli(['doctor', ...args], { nowMs: Date.now(), env });

/** A Thanos querier as recorded: its build info, and a range query that honours the step. */
function thanos(req: SeenRequest) {
  if (req.path === '/api/v1/status/buildinfo') return { body: fixture('buildinfo.json') };
  if (req.path === '/api/v1/query_range') return matrixReply(req.form, [{}], () => 1);
  return { status: 404, body: '404 page not found' };
}

describe('capplan doctor', () => {
  const serve = useFakeServer();

  it('reports the backend and version of a real Prometheus, and every check ok', async () => {
    const run = await doctor(['--url', prom.url]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const version = prom.version.replace(/^v/, '');
    expect(run.stdout).toContain(`source adhoc: ${prom.url}\n`);
    expect(run.stdout).toMatch(/^ {2}ok {4}reachable {6}HTTP 200 from GET \/api\/v1\/status\/buildinfo in \d+ ms$/m);
    expect(run.stdout).toMatch(new RegExp(`^  ok    backend +Prometheus ${version.replace(/[.+]/g, '\\$&')}( \\(revision .*\\))?; from version .+$`, 'm'));
    expect(run.stdout).toMatch(/^ {2}ok {4}auth +none configured, none required$/m);
    expect(run.stdout).toMatch(/^ {2}ok {4}sample query +vector\(1\) over the last 5m at 1m: 1 series, 6 points in \d+ ms$/m);
    expect(run.stdout).toMatch(/^ {2}ok {4}clock skew +[+−]\d+\.\d s \(server Date header minus this host's clock, ±0\.5 s\)$/m);
    expect(run.stdout).toMatch(/^ {2}ok {4}thanos params +accepted and ignored \(Prometheus does not read them\): max_source_resolution=1h, dedup=true, partial_response=true$/m);
    expect(run.stdout).toMatch(/^capplan doctor: 1 source checked, 0 failed, 0 warnings$/m);
  });

  it('identifies a recorded Thanos build info and checks its parameters, sent with the configured credentials', async () => {
    const srv = await serve((req) => (req.headers.authorization === `Bearer ${TOKEN}` ? thanos(req) : { status: 401, body: 'Unauthorized' }));
    const run = await doctor(['--url', srv.url, '--header', 'THANOS-TENANT: platform'], { CAPPLAN_BEARER_TOKEN: TOKEN });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}ok {4}backend +Thanos 0\.34\.1 \(revision 4cf1559998bf\); from version 0\.34\.1 \(Thanos' 0\.x line\)$/m);
    expect(run.stdout).toMatch(/^ {2}ok {4}auth +bearer token from \$CAPPLAN_BEARER_TOKEN: accepted$/m);
    expect(run.stdout).toMatch(/^ {2}ok {4}thanos params +accepted: max_source_resolution=1h, dedup=true, partial_response=true$/m);
    const sent = srv.requests.filter((r) => r.path === '/api/v1/query_range');
    expect(sent.map((r) => r.form.get('max_source_resolution'))).toEqual([null, '1h']);
    expect(srv.requests.every((r) => r.headers['thanos-tenant'] === 'platform')).toBe(true);
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });

  it('checks a plan source with its Thanos options, and says when the declared type is wrong', async () => {
    const srv = await serve(thanos);
    const plan = join(work, 'doctor-plan.yaml');
    writeFileSync(
      plan,
      `sources:\n  thanos:\n    url: ${srv.url}\n    type: thanos\n    thanos: {maxSourceResolution: 5m, replicaLabels: [replica], partialResponse: abort}\n` +
        `  wrong:\n    url: ${srv.url}\n    type: prometheus\nresources:\n  - {name: x, source: thanos, usage: up}\n`,
    );
    const run = await doctor(['--plan', plan]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^source thanos: /m);
    expect(run.stdout).toMatch(/thanos params +accepted: max_source_resolution=5m, dedup=true, partial_response=false, replicaLabels\[\]=replica$/m);
    expect(run.stdout).toMatch(/^ {2}WARN {2}source type +the plan says type: prometheus, the server is Thanos: set type: thanos so pulls send max_source_resolution/m);
    expect(run.stdout).toMatch(/^capplan doctor: 2 sources checked, 0 failed, 1 warning$/m);

    const one = await doctor(['--plan', plan, '--source', 'wrong']);
    expect(one.stdout).not.toMatch(/^source thanos:/m);
    const none = await doctor(['--plan', plan, '--source', 'nope']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no source named "nope" in the plan \(sources: thanos, wrong\)/);
  });

  it('exits 5 and explains a 401 and a 403', async () => {
    const srv = await serve(() => ({ status: 401, body: 'Unauthorized', headers: { 'WWW-Authenticate': 'Bearer realm="thanos"' } }));
    const run = await doctor(['--url', srv.url]);
    expect(run.code).toBe(5);
    expect(run.stdout).toMatch(/^ {2}FAIL {2}auth +HTTP 401: the server wants credentials and none were sent \(it asks for: Bearer\); set CAPPLAN_BEARER_TOKEN/m);
    expect(run.stdout).toMatch(/^ {2}-- {4}sample query +credentials refused$/m);
    expect(run.stderr).toMatch(new RegExp(`^capplan: source adhoc \\(${srv.url.replace(/[.]/g, '\\.')}\\): auth: HTTP 401`, 'm'));

    const forbidden = await serve(() => ({ status: 403, body: 'forbidden' }));
    const refused = await doctor(['--url', forbidden.url], { CAPPLAN_BASIC_AUTH_USER: 'capplan', CAPPLAN_BASIC_AUTH_PASSWORD: 'pw-123456' });
    expect(refused.code).toBe(5);
    expect(refused.stdout).toMatch(/FAIL {2}auth +HTTP 403: the server knows who is asking but will not let it read \(basic auth as capplan \(password from \$CAPPLAN_BASIC_AUTH_PASSWORD\)\); check .*X-Scope-OrgID/);
    expect(refused.stdout + refused.stderr).not.toContain('pw-123456');
  });

  it('exits 5 with the URL when nothing listens there', async () => {
    const url = 'http://127.0.0.1:9';
    const run = await doctor(['--url', url]);
    expect(run.code).toBe(5);
    expect(run.stdout).toMatch(/^ {2}FAIL {2}reachable +source adhoc: GET http:\/\/127\.0\.0\.1:9\/api\/v1\/status\/buildinfo: ECONNREFUSED.* \(nothing listens there: check the host and port\)$/m);
    expect(run.stderr).toContain(`capplan: source adhoc (${url}): reachable: source adhoc: GET ${url}/api/v1/status/buildinfo: ECONNREFUSED`);
  });

  it('fails the sample query with the server message when the API answers wrongly', async () => {
    const srv = await serve((req) =>
      req.path === '/api/v1/query_range'
        ? { status: 422, body: { status: 'error', errorType: 'execution', error: 'query processing would load too many samples into memory' } }
        : { body: { status: 'success', data: { version: '2.53.0' } }, headers: { Date: new Date(Date.now() - 120_000).toUTCString() } },
    );
    const run = await doctor(['--url', srv.url]);
    expect(run.code).toBe(5);
    expect(run.stdout).toMatch(/FAIL {2}sample query +vector\(1\) over the last 5m: source adhoc: POST .*\/api\/v1\/query_range: HTTP 422: execution: query processing would load too many samples/);
    expect(run.stdout).toMatch(/WARN {2}clock skew +−1[12]\d\.\d s .*sync the clocks \(NTP\)$/m);
  });

  it('refuses usage mistakes with exit 2', async () => {
    expect((await doctor([])).code).toBe(2);
    expect((await doctor(['--url', 'ftp://x'])).stderr).toMatch(/--url: expected an http\(s\) URL/);
    expect((await doctor(['--url', 'http://x', '--source', 'a'])).stderr).toMatch(/--source: only with --plan/);
  });
});
