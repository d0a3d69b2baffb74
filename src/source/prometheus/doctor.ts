import { SourceError } from '../../errors.js';
import type { SourceConfig } from '../SourceConfig.js';
import type { AuthConfig } from './auth.js';
import { decodeMatrix } from './matrix.js';
import { PromApiError } from './PromApiError.js';
import { sourceTypeOf } from '../SourceConfig.js';
import { identifyBackend } from './identifyBackend.js';
import type { BuildInfo, ProbeResult, PromClientOptions } from './PromClient.js';
import { clientForSource } from './clientForSource.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of the checklist. */
export interface DoctorCheck {
  readonly id: 'reachable' | 'backend' | 'auth' | 'query' | 'clock' | 'thanos' | 'type';
  readonly label: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

export interface DoctorReport {
  readonly source: string;
  readonly url: string;
  readonly backend: BuildInfo['backend'] | null;
  readonly version: string | null;
  /** Server clock minus local clock, ms (±0.5 s: the Date header has whole seconds); null when unknown. */
  readonly skewMs: number | null;
  readonly checks: readonly DoctorCheck[];
  /** True when any check failed: the source cannot be pulled from as configured. */
  readonly failed: boolean;
}

export interface DoctorOptions {
  /** The local clock (ms UTC) the server's Date header is compared with. */
  readonly now: () => number;
  /** Client settings (secret readers; tests also inject timing). */
  readonly clientOptions?: Partial<PromClientOptions>;
  /** Whether `source.type` was chosen by the user (a plan) rather than assumed; a mismatch with the server is then reported. */
  readonly typeDeclared?: boolean;
  /** Skew above this is a warning. Default 5 s. */
  readonly maxSkewMs?: number;
}

const BUILDINFO = '/api/v1/status/buildinfo';
const QUERY_RANGE = '/api/v1/query_range';
const BACKEND_NAMES: Record<BuildInfo['backend'], string> = {
  prometheus: 'Prometheus',
  thanos: 'Thanos',
  mimir: 'Mimir',
  cortex: 'Cortex',
  victoriametrics: 'VictoriaMetrics',
  unknown: 'an unknown Prometheus-compatible server',
};

/**
 * Checks a source the way a pull will use it: reachable, what it is (build
 * info), whether the credentials work (401/403 explained), a sample range
 * query, the server's clock against ours, and whether Thanos' parameters are
 * accepted. One request per check, no retries, nothing stored.
 */
export async function checkSource(source: SourceConfig, options: DoctorOptions): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const add = (id: DoctorCheck['id'], label: string, status: CheckStatus, detail: string) => checks.push({ id, label, status, detail });
  const done = (extra: Partial<DoctorReport> = {}): DoctorReport => ({
    source: source.name,
    url: source.url,
    backend: null,
    version: null,
    skewMs: null,
    ...extra,
    checks: [...checks].sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id)),
    failed: checks.some((c) => c.status === 'fail'),
  });
  const skipRest = (why: string, from: DoctorCheck['id'][]) => {
    for (const id of from) add(id, LABELS[id], 'skip', why);
  };
  const client = clientForSource(source, { ...options.clientOptions, backoff: { retries: 0 } });
  try {
    // 1. Reachable, and the build info.
    const before = options.now();
    let info: ProbeResult;
    try {
      info = await client.probe('GET', BUILDINFO);
    } catch (err) {
      if (err instanceof PromApiError) {
        add('reachable', LABELS.reachable, 'fail', `${err.message}${reachHint(err.code)}`);
        skipRest('not reachable', ['backend', 'auth', 'query', 'clock', 'thanos']);
        return done();
      }
      if (err instanceof SourceError) {
        // Credentials could not be read (variable unset, file missing): nothing was sent.
        add('reachable', LABELS.reachable, 'skip', 'not tried: the credentials could not be read');
        add('auth', LABELS.auth, 'fail', err.message);
        skipRest('credentials unreadable', ['backend', 'query', 'clock', 'thanos']);
        return done();
      }
      throw err;
    }
    const after = options.now();
    add('reachable', LABELS.reachable, 'ok', `HTTP ${info.status} from GET ${BUILDINFO} in ${Math.round(info.elapsedMs)} ms`);

    let backend: BuildInfo['backend'] | null = null;
    let version: string | null = null;
    if (info.error === null) {
      const found = identifyBackend(info);
      backend = found.backend;
      version = found.version;
      const revision = found.revision ? ` (revision ${found.revision.slice(0, 12)})` : '';
      add('backend', LABELS.backend, backend === 'unknown' ? 'warn' : 'ok', `${BACKEND_NAMES[backend]} ${version ?? '(no version)'}${revision}; from ${found.evidence}`);
    } else if (info.status === 401 || info.status === 403) {
      add('backend', LABELS.backend, 'skip', `build info needs credentials (HTTP ${info.status})`);
    } else {
      add('backend', LABELS.backend, 'warn', `build info not available (${info.error.message}); pulls may still work: older Prometheus and some proxies do not serve it`);
    }

    // 2. Auth, judged from the build info answer.
    const authProblem = describeAuth(source.auth, info);
    add('auth', LABELS.auth, authProblem.status, authProblem.detail);

    // 3. Clock skew from the Date header, which even an error answer carries.
    let skewMs: number | null = null;
    const date = info.headers.date ? Date.parse(info.headers.date) : NaN;
    if (Number.isNaN(date)) {
      add('clock', LABELS.clock, 'skip', 'the server sent no Date header');
    } else {
      // The header truncates to the second: the server's clock read somewhere in [date, date + 1 s).
      skewMs = date + 500 - (before + after) / 2;
      const max = options.maxSkewMs ?? 5_000;
      const text = `${skewMs >= 0 ? '+' : '−'}${(Math.abs(skewMs) / 1000).toFixed(1)} s (server Date header minus this host's clock, ±0.5 s)`;
      add(
        'clock',
        LABELS.clock,
        Math.abs(skewMs) <= max ? 'ok' : 'warn',
        Math.abs(skewMs) <= max
          ? text
          : `${text}: the newest steps of a pull may come back empty or be re-pulled; sync the clocks (NTP)`,
      );
    }
    if (authProblem.status === 'fail') {
      skipRest('credentials refused', ['query', 'thanos']);
      return done({ backend, version, skewMs });
    }

    // 4. A sample range query through the same endpoint and parameters a pull uses.
    const end = Math.floor(options.now() / 60_000) * 60_000;
    const q = { query: 'vector(1)', startMs: end - 5 * 60_000, endMs: end, stepMs: 60_000 };
    const query = await safeProbe(client, 'POST', QUERY_RANGE, client.rangeForm(q));
    if (query.error !== null) {
      add('query', LABELS.query, 'fail', `vector(1) over the last 5m: ${query.error.message}`);
    } else {
      let detail: string;
      let status: CheckStatus = 'ok';
      try {
        const series = decodeMatrix(query.result.body?.data);
        const points = series.reduce((n, s) => n + s.timestamps.length, 0);
        detail = `vector(1) over the last 5m at 1m: ${series.length} series, ${points} points in ${Math.round(query.result.elapsedMs)} ms`;
        if (points === 0) status = 'warn';
      } catch (err) {
        status = 'fail';
        detail = `vector(1) over the last 5m: unexpected answer: ${(err as Error).message}`;
      }
      add('query', LABELS.query, status, detail);
    }

    // 5. Thanos parameters: sent explicitly by every pull from a thanos source.
    const t = source.thanos ?? {};
    const thanosParams = {
      maxSourceResolution: t.maxSourceResolution ?? '1h',
      dedup: t.dedup ?? true,
      partialResponse: t.partialResponse ?? true,
      replicaLabels: t.replicaLabels,
    };
    const thanosClient = clientForSource({ ...source, thanos: thanosParams }, { ...options.clientOptions, backoff: { retries: 0 } });
    try {
      const form = thanosClient.rangeForm(q);
      const sent = ['max_source_resolution', 'dedup', 'partial_response', 'replicaLabels[]']
        .filter((k) => form.has(k))
        .map((k) => `${k}=${form.getAll(k).join(',')}`)
        .join(', ');
      const r = await safeProbe(thanosClient, 'POST', QUERY_RANGE, form);
      const isThanos = backend === 'thanos' || (backend === null && source.type === 'thanos');
      if (r.error === null) {
        const warnings = r.result.body?.warnings ?? [];
        const note = warnings.length ? `; the server warned: ${warnings[0]}` : '';
        add(
          'thanos',
          LABELS.thanos,
          warnings.length ? 'warn' : 'ok',
          isThanos ? `accepted: ${sent}${note}` : `accepted and ignored (${BACKEND_NAMES[backend ?? 'unknown']} does not read them): ${sent}${note}`,
        );
      } else {
        add(
          'thanos',
          LABELS.thanos,
          isThanos ? 'fail' : 'warn',
          isThanos ? `refused: ${r.error.message}` : `refused by the server or a proxy (${r.error.message}); keep type: ${source.type === 'thanos' ? 'prometheus' : source.type} for this source`,
        );
      }
    } finally {
      thanosClient.close();
    }

    // 6. A plan's declared type against what the server says it is.
    if (options.typeDeclared && backend !== null && backend !== 'unknown' && sourceTypeOf(backend) !== source.type) {
      const type = sourceTypeOf(backend);
      const fix =
        type === 'thanos'
          ? 'set type: thanos so pulls send max_source_resolution and keep peaks of downsampled data'
          : `set type: ${type}${type === 'victoriametrics' ? ' (30,000 points per request)' : ''}`;
      add('type', LABELS.type, 'warn', `the plan says type: ${source.type}, the server is ${BACKEND_NAMES[backend]}: ${fix}`);
    }
    return done({ backend, version, skewMs });
  } finally {
    client.close();
  }
}

