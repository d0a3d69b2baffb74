import { UsageError } from '../errors.js';
import type { Plan, ResourceConfig, SourceConfig, SourceType } from '../plan/Plan.js';
import { parseDuration } from '../time/duration.js';
import type { AuthConfig } from '../source/prometheus/auth.js';
import { parseAggregate } from '../source/prometheus/peakQuery.js';
import { DEFAULT_MAX_POINTS } from '../source/prometheus/splitRange.js';

/** Environment variables ad-hoc pulls and `doctor --url` read credentials from; flags never carry secrets. */
export const AUTH_ENV = {
  bearerToken: 'CAPPLAN_BEARER_TOKEN',
  bearerTokenFile: 'CAPPLAN_BEARER_TOKEN_FILE',
  basicUser: 'CAPPLAN_BASIC_AUTH_USER',
  basicPassword: 'CAPPLAN_BASIC_AUTH_PASSWORD',
  basicPasswordFile: 'CAPPLAN_BASIC_AUTH_PASSWORD_FILE',
} as const;

/** The source name an ad-hoc pull records; also shown in messages. */
export const AD_HOC_SOURCE = 'adhoc';

export type ResolutionChoice = 'auto' | 'raw' | '5m' | '1h';

/** Flags of an ad-hoc source (`pull --url`, `doctor --url`), as given. */
export interface AdHocSourceSpec {
  readonly url: string;
  /** `K: V` strings. */
  readonly headers?: readonly string[];
  /** When absent the caller detects it (see `sourceTypeOf` in source/SourceConfig.ts) or assumes prometheus. */
  readonly type?: SourceType;
  /** raw, 5m or 1h force Thanos' `max_source_resolution` (sent to any server; non-Thanos ones ignore it). */
  readonly resolution?: ResolutionChoice;
  readonly maxPoints?: number;
  readonly concurrency?: number;
  readonly timeout?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Flags of an ad-hoc pull, as given. */
export interface AdHocPullSpec extends AdHocSourceSpec {
  readonly query: string;
  readonly name: string;
  readonly since?: string;
  readonly start?: string;
  readonly end?: string;
  readonly step?: string;
  readonly aggregate?: string;
  readonly capacity?: number;
  readonly unit?: string;
}

export interface AdHocPlan {
  readonly plan: Plan;
  /** The pull's end (ms UTC). */
  readonly endMs: number;
  /** True for an explicit --start: that range is pulled whole, whatever is stored after it. */
  readonly full: boolean;
}

/**
 * Builds the one-source, one-resource Plan an ad-hoc `pull --url --query`
 * describes, with the same defaults a plan file gets. Every problem is a
 * UsageError naming the flag.
 */
export function adHocPlan(spec: AdHocPullSpec, nowMs: number): AdHocPlan {
  const source = adHocSource(spec);
  if (spec.query.trim() === '') throw new UsageError('--query: empty PromQL');
  if (spec.name.trim() === '') throw new UsageError('--name: empty resource name');
  const aggregate = parseAggregate(spec.aggregate ?? 'max');
  if (!aggregate) throw new UsageError(`--aggregate: expected max, min, avg, last, p95, p99 or a quantile between 0 and 1, got '${spec.aggregate}'`);
  const stepMs = parseDuration(spec.step ?? '1h', '--step');
  if (spec.since !== undefined && (spec.start !== undefined || spec.end !== undefined)) {
    throw new UsageError('give either --since or --start/--end, not both');
  }
  if (spec.end !== undefined && spec.start === undefined) throw new UsageError('--end needs --start');
  const endMs = spec.end !== undefined ? parseTime(spec.end, '--end') : nowMs;
  let lookbackMs: number;
  if (spec.start !== undefined) {
    const startMs = parseTime(spec.start, '--start');
    if (startMs >= endMs) throw new UsageError(`--start (${new Date(startMs).toISOString()}) must be before --end (${new Date(endMs).toISOString()})`);
    // The pull asks for the step instants inside [start, end]; its lookback counts back from the last of them.
    const first = Math.ceil(startMs / stepMs) * stepMs;
    const last = Math.floor(endMs / stepMs) * stepMs;
    if (first > last) throw new UsageError(`--start to --end holds no multiple of --step ${spec.step ?? '1h'}; widen the range or shorten the step`);
    lookbackMs = last - first;
  } else {
    lookbackMs = parseDuration(spec.since ?? '180d', '--since');
  }
  if (spec.start === undefined && lookbackMs < stepMs) throw new UsageError(`--since ${spec.since} is shorter than one --step (${spec.step ?? '1h'})`);
  if (spec.capacity !== undefined && !(Number.isFinite(spec.capacity) && spec.capacity > 0)) {
    throw new UsageError(`--capacity: expected a positive number, got ${spec.capacity}`);
  }
  const resource: ResourceConfig = {
    name: spec.name.trim(),
    source: source.name,
    usage: spec.query,
    capacity: spec.capacity === undefined ? null : { value: spec.capacity },
    aggregate,
    stepMs,
    lookbackMs,
    groupBy: [],
    unit: spec.unit ?? null,
    direction: 'rising',
    description: null,
  };
  return { plan: { sources: { [source.name]: source }, resources: [resource] }, endMs, full: spec.start !== undefined };
}

/** The SourceConfig `--url` with `--header`s, credentials from the environment, and defaults. */
export function adHocSource(spec: AdHocSourceSpec): SourceConfig {
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    throw new UsageError(`--url: expected an http(s) URL, got '${spec.url}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url: expected an http(s) URL, got '${spec.url}'`);
  if (url.username || url.password) {
    throw new UsageError(`--url: credentials in the URL are not allowed; set ${AUTH_ENV.bearerToken} or ${AUTH_ENV.basicUser} and ${AUTH_ENV.basicPassword} instead`);
  }
  const headers = parseHeaders(spec.headers ?? []);
  const forced = spec.resolution !== undefined && spec.resolution !== 'auto';
  const type: SourceType = spec.type ?? (forced ? 'thanos' : 'prometheus');
  return {
    name: AD_HOC_SOURCE,
    url: spec.url.replace(/\/+$/, ''),
    type,
    auth: authFromEnv(spec.env),
    headers,
    thanos: type === 'thanos' || forced ? { maxSourceResolution: forced ? (spec.resolution === 'raw' ? '0' : spec.resolution) : undefined } : undefined,
    timeoutMs: parseDuration(spec.timeout ?? '2m', '--timeout'),
    maxPoints: spec.maxPoints ?? (type === 'victoriametrics' ? 30_000 : DEFAULT_MAX_POINTS),
    concurrency: spec.concurrency ?? 4,
  };
}

/**
 * Credentials named by CAPPLAN_* variables: a bearer token (value or file) or
 * basic auth (user plus password value or file). Undefined when none is set;
 * a UsageError when they contradict each other.
 */
export function authFromEnv(env: Readonly<Record<string, string | undefined>>): AuthConfig | undefined {
  const set = (k: string) => env[k] !== undefined && env[k] !== '';
  const bearer = set(AUTH_ENV.bearerToken) || set(AUTH_ENV.bearerTokenFile);
  const basic = set(AUTH_ENV.basicUser) || set(AUTH_ENV.basicPassword) || set(AUTH_ENV.basicPasswordFile);
  if (bearer && basic) throw new UsageError(`set either ${AUTH_ENV.bearerToken}(_FILE) or ${AUTH_ENV.basicUser} with ${AUTH_ENV.basicPassword}(_FILE), not both`);
  if (set(AUTH_ENV.bearerToken) && set(AUTH_ENV.bearerTokenFile)) throw new UsageError(`set ${AUTH_ENV.bearerToken} or ${AUTH_ENV.bearerTokenFile}, not both`);
  if (set(AUTH_ENV.bearerToken)) return { bearerTokenEnv: AUTH_ENV.bearerToken };
  if (set(AUTH_ENV.bearerTokenFile)) return { bearerTokenFile: env[AUTH_ENV.bearerTokenFile] as string };
  if (!basic) return undefined;
  if (!set(AUTH_ENV.basicUser)) throw new UsageError(`${AUTH_ENV.basicPassword}(_FILE) is set but ${AUTH_ENV.basicUser} is not`);
  if (set(AUTH_ENV.basicPassword) === set(AUTH_ENV.basicPasswordFile)) {
    throw new UsageError(`with ${AUTH_ENV.basicUser}, set exactly one of ${AUTH_ENV.basicPassword} or ${AUTH_ENV.basicPasswordFile}`);
  }
  const username = env[AUTH_ENV.basicUser] as string;
  return set(AUTH_ENV.basicPassword)
    ? { basicAuth: { username, passwordEnv: AUTH_ENV.basicPassword } }
    : { basicAuth: { username, passwordFile: env[AUTH_ENV.basicPasswordFile] as string } };
}

/** `K: V` strings as a header map; credentials-bearing headers are refused (they come from the environment). */
export function parseHeaders(lines: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(':');
    const name = at < 0 ? '' : line.slice(0, at).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new UsageError(`--header: expected 'Name: value', got '${line}'`);
    if (/^(authorization|proxy-authorization|cookie)$/i.test(name)) {
      throw new UsageError(`--header: ${name} is not accepted on the command line (it would show in ps and shell history); set ${AUTH_ENV.bearerToken} or ${AUTH_ENV.basicUser}/${AUTH_ENV.basicPassword}`);
    }
    out[name] = line.slice(at + 1).trim();
  }
  return out;
}

/** RFC 3339 / ISO 8601 (`2026-01-01`, `2026-01-01T12:00:00Z`) or unix seconds. */
export function parseTime(text: string, what: string): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const ms = Date.parse(s);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(s)) {
    throw new UsageError(`${what}: '${text}' is not a time (expected RFC 3339 such as 2026-01-01T00:00:00Z, a date, or unix seconds)`);
  }
  return ms;
}
