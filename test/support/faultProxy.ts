import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parseDuration } from '../../src/time/duration.js';

/**
 * What the proxy does to one request instead of (or on top of) forwarding it.
 *
 * - `reset`: TCP RST before any byte of an answer (ECONNRESET at the client).
 * - `resetMidBody`: the upstream's status line, headers and half its body, then RST.
 * - `stall`: accepts the request and answers nothing for `ms` (set it past the client timeout), then closes.
 * - `delay`: forwards after `ms` (a slow but healthy server).
 * - `status`: answers `status` with `body` (a Prometheus error envelope by default) and `headers` (e.g. Retry-After).
 * - `truncate`: the upstream's 200 answer cut to its first half; `lengthOf: 'cut'` sends a Content-Length
 *   matching the cut body (a clean but short answer), `'full'` announces the whole length and closes early.
 * - `nonJson`: 200 with an HTML page, as a misconfigured ingress or captive proxy answers.
 * - `warnings`: the upstream's answer with `warnings` added (a Thanos partial response).
 * - `overlap`: asks the upstream for one step more at the end of the window, so consecutive
 *   windows return the same instant twice (duplicates across chunk seams).
 * - `shuffle`: the upstream's points reversed and each repeated (out of order, duplicated within a window).
 */
export type Fault =
  | { readonly kind: 'reset' }
  | { readonly kind: 'resetMidBody' }
  | { readonly kind: 'stall'; readonly ms: number }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'status'; readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string }
  | { readonly kind: 'truncate'; readonly lengthOf: 'cut' | 'full' }
  | { readonly kind: 'nonJson' }
  | { readonly kind: 'warnings'; readonly warnings: readonly string[] }
  | { readonly kind: 'overlap' }
  | { readonly kind: 'shuffle' };

export type FaultKind = Fault['kind'];

/** A request as the proxy saw it; `n` counts from 0 over the proxy's life (or since `reset()`). */
export interface ProxiedRequest {
  readonly n: number;
  readonly method: string;
  readonly path: string;
  readonly form: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
}

/** Decides, per request, which fault (if any) to inject. */
export type Schedule = (req: ProxiedRequest) => Fault | null;