const ORDER: readonly DoctorCheck['id'][] = ['reachable', 'backend', 'auth', 'query', 'clock', 'thanos', 'type'];

const LABELS: Record<DoctorCheck['id'], string> = {
  reachable: 'reachable',
  backend: 'backend',
  auth: 'auth',
  query: 'sample query',
  clock: 'clock skew',
  thanos: 'thanos params',
  type: 'source type',
};

/** A probe whose transport failure is returned like an HTTP one. */
async function safeProbe(
  client: ReturnType<typeof clientForSource>,
  method: 'GET' | 'POST',
  path: string,
  form?: URLSearchParams,
): Promise<{ error: SourceError; result?: undefined } | { error: null; result: ProbeResult }> {
  try {
    const result = await client.probe(method, path, form);
    return result.error ? { error: result.error } : { error: null, result };
  } catch (err) {
    if (err instanceof SourceError) return { error: err };
    throw err;
  }
}

function describeAuth(auth: AuthConfig | undefined, info: ProbeResult): { status: CheckStatus; detail: string } {
  const what = describeCredentials(auth);
  // Only the scheme: a realm or error_description can quote the credentials sent.
  const scheme = info.headers['www-authenticate']?.trim().split(/[\s,]/)[0];
  const challenge = scheme ? ` (it asks for: ${scheme})` : '';
  if (info.status === 401) {
    return {
      status: 'fail',
      detail: auth
        ? `HTTP 401: the server refused the ${what}${challenge}; check the secret is current and meant for this server`
        : `HTTP 401: the server wants credentials and none were sent${challenge}; set CAPPLAN_BEARER_TOKEN(_FILE) or CAPPLAN_BASIC_AUTH_USER with CAPPLAN_BASIC_AUTH_PASSWORD(_FILE), or auth: in the plan's source`,
    };
  }
  if (info.status === 403) {
    return {
      status: 'fail',
      detail: `HTTP 403: the server knows who is asking but will not let it read${auth ? ` (${what})` : ' (no credentials were sent)'}; check the token's permissions and the tenant header (X-Scope-OrgID for Mimir/Cortex, THANOS-TENANT for Thanos)`,
    };
  }
  return { status: 'ok', detail: auth ? `${what}: accepted` : 'none configured, none required' };
}

/** Where the credentials come from, never what they are. */
function describeCredentials(auth: AuthConfig | undefined): string {
  if (!auth) return 'no credentials';
  if ('bearerTokenEnv' in auth) return `bearer token from $${auth.bearerTokenEnv}`;
  if ('bearerTokenFile' in auth) return `bearer token from ${auth.bearerTokenFile}`;
  const b = auth.basicAuth;
  return `basic auth as ${b.username} (password from ${b.passwordEnv ? `$${b.passwordEnv}` : b.passwordFile})`;
}

function reachHint(code: string | undefined): string {
  switch (code) {
    case 'ECONNREFUSED':
      return ' (nothing listens there: check the host and port)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return ' (the host name does not resolve)';
    case 'timeout':
      return ' (no answer in time: a firewall, or raise the source timeout)';
    default:
      return '';
  }
}
