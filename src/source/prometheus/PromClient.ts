import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { SourceError } from '../../errors.js';
import { formatDuration } from '../../time/duration.js';
import { resolveAuth, type AuthConfig, type SecretReaders } from './auth.js';
import { backoffDelay, DEFAULT_BACKOFF, parseRetryAfter, type BackoffPolicy } from './backoff.js';
import { MatrixStreamDecoder } from './fastMatrix.js';
import { identifyBackend, type Backend } from './identifyBackend.js';
import { decodeMatrix, type RangeResult, type RangeSeries } from './matrix.js';
import { PromApiError } from './PromApiError.js';
import { displayUrl, redact } from './redact.js';
import { chooseMaxSourceResolution } from './thanosResolution.js';

export interface TlsConfig {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Opt-in only: verification is on unless this is true. */
  readonly insecureSkipVerify?: boolean;
}

/** Thanos query parameters; when a client has these, they are sent on every call they apply to. */
export interface ThanosParams {
  /** `0`, `5m`, `1h` or `auto`; when absent, chosen per query from the step. */
  readonly maxSourceResolution?: string;
  readonly dedup?: boolean;
  readonly replicaLabels?: readonly string[];
  /** true: missing stores give warnings and HTTP 200; false: an error. Absent: the server's default. */
  readonly partialResponse?: boolean;
}