export interface FaultProxy {
  readonly url: string;
  /** Every request, with the fault injected into it (null when forwarded untouched). */
  readonly log: { readonly req: ProxiedRequest; readonly fault: Fault | null }[];
  /** Replaces the schedule, restarts the request count and clears the log. */
  setSchedule(schedule: Schedule): void;
  /** How many requests got each kind of fault. */
  injected(): Partial<Record<FaultKind, number>>;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /** Serve HTTPS with this key and certificate instead of plain HTTP. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
}

/** Injects nothing. */
export const clean: Schedule = () => null;

/** `fault` on the requests whose number is in `at` (0-based), nothing on the others. */
export function onRequests(at: readonly number[], fault: Fault): Schedule {
  const set = new Set(at);
  return (r) => (set.has(r.n) ? fault : null);
}

/** `fault` on every request from the `from`-th on: a source that breaks mid-pull and stays broken. */
export function fromRequest(from: number, fault: Fault): Schedule {
  return (r) => (r.n >= from ? fault : null);
}

/**
 * A loopback proxy in front of a Prometheus-compatible server that injects
 * faults request by request, following a schedule the test scripts. Requests
 * are forwarded as they came (method, path, headers, body); answers are
 * buffered whole, which is fine for the small windows the tests pull.
 */
export async function startFaultProxy(target: string, schedule: Schedule = clean, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const upstream = new URL(target);
  let current = schedule;
  let count = 0;
  const log: FaultProxy['log'] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://proxy');
      const form = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
      const seen: ProxiedRequest = { n: count++, method: req.method ?? 'GET', path: url.pathname, form, headers: req.headers };
      const fault = current(seen);
      log.push({ req: seen, fault });
      void handle(seen, fault, req, res, body).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(599, { 'Content-Type': 'text/plain' });
          res.end(`fault proxy: ${String(err)}`);
        } else {
          req.socket.destroy();
        }
      });
    });
  };

  const later = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  async function handle(seen: ProxiedRequest, fault: Fault | null, req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const socket = req.socket;
    switch (fault?.kind) {
      case 'reset':
        socket.resetAndDestroy();
        return;
      case 'stall':
        await later(fault.ms);
        socket.destroy();
        return;
      case 'status': {
        const text = fault.body ?? JSON.stringify({ status: 'error', errorType: 'server_error', error: `injected HTTP ${fault.status}` });
        res.writeHead(fault.status, { 'Content-Type': fault.body === undefined ? 'application/json' : 'text/plain', ...fault.headers });
        res.end(text);
        return;
      }
      case 'nonJson':
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<html><head><title>Service Unavailable</title></head><body><h1>Please wait while we redirect you</h1></body></html>');
        return;
      default:
        break;
    }
    if (fault?.kind === 'delay') await later(fault.ms);
    let sent = body;
    if (fault?.kind === 'overlap' && seen.path.endsWith('/query_range')) {
      const f = new URLSearchParams(seen.form);
      const stepMs = parseDuration(f.get('step') ?? '', 'step');
      f.set('end', String((Number(f.get('end')) * 1000 + stepMs) / 1000));
      sent = f.toString();
    }
    const answer = await forward(upstream, req, sent);
    let text = answer.body;
    if (answer.status === 200 && (fault?.kind === 'warnings' || fault?.kind === 'shuffle')) {
      const json = JSON.parse(text) as { warnings?: string[]; data?: { result?: { values?: unknown[] }[] } };
      if (fault.kind === 'warnings') json.warnings = [...(json.warnings ?? []), ...fault.warnings];
      else for (const s of json.data?.result ?? []) s.values = (s.values ?? []).slice().reverse().flatMap((v) => [v, v]);
      text = JSON.stringify(json);
    }
    const bytes = Buffer.from(text, 'utf8');
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': answer.contentType ?? 'application/json' };
    if (fault?.kind === 'truncate' || fault?.kind === 'resetMidBody') {
      const cut = bytes.subarray(0, Math.floor(bytes.length / 2));
      headers['Content-Length'] = fault.kind === 'truncate' && fault.lengthOf === 'cut' ? cut.length : bytes.length;
      res.writeHead(answer.status, headers);
      if (fault.kind === 'truncate' && fault.lengthOf === 'cut') {
        res.end(cut);
        return;
      }
      res.write(cut, () => {
        // Let the half body reach the client before the connection dies under it.
        setTimeout(() => (fault.kind === 'resetMidBody' ? socket.resetAndDestroy() : socket.destroy()), 20);
      });
      return;
    }
    headers['Content-Length'] = bytes.length;
    res.writeHead(answer.status, headers);
    res.end(bytes);
  }

  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A client timing out mid-stall closes its socket; that is expected, not an error.
  server.on('clientError', (_err, s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    log,
    setSchedule(s) {
      current = s;
      count = 0;
      log.length = 0;
    },
    injected() {
      const out: Partial<Record<FaultKind, number>> = {};
      for (const { fault } of log) if (fault) out[fault.kind] = (out[fault.kind] ?? 0) + 1;
      return out;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

async function forward(target: URL, req: http.IncomingMessage, body: string): Promise<{ status: number; body: string; contentType?: string }> {
  const headers: http.OutgoingHttpHeaders = { ...req.headers, host: target.host };
  delete headers['content-length'];
  delete headers.connection;
  // The proxy rewrites bodies: ask for them uncompressed.
  delete headers['accept-encoding'];
  if (body !== '') headers['content-length'] = Buffer.byteLength(body);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const up = client.request(
      { hostname: target.hostname, port: target.port, method: req.method, path: `${target.pathname.replace(/\/+$/, '')}${req.url ?? '/'}`, headers, agent: false },
      (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => resolve({ status: r.statusCode ?? 502, body: Buffer.concat(chunks).toString('utf8'), contentType: r.headers['content-type'] }));
        r.on('error', reject);
      },
    );
    up.on('error', reject);
    up.end(body);
  });
}
