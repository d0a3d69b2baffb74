import { describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/errors.js';
import { PromApiError } from '../../../src/source/prometheus/PromApiError.js';
import { PromClient, type PromClientOptions } from '../../../src/source/prometheus/PromClient.js';
import { matrixReply, useFakeServer } from './fakeServer.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const TOKEN = 'tok-9f8e7d6c5b4a-s3cr3t';

function client(url: string, extra: Partial<PromClientOptions> = {}): { c: PromClient; sleeps: number[] } {
  const sleeps: number[] = [];
  const c = new PromClient({
    url,
    name: 'test',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...extra,
  });
  return { c, sleeps };
}

describe('PromClient', () => {
  const serve = useFakeServer();

  it('POSTs a form body and decodes the matrix, special floats included', async () => {
    const srv = await serve((req) => matrixReply(req.form, [{ __name__: 'up', job: 'a' }], (_i, t) => (t === T0 + H ? NaN : t / H)));
    const { c } = client(srv.url);
    const r = await c.queryRange({ query: 'up{job="a"}', startMs: T0, endMs: T0 + 2 * H, stepMs: H });
    expect(srv.requests).toHaveLength(1);
    const [req] = srv.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/api/v1/query_range');
    expect(req.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(req.form)).toEqual({ query: 'up{job="a"}', start: String(T0 / 1000), end: String((T0 + 2 * H) / 1000), step: '1h' });
    expect(r.series[0].labels).toEqual({ __name__: 'up', job: 'a' });
    expect(Array.from(r.series[0].timestamps)).toEqual([T0, T0 + H, T0 + 2 * H]);
    expect(Number.isNaN(r.series[0].values[1])).toBe(true);
    expect(r.resolution).toBeNull();
    expect(r.warnings).toEqual([]);
  });

  it('sends no Thanos parameters to a plain Prometheus source', async () => {
    const srv = await serve((req) => matrixReply(req.form, [], () => 0));
    await client(srv.url).c.queryRange({ query: 'up', startMs: T0, endMs: T0 + H, stepMs: H });
    expect([...srv.requests[0].form.keys()].sort()).toEqual(['end', 'query', 'start', 'step']);
  });

  it('sends Thanos parameters exactly, the resolution chosen from the step', async () => {
    const srv = await serve((req) => matrixReply(req.form, [], () => 0));
    const { c } = client(srv.url, { thanos: { dedup: true, replicaLabels: ['replica', 'prometheus_replica'], partialResponse: true } });
    await c.queryRange({ query: 'up', startMs: T0, endMs: T0 + 10 * H, stepMs: 5 * H });
    await c.queryRange({ query: 'up', startMs: T0, endMs: T0 + 10 * H, stepMs: H });
    await c.queryRange({ query: 'up', startMs: T0, endMs: T0 + 10 * H, stepMs: 5 * 60_000 });
    await c.queryRange({ query: 'up', startMs: T0, endMs: T0 + 10 * H, stepMs: H }, { maxSourceResolution: '0' });
    const f = srv.requests[0].form;
    expect(f.get('max_source_resolution')).toBe('1h');
    expect(f.get('dedup')).toBe('true');
    expect(f.getAll('replicaLabels[]')).toEqual(['replica', 'prometheus_replica']);
    expect(f.get('partial_response')).toBe('true');
    expect(srv.requests[0].rawBody).toContain('replicaLabels%5B%5D=replica&replicaLabels%5B%5D=prometheus_replica');
    expect(srv.requests.map((r) => r.form.get('max_source_resolution'))).toEqual(['1h', '5m', '0', '0']);
  });

  it('honours a configured max_source_resolution and partial_response=false', async () => {
    const srv = await serve((req) => matrixReply(req.form, [], () => 0));
    const { c } = client(srv.url, { thanos: { maxSourceResolution: '5m', partialResponse: false } });
    const r = await c.queryRange({ query: 'up', startMs: T0, endMs: T0 + 10 * H, stepMs: 5 * H });
    expect(r.resolution).toBe('5m');
    expect(srv.requests[0].form.get('max_source_resolution')).toBe('5m');
    expect(srv.requests[0].form.get('partial_response')).toBe('false');
    expect(srv.requests[0].form.has('dedup')).toBe(false);
  });

  it('returns server warnings to the caller', async () => {
    const srv = await serve((req) => matrixReply(req.form, [{ a: '1' }], () => 1, ['No StoreAPIs matched for this query']));
    const r = await client(srv.url).c.queryRange({ query: 'x', startMs: T0, endMs: T0 + H, stepMs: H });
    expect(r.warnings).toEqual(['No StoreAPIs matched for this query']);
  });

  it('sends a bearer token from an env var and extra headers, and never shows the token', async () => {
    const srv = await serve((req) =>
      req.path.endsWith('buildinfo')
        ? { body: { status: 'success', data: { version: '0.34.1', revision: 'abc' } } }
        : { status: 400, body: { status: 'error', errorType: 'bad_data', error: `invalid parameter "query": token ${TOKEN} echoed by a proxy` } },
    );
    const { c } = client(srv.url, {
      auth: { bearerTokenEnv: 'CAPPLAN_TEST_TOKEN' },
      headers: { 'THANOS-TENANT': 'team-a', 'X-Scope-OrgID': 'org-1' },
      secretReaders: { env: { CAPPLAN_TEST_TOKEN: TOKEN } },
    });
    const info = await c.buildInfo();
    expect(info).toMatchObject({ version: '0.34.1', backend: 'thanos' });
    expect(srv.requests[0].method).toBe('GET');
    expect(srv.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(srv.requests[0].headers['thanos-tenant']).toBe('team-a');
    expect(srv.requests[0].headers['x-scope-orgid']).toBe('org-1');
    const err = await c.queryRange({ query: 'x', startMs: T0, endMs: T0 + H, stepMs: H }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    const e = err as SourceError;
    expect(e.status).toBe(400);
    expect(e.message).toContain('[REDACTED]');
    for (const text of [e.message, e.serverMessage ?? '', String(e.stack), JSON.stringify(e), String(e.cause ?? '')]) expect(text).not.toContain(TOKEN);
  });

  it('sends basic auth with the password from a file and redacts it and its base64 form', async () => {
    const password = 'pa55-w0rd-x!';
    const srv = await serve((req) => ({ status: 401, body: `unauthorized: ${req.headers.authorization}` }));
    const { c } = client(srv.url, {
      auth: { basicAuth: { username: 'capplan', passwordFile: '/secrets/pw' } },
      secretReaders: { readFile: (p) => (p === '/secrets/pw' ? `${password}\n` : '') },
    });
    const err = (await c.labels().catch((e: unknown) => e)) as SourceError;
    const encoded = Buffer.from(`capplan:${password}`).toString('base64');
    expect(srv.requests[0].headers.authorization).toBe(`Basic ${encoded}`);
    expect(err.status).toBe(401);
    expect(err.message).not.toContain(encoded);
    expect(err.message).not.toContain(password);
  });

  it('names a missing credential env var without inventing a value', async () => {
    const { c } = client('http://127.0.0.1:9', { auth: { bearerTokenEnv: 'NOPE_TOKEN' }, secretReaders: { env: {} } });
    await expect(c.buildInfo()).rejects.toThrow(/environment variable NOPE_TOKEN is not set/);
  });

  it('removes URL credentials from messages', async () => {
    const srv = await serve(() => ({ status: 500, body: 'boom' }));
    const url = srv.url.replace('http://', 'http://alice:hunter22@');
    const { c } = client(url, { backoff: { retries: 0 } });
    const err = (await c.buildInfo().catch((e: unknown) => e)) as SourceError;
    expect(err.message).not.toContain('hunter22');
    expect(err.message).toContain('/api/v1/status/buildinfo');
  });

  it('retries 429/5xx with exponential full-jitter backoff, honouring Retry-After', async () => {
    let n = 0;
    const srv = await serve((req) => {
      n++;
      if (n === 1) return { status: 429, headers: { 'Retry-After': '7' }, body: 'slow down' };
      if (n === 2) return { status: 502, body: '<html>bad gateway</html>' };
      if (n === 3) return { status: 500, body: { status: 'error', errorType: 'internal', error: 'oops' } };
      return matrixReply(req.form, [{ a: '1' }], () => 1);
    });
    const { c, sleeps } = client(srv.url, { backoff: { baseMs: 100, maxMs: 10_000 } });
    const r = await c.queryRange({ query: 'x', startMs: T0, endMs: T0 + H, stepMs: H });
    expect(r.series).toHaveLength(1);
    expect(n).toBe(4);
    // Retry-After 7 s first, then random 0.5 × base·2^attempt.
    expect(sleeps).toEqual([7000, 0.5 * 100 * 2, 0.5 * 100 * 4]);
  });

  it('retries a reset connection, then gives up naming the attempts', async () => {
    const srv = await serve(() => ({ reset: true }));
    const { c, sleeps } = client(srv.url, { backoff: { retries: 2 } });
    const err = (await c.buildInfo().catch((e: unknown) => e)) as PromApiError;
    expect(err).toBeInstanceOf(SourceError);
    expect(err.code).toBe('ECONNRESET');
    expect(err.message).toMatch(/ECONNRESET.*\(after 3 attempts\)/);
    expect(sleeps).toHaveLength(2);
    expect(srv.requests).toHaveLength(3);
  });

  it('retries a client-side timeout', async () => {
    let n = 0;
    const srv = await serve(async () => {
      if (n++ === 0) await new Promise((r) => setTimeout(r, 400));
      return { body: { status: 'success', data: { version: '2.42.0+ds', revision: '', branch: 'debian/sid', buildUser: 'team@debian', buildDate: '20230101', goVersion: 'go1.19' } } };
    });
    const { c } = client(srv.url, { timeoutMs: 100 });
    expect((await c.buildInfo()).backend).toBe('prometheus');
    expect(n).toBe(2);
  });

  it('does not retry connection refused forever and says where', async () => {
    const { c, sleeps } = client('http://127.0.0.1:1', { backoff: { retries: 1 } });
    const err = (await c.buildInfo().catch((e: unknown) => e)) as SourceError;
    expect(err.message).toMatch(/GET http:\/\/127\.0\.0\.1:1\/api\/v1\/status\/buildinfo: ECONNREFUSED/);
    expect(sleeps).toHaveLength(1);
  });

  it.each([
    [400, 'bad_data', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)'],
    [422, 'execution', 'query processing would load too many samples into memory in query execution'],
    [503, 'timeout', 'query timed out in expression evaluation'],
  ])('maps HTTP %i %s to a SourceError with the server text, without retrying', async (status, errorType, error) => {
    const srv = await serve(() => ({ status, body: { status: 'error', errorType, error } }));
    const { c, sleeps } = client(srv.url);
    const err = (await c.queryRange({ query: 'x', startMs: T0, endMs: T0 + H, stepMs: H }).catch((e: unknown) => e)) as PromApiError;
    expect(err).toBeInstanceOf(SourceError);
    expect(err.status).toBe(status);
    expect(err.errorType).toBe(errorType);
    expect(err.serverMessage).toBe(error);
    expect(err.message).toBe(`source test: POST ${srv.url}/api/v1/query_range: HTTP ${status}: ${errorType}: ${error}`);
    expect(sleeps).toEqual([]);
  });

  it('sends series and labels queries with match[] and Thanos flags', async () => {
    const srv = await serve((req) => ({ body: { status: 'success', data: req.path.endsWith('series') ? [{ __name__: 'up', job: 'a' }] : ['__name__', 'job'] } }));
    const { c } = client(srv.url, { thanos: { dedup: false, replicaLabels: ['replica'], partialResponse: true } });
    const s = await c.series(['up', 'node_filesystem_size_bytes'], { startMs: T0, endMs: T0 + H });
    const l = await c.labels(undefined, ['up']);
    expect(s.series).toEqual([{ __name__: 'up', job: 'a' }]);
    expect(l.labels).toEqual(['__name__', 'job']);
    expect(srv.requests[0].form.getAll('match[]')).toEqual(['up', 'node_filesystem_size_bytes']);
    expect(srv.requests[0].form.get('dedup')).toBe('false');
    expect(srv.requests[0].form.getAll('replicaLabels[]')).toEqual(['replica']);
    expect(srv.requests[1].form.get('partial_response')).toBe('true');
    expect(srv.requests[1].form.has('max_source_resolution')).toBe(false);
  });
});