export interface PromClientOptions {
  /** Base URL; may carry a path prefix (`https://host/thanos`). */
  readonly url: string;
  /** The plan's name for this source, used in messages. */
  readonly name?: string;
  readonly auth?: AuthConfig;
  /** Extra headers, e.g. `THANOS-TENANT` or `X-Scope-OrgID`. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly tls?: TlsConfig;
  readonly thanos?: ThanosParams;
  readonly timeoutMs?: number;
  /** Ask for gzip-compressed answers (slow links); off by default, as compressing costs the server more than it saves on a LAN. */
  readonly compression?: boolean;
  readonly backoff?: Partial<BackoffPolicy>;
  /** Injected so tests can retry without waiting. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly secretReaders?: SecretReaders;
}

export interface TimeRange {
  readonly startMs: number;
  readonly endMs: number;
}

export interface RangeQuery extends TimeRange {
  readonly query: string;
  readonly stepMs: number;
}

/** A query_range answer; `resolution` is the max_source_resolution sent (null when not Thanos). */
export interface QueryRangeResult extends RangeResult {
  readonly resolution: string | null;
}

export interface BuildInfo {
  readonly version: string;
  readonly revision?: string;
  /** What the server is, from its answer and headers; see `identifyBackend`. */
  readonly backend: Backend;
  /** What gave the backend away. */
  readonly evidence: string;
  readonly raw: Readonly<Record<string, unknown>>;
}

/** A Prometheus API answer's JSON envelope. */
export interface ApiBody {
  status?: string;
  data?: unknown;
  errorType?: string;
  error?: string;
  warnings?: string[];
  /** A range answer already decoded from bytes (`data` is then absent). */
  matrix?: RangeSeries[];
}

/** What `probe` saw: any HTTP answer, its timing, and the error it would have raised (null on success). */
export interface ProbeResult {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ApiBody | null;
  readonly elapsedMs: number;
  readonly error: PromApiError | null;
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRY_CODES = new Set(['ERR_BAD_RESPONSE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'EAI_AGAIN', 'ERR_SOCKET_CONNECTION_TIMEOUT']);
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|DEPTH_ZERO/;

/**
 * A client for the Prometheus HTTP API as Prometheus, Thanos, Mimir and
 * VictoriaMetrics serve it. Queries go as form POSTs (long PromQL never hits
 * URL limits); transient failures are retried; every error is a SourceError
 * naming the URL, the status and the server's own message, with credentials
 * removed.
 */
export class PromClient {
  private readonly http: AxiosInstance;
  private readonly agents: { destroy(): void }[];
  private readonly base: string;
  private readonly backoff: BackoffPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  /** Every secret this client has sent, so later messages can be scrubbed of them. */
  private readonly secrets = new Set<string>();

  constructor(readonly options: PromClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    const tls = options.tls ?? {};
    const httpAgent = new http.Agent({ keepAlive: true });
    const httpsAgent = new https.Agent({
      keepAlive: true,
      ca: tls.caFile ? readTlsFile(tls.caFile, 'caFile') : undefined,
      cert: tls.certFile ? readTlsFile(tls.certFile, 'certFile') : undefined,
      key: tls.keyFile ? readTlsFile(tls.keyFile, 'keyFile') : undefined,
      rejectUnauthorized: tls.insecureSkipVerify !== true,
    });
    this.agents = [httpAgent, httpsAgent];
    this.http = axios.create({
      timeout: options.timeoutMs ?? 120_000,
      // Statuses, bodies and JSON are handled here, so error messages can carry the server's text.
      validateStatus: () => true,
      // Bytes: range answers are decoded straight from them (see decodeMatrixBody), the rest as UTF-8 text.
      responseType: 'arraybuffer',
      transformResponse: [(d: unknown) => d],
      maxContentLength: Infinity,
      maxBodyLength: Infinity,
      // Kept alive: a long pull makes hundreds of calls to one host.
      httpAgent,
      httpsAgent,
    });
  }

  /** Closes idle kept-alive connections; the client must not be used afterwards. */
  close(): void {
    for (const a of this.agents) a.destroy();
  }

  /** Runs a range query. Splitting long ranges is the caller's job (see `splitRange`). */
  async queryRange(q: RangeQuery, overrides: { maxSourceResolution?: string } = {}): Promise<QueryRangeResult> {
    const form = this.rangeForm(q, overrides);
    const resolution = form.get('max_source_resolution');
    // Points per series the answer holds at most: the decoder sizes its arrays by it.
    const points = Math.max(1, Math.floor((q.endMs - q.startMs) / q.stepMs) + 1);
    const body = await this.request('POST', '/api/v1/query_range', form, points);
    let series;
    try {
      series = body.matrix ?? decodeMatrix(body.data);
    } catch (err) {
      throw new SourceError(`${this.where('POST', '/api/v1/query_range')}: unexpected answer: ${(err as Error).message}`);
    }
    return { series, warnings: this.scrubAll(body.warnings), resolution };
  }

  /** Label sets of the series matching any of `matchers` (at least one needed). */
  async series(matchers: readonly string[], range?: TimeRange): Promise<{ series: Record<string, string>[]; warnings: string[] }> {
    if (matchers.length === 0) throw new SourceError('series: at least one match[] selector is required');
    const form = new URLSearchParams();
    for (const m of matchers) form.append('match[]', m);
    addRange(form, range);
    if (this.options.thanos) this.addThanosParams(form, true);
    const body = await this.post('/api/v1/series', form);
    return { series: (body.data as Record<string, string>[]) ?? [], warnings: this.scrubAll(body.warnings) };
  }

  /** Label names, optionally limited to series matching `matchers`. */
  async labels(range?: TimeRange, matchers: readonly string[] = []): Promise<{ labels: string[]; warnings: string[] }> {
    const form = new URLSearchParams();
    for (const m of matchers) form.append('match[]', m);
    addRange(form, range);
    if (this.options.thanos) this.addThanosParams(form, false);
    const body = await this.post('/api/v1/labels', form);
    return { labels: (body.data as string[]) ?? [], warnings: this.scrubAll(body.warnings) };
  }

  /**
   * The server's build info and what it is (headers included: VictoriaMetrics
   * is told apart by them). Thanos, Mimir and VictoriaMetrics answer it too;
   * any error status is thrown as a PromApiError.
   */
  async buildInfo(): Promise<BuildInfo> {
    const seen: { status: number; headers: Record<string, string> } = { status: 0, headers: {} };
    const body = await this.request('GET', '/api/v1/status/buildinfo', undefined, 0, seen);
    const raw = (body.data ?? {}) as Record<string, unknown>;
    const found = identifyBackend({ status: seen.status, headers: seen.headers, body });
    return { version: found.version ?? '', revision: found.revision ?? undefined, backend: found.backend, evidence: found.evidence, raw };
  }

  private addThanosParams(form: URLSearchParams, withDedup: boolean): void {
    const t = this.options.thanos ?? {};
    if (withDedup && t.dedup !== undefined) form.set('dedup', String(t.dedup));
    // Thanos reads the bracketed, repeated form; `replicaLabels=a,b` is one label named "a,b".
    if (withDedup) for (const l of t.replicaLabels ?? []) form.append('replicaLabels[]', l);
    if (t.partialResponse !== undefined) form.set('partial_response', String(t.partialResponse));
  }

  private post(path: string, form: URLSearchParams): Promise<ApiBody> {
    return this.request('POST', path, form);
  }

  /**
   * With `matrixPoints`, a range query expecting this many points per series: its answer is decoded as it streams in.
   * With `seen`, the successful answer's status and (lower-case) headers are copied into it.
   */
  private async request(
    method: 'GET' | 'POST',
    path: string,
    form?: URLSearchParams,
    matrixPoints = 0,
    seen?: { status: number; headers: Record<string, string> },
  ): Promise<ApiBody> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(method, path, form, matrixPoints, seen);
      if (outcome.ok) return outcome.body;
      const { error, retryable, retryAfterMs } = outcome;
      if (!retryable || attempt >= this.backoff.retries) {
        if (attempt > 0) {
          throw new PromApiError(`${error.message} (after ${attempt + 1} attempts)`, error.status, error.serverMessage, error.errorType, error.code);
        }
        throw error;
      }
      await this.sleep(backoffDelay(attempt, this.backoff, this.random, retryAfterMs));
    }
  }

  private async attempt(
    method: 'GET' | 'POST',
    path: string,
    form: URLSearchParams | undefined,
    matrixPoints: number,
    seen?: { status: number; headers: Record<string, string> },
  ): Promise<{ ok: true; body: ApiBody } | { ok: false; error: PromApiError; retryable: boolean; retryAfterMs: number | null }> {
    let res: AxiosResponse<Buffer | Readable>;
    let bytes: Uint8Array;
    try {
      res = await this.send(method, path, form, matrixPoints > 0);
      if (res.data instanceof Readable) {
        // A successful range answer is decoded chunk by chunk as it arrives, and not kept: only its first bytes are, for
        // the general path (an error body, or an answer the decoder does not take, which a long one is then taken for).
        const decoder = res.status >= 200 && res.status < 300 ? new MatrixStreamDecoder(matrixPoints) : null;
        const head = await this.readStream(method, path, res.data, decoder, decoder ? KEPT_BYTES : Infinity);
        const decoded = decoder?.end();
        if (decoded) return { ok: true, body: { status: 'success', matrix: decoded.series, warnings: decoded.warnings } };
        bytes = head;
      } else bytes = asBytes(res.data);
    } catch (err) {
      if (!(err instanceof PromApiError)) throw err;
      // `send` reports both of axios' timeout codes (ECONNABORTED, ETIMEDOUT) as `timeout`.
      const retryable = err.code === 'timeout' || RETRY_CODES.has(err.code ?? '');
      return { ok: false, error: err, retryable, retryAfterMs: null };
    }
    if (seen) {
      seen.status = res.status;
      seen.headers = lowerCaseHeaders(res.headers);
    }
    const text = utf8.decode(bytes);
    const body = parseBody(text);
    if (res.status >= 200 && res.status < 300 && body?.status === 'success') return { ok: true, body };
    const error = this.httpError(method, path, res.status, body, text);
    // A Prometheus query timeout (503, errorType timeout) will time out again: the caller shrinks the range instead.
    const queryTimeout = error.errorType === 'timeout' || error.errorType === 'canceled';
    // A 2xx that is not JSON was cut short (or is not a Prometheus API): worth another try.
    const truncated = res.status >= 200 && res.status < 300 && body === null;
    const retryable = (RETRY_STATUS.has(res.status) && !queryTimeout) || truncated;
    return { ok: false, error, retryable, retryAfterMs: parseRetryAfter(res.headers['retry-after'], this.now()) };
  }

  /**
   * One request with no retries, for diagnostics (`capplan doctor`): any HTTP
   * answer comes back with its status, headers and timing; only transport
   * failures (refused, DNS, TLS, timeout) throw, as a PromApiError naming the URL.
   */
  async probe(method: 'GET' | 'POST', path: string, form?: URLSearchParams): Promise<ProbeResult> {
    const t0 = performance.now();
    const res = await this.send(method, path, form);
    const elapsedMs = performance.now() - t0;
    const text = utf8.decode(asBytes(res.data));
    const body = parseBody(text);
    const headers = lowerCaseHeaders(res.headers);
    const ok = res.status >= 200 && res.status < 300 && body?.status === 'success';
    return {
      status: res.status,
      headers,
      body,
      elapsedMs,
      error: ok ? null : this.httpError(method, path, res.status, body, text),
    };
  }

  /** The same query parameters `queryRange` sends, Thanos ones included, as a form; for `probe`. */
  rangeForm(q: RangeQuery, overrides: { maxSourceResolution?: string } = {}): URLSearchParams {
    const form = new URLSearchParams({ query: q.query, start: seconds(q.startMs), end: seconds(q.endMs), step: formatDuration(q.stepMs) });
    const thanos = this.options.thanos;
    if (thanos) {
      form.set('max_source_resolution', overrides.maxSourceResolution ?? thanos.maxSourceResolution ?? chooseMaxSourceResolution(q.stepMs));
      this.addThanosParams(form, true);
    }
    return form;
  }

  /**
   * Reads a streamed answer to its end, handing each chunk to `decoder`, and returns its bytes when there are at most
   * `keep` (an empty array past that: the answer is then treated as one that is not JSON). A transfer cut short
   * becomes a scrubbed PromApiError.
   */
  private readStream(method: string, path: string, stream: Readable, decoder: MatrixStreamDecoder | null, keep: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      let chunks: Buffer[] | null = [];
      let kept = 0;
      stream.on('data', (c: Buffer) => {
        if (chunks) {
          chunks.push(c);
          kept += c.length;
          if (kept > keep) chunks = null;
        }
        try {
          decoder?.push(c);
        } catch (err) {
          stream.destroy();
          reject(err as Error);
        }
      });
      let ended = false;
      stream.on('end', () => {
        ended = true;
        resolve(chunks ? Buffer.concat(chunks) : new Uint8Array(0));
      });
      stream.on('error', (err) => reject(this.transportError(method, path, err)));
      // Closed with neither an end nor an error (the connection dropped mid-answer): cut short, like a reset.
      stream.on('close', () => {
        if (!ended) reject(this.transportError(method, path, Object.assign(new Error('answer cut short'), { code: 'ECONNRESET' })));
      });
    });
  }

