import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

/** One request as the fake server saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly contentType: string | undefined;
  readonly rawBody: string;
  readonly form: URLSearchParams;
}

export interface FakeReply {
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Destroy the socket instead of answering (ECONNRESET at the client). */
  readonly reset?: boolean;
}

export interface FakeServer {
  readonly url: string;
  readonly requests: SeenRequest[];
}

/**
 * An in-process stand-in for a Prometheus-compatible server on loopback:
 * each request is recorded and answered by `handle`. Closed after each test.
 */
export function useFakeServer(): (handle: (req: SeenRequest) => FakeReply | Promise<FakeReply>) => Promise<FakeServer> {
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  return async (handle) => {
    const requests: SeenRequest[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url ?? '/', 'http://x');
        const form = req.method === 'POST' ? new URLSearchParams(rawBody) : url.searchParams;
        const seen: SeenRequest = { method: req.method ?? '', path: url.pathname, headers: req.headers, contentType: req.headers['content-type'], rawBody, form };
        requests.push(seen);
        void Promise.resolve(handle(seen)).then((reply) => {
          if (reply.reset) {
            req.socket.destroy();
            return;
          }
          const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? { status: 'success', data: null });
          res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json', ...reply.headers });
          res.end(body);
        });
      });
    });
    server.keepAliveTimeout = 1000;
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
  };
}

/**
 * Answers a query_range like Prometheus would for `series` synthetic series:
 * a point at every start + k·step up to end, value = f(series, ms).
 */
export function matrixReply(form: URLSearchParams, series: readonly Record<string, string>[], f: (i: number, ms: number) => number, warnings?: string[]): FakeReply {
  const start = Number(form.get('start')) * 1000;
  const end = Number(form.get('end')) * 1000;
  const step = parseStep(form.get('step') ?? '');
  const result = series.map((metric, i) => {
    const values: [number, string][] = [];
    for (let t = start; t <= end; t += step) values.push([t / 1000, String(f(i, t))]);
    return { metric, values };
  });
  return { body: { status: 'success', data: { resultType: 'matrix', result }, ...(warnings ? { warnings } : {}) } };
}

export function parseStep(step: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(step);
  if (!m) return Number(step) * 1000;
  const unit = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[m[2] as 'ms'];
  return Number(m[1]) * unit;
}
