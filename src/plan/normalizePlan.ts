import { PlanError, UsageError } from '../errors.js';
import type { AuthConfig } from '../source/prometheus/auth.js';
import { parseAggregate } from '../source/prometheus/peakQuery.js';
import type { ThanosParams } from '../source/prometheus/PromClient.js';
import { DEFAULT_MAX_POINTS } from '../source/prometheus/splitRange.js';
import { parseDuration } from '../time/duration.js';
import { normalizePlanning } from './normalizePlanning.js';
import type { Plan, ResourceConfig, SourceConfig } from './Plan.js';
import { describeValue, formatPlanPath, type PlanPath } from './planPath.js';
import type { PlanSpec, ResourceSpec, SourceSpec } from './planSchema.js';

/** Adds ` (at plan.yaml:14:11)` for a path, or nothing when unknown. */
export type Locate = (path: PlanPath) => string;

const DEFAULTS = {
  step: '1h',
  lookback: '400d',
  timeout: '2m',
  concurrency: 4,
} as const;

/** VictoriaMetrics' `-search.maxPointsPerTimeseries` default; the others share Prometheus' 11,000. */
const MAX_POINTS_BY_TYPE: Record<SourceSpec['type'], number> = {
  prometheus: DEFAULT_MAX_POINTS,
  thanos: DEFAULT_MAX_POINTS,
  mimir: DEFAULT_MAX_POINTS,
  victoriametrics: 30_000,
};

/**
 * Turns a shape-checked `PlanSpec` into a `Plan`: fills defaults, parses
 * durations and aggregates, and checks what a schema cannot (references
 * between sources and resources, one credential per source, no secrets).
 */
export function normalizePlan(spec: PlanSpec, locate: Locate = () => ''): Plan {
  const fail = (path: PlanPath, detail: string): never => {
    throw new PlanError(formatPlanPath(path), detail + locate(path));
  };
  const sources: Record<string, SourceConfig> = {};
  for (const [name, s] of Object.entries(spec.sources)) sources[name] = normalizeSource(name, s, fail);
  if (Object.keys(sources).length === 0) fail(['sources'], 'expected at least one source');
  const seen = new Set<string>();
  const resources = spec.resources.map((r, i) => {
    if (seen.has(r.name)) fail(['resources', i, 'name'], `duplicate resource name ${describeValue(r.name)}`);
    seen.add(r.name);
    if (!(r.source in sources)) {
      fail(['resources', i, 'source'], `unknown source ${describeValue(r.source)} (defined: ${Object.keys(sources).join(', ')})`);
    }
    return normalizeResource(r, ['resources', i], fail);
  });
  const planning = normalizePlanning(spec, resources.map((r) => r.name), Object.keys(sources), fail);
  const email = spec.email && {
    to: (Array.isArray(spec.email.to) ? spec.email.to : spec.email.to.split(',')).map((a) => a.trim()).filter(Boolean),
    format: spec.email.format ?? 'html',
    timeZone: spec.email.timeZone ?? 'UTC',
  };
  return { sources, resources, planning, ...(email ? { email } : {}), ...(spec.pushgateway ? { pushgateway: spec.pushgateway } : {}) };
}

type Fail = (path: PlanPath, detail: string) => never;