  /**
   * Sends one request with headers and credentials; transport failures become a scrubbed PromApiError. With
   * `stream`, the answer's body is left to read as it arrives.
   */
  private async send(method: 'GET' | 'POST', path: string, form?: URLSearchParams, stream = false): Promise<AxiosResponse<Buffer | Readable>> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      // Prometheus gzips a 100 MB answer at a fraction of loopback or LAN speed (measured 5-8× slower end to end): ask for it only where bandwidth is scarce.
      'Accept-Encoding': this.options.compression ? 'gzip' : 'identity',
      ...this.options.headers,
    };
    const auth = resolveAuth(this.options.auth, this.options.secretReaders);
    if (auth) {
      headers.Authorization = auth.authorization;
      for (const s of auth.secrets) this.secrets.add(s);
    }
    if (form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    try {
      return await this.http.request<Buffer | Readable>({
        method,
        url: this.base + path,
        data: form?.toString(),
        headers,
        // No length limit on a stream: axios would otherwise re-wrap it in a slower counting stream.
        ...(stream ? { responseType: 'stream', maxContentLength: -1 } : {}),
      });
    } catch (err) {
      throw this.transportError(method, path, err);
    }
  }

  private transportError(method: string, path: string, err: unknown): PromApiError {
    // The axios error holds the request config, Authorization included: it is never kept as a cause.
    const code = (err as { code?: string }).code ?? 'ERROR';
    const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
    const hint = TLS_CODES.test(code) ? ' (set tls.caFile to trust a private CA)' : '';
    const what = timedOut ? `timed out after ${this.options.timeoutMs ?? 120_000} ms` : `${code}: ${(err as Error).message}`;
    return new PromApiError(this.scrub(`${this.where(method, path)}: ${what}${hint}`), undefined, undefined, undefined, timedOut ? 'timeout' : code);
  }

  private httpError(method: string, path: string, status: number, body: ApiBody | null, text: unknown): PromApiError {
    const serverMessage = body?.error !== undefined ? this.scrub(body.error) : snippet(this.scrub(String(text ?? '')));
    const errorType = body?.errorType;
    const notJson = body === null && status >= 200 && status < 300 ? 'answer is not valid JSON (truncated, or not a Prometheus API)' : null;
    const detail = [`HTTP ${status}`, errorType, notJson ?? serverMessage].filter((x) => x).join(': ');
    return new PromApiError(this.scrub(`${this.where(method, path)}: ${detail}`), status, serverMessage, errorType);
  }

  private where(method: string, path: string): string {
    const name = this.options.name ? `source ${this.options.name}: ` : '';
    return `${name}${method} ${displayUrl(this.base + path)}`;
  }

  private scrub(text: string): string {
    return redact(text, [...this.secrets]);
  }

  /** Server warnings can quote a request back, credentials included: scrubbed before anyone stores or prints them. */
  private scrubAll(warnings: readonly unknown[] | undefined): string[] {
    return (warnings ?? []).map((w) => this.scrub(String(w)));
  }
}

const utf8 = new TextDecoder();

/** The bytes of a streamed range answer kept for the general path: error bodies and small answers fit, matrices are not held. */
const KEPT_BYTES = 1 << 20;

function lowerCaseHeaders(raw: Readonly<Record<string, unknown>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
  return headers;
}

function asBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new TextEncoder().encode(typeof data === 'string' ? data : '');
}

function parseBody(text: unknown): ApiBody | null {
  if (typeof text !== 'string' || text === '') return null;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as ApiBody) : null;
  } catch {
    return null;
  }
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/** Unix seconds with ms precision, the form every compatible server accepts. */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(3).replace(/\.?0+$/, '');
}

function addRange(form: URLSearchParams, range?: TimeRange): void {
  if (!range) return;
  form.set('start', seconds(range.startMs));
  form.set('end', seconds(range.endMs));
}

function readTlsFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new SourceError(`tls.${what}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