function normalizeSource(name: string, s: SourceSpec, fail: Fail): SourceConfig {
  const at = ['sources', name];
  let url: URL | null = null;
  try {
    url = new URL(s.url);
  } catch {
    fail([...at, 'url'], `expected an http(s) URL, got ${describeValue(s.url)}`);
  }
  if (url && url.protocol !== 'http:' && url.protocol !== 'https:') fail([...at, 'url'], `expected an http(s) URL, got ${describeValue(s.url)}`);
  if (url && (url.username || url.password)) fail([...at, 'url'], 'credentials in the URL are not allowed; use auth.basicAuth with passwordEnv or passwordFile');
  for (const h of Object.keys(s.headers ?? {})) {
    if (/^(authorization|proxy-authorization|cookie)$/i.test(h)) {
      fail([...at, 'headers', h], 'secrets are not written in the plan; use auth with bearerTokenEnv, bearerTokenFile or basicAuth');
    }
  }
  if (s.thanos && s.type !== 'thanos') fail([...at, 'thanos'], `Thanos options need type: thanos (this source is type: ${s.type})`);
  const tls = s.tls;
  if (tls && Boolean(tls.certFile) !== Boolean(tls.keyFile)) fail([...at, 'tls'], 'certFile and keyFile go together: give both or neither');
  return {
    name,
    url: s.url.replace(/\/+$/, ''),
    type: s.type,
    auth: s.auth ? normalizeAuth(s.auth, [...at, 'auth'], fail) : undefined,
    headers: s.headers ?? {},
    tls,
    thanos: s.type === 'thanos' ? normalizeThanos(s.thanos ?? {}) : undefined,
    timeoutMs: durationAt(s.timeout ?? DEFAULTS.timeout, [...at, 'timeout'], fail),
    compression: s.compression ?? false,
    maxPoints: s.maxPoints ?? MAX_POINTS_BY_TYPE[s.type],
    concurrency: s.concurrency ?? DEFAULTS.concurrency,
  };
}

function normalizeAuth(a: NonNullable<SourceSpec['auth']>, at: PlanPath, fail: Fail): AuthConfig {
  const given = (['bearerTokenEnv', 'bearerTokenFile', 'basicAuth'] as const).filter((k) => a[k] !== undefined);
  if (given.length !== 1) fail(at, `expected exactly one of bearerTokenEnv, bearerTokenFile, basicAuth${given.length ? `, got ${given.join(' and ')}` : ''}`);
  if (a.bearerTokenEnv) return { bearerTokenEnv: a.bearerTokenEnv };
  if (a.bearerTokenFile) return { bearerTokenFile: a.bearerTokenFile };
  const b = a.basicAuth as NonNullable<typeof a.basicAuth>;
  if (Boolean(b.passwordEnv) === Boolean(b.passwordFile)) fail([...at, 'basicAuth'], 'expected exactly one of passwordEnv, passwordFile');
  return { basicAuth: { username: b.username, passwordEnv: b.passwordEnv, passwordFile: b.passwordFile } };
}

function normalizeThanos(t: NonNullable<SourceSpec['thanos']>): ThanosParams {
  const res = t.maxSourceResolution;
  return {
    // Thanos reads `0s`/`0` as raw; `raw` is accepted here as the name people use for it.
    maxSourceResolution: res === undefined ? undefined : res === 'raw' || res === '0s' ? '0' : res,
    dedup: t.dedup,
    replicaLabels: t.replicaLabels,
    partialResponse: t.partialResponse === undefined ? undefined : t.partialResponse === 'warn',
  };
}

function normalizeResource(r: ResourceSpec, at: PlanPath, fail: Fail): ResourceConfig {
  const aggregate = parseAggregate(r.aggregate ?? 'max');
  if (!aggregate) {
    fail([...at, 'aggregate'], `expected max, min, avg, last, p95, p99 or a quantile between 0 and 1, got ${describeValue(r.aggregate)}`);
  }
  const stepMs = durationAt(r.step ?? DEFAULTS.step, [...at, 'step'], fail);
  const lookbackMs = durationAt(r.lookback ?? DEFAULTS.lookback, [...at, 'lookback'], fail);
  if (lookbackMs < 2 * stepMs) fail([...at, 'lookback'], `must span at least two steps (step is ${r.step ?? DEFAULTS.step})`);
  const capacity = r.capacity === undefined ? null : typeof r.capacity === 'number' ? { value: r.capacity } : { query: r.capacity };
  return {
    name: r.name,
    source: r.source,
    usage: r.usage,
    capacity,
    aggregate: aggregate as NonNullable<typeof aggregate>,
    stepMs,
    lookbackMs,
    groupBy: r.groupBy ?? [],
    unit: r.unit ?? null,
    direction: r.direction ?? 'rising',
    description: r.description ?? null,
  };
}

function durationAt(text: string, path: PlanPath, fail: Fail): number {
  try {
    return parseDuration(text, formatPlanPath(path));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return fail(path, `expected a duration like 1h, got ${describeValue(text)}`);
  }
}
