/** The servers capplan tells apart; each answers the Prometheus HTTP API with its own limits and parameters. */
export type Backend = 'prometheus' | 'thanos' | 'mimir' | 'cortex' | 'victoriametrics' | 'unknown';

/** An answer to GET /api/v1/status/buildinfo: status, lower-case headers and the parsed JSON body (null when not JSON). */
export interface BuildInfoAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: { status?: string; data?: unknown } | null;
}

export interface IdentifiedBackend {
  readonly backend: Backend;
  /** The version the server reports (VictoriaMetrics reports a Prometheus version it imitates, or none). */
  readonly version: string | null;
  readonly revision: string | null;
  /** What gave it away, for `doctor`. */
  readonly evidence: string;
}

/** The fields Prometheus' own build info always has; a body with only `version` is an imitation. */
const PROMETHEUS_FIELDS = ['revision', 'branch', 'buildUser', 'buildDate', 'goVersion'];

/**
 * Tells the server behind a Prometheus API apart from its build-info answer,
 * headers included. The one detection `pull` and `doctor` share. From what
 * current releases answer:
 *
 * - VictoriaMetrics (single node, vmselect) sends `X-Server-Hostname` on every
 *   answer; its build info is `{}` (1.79, Debian) or `{"version":"2.24.0"}`
 *   (current releases, a Prometheus version for Grafana's sake), never with
 *   Prometheus' revision, branch, buildUser, buildDate and goVersion.
 * - Mimir adds `"application": "Grafana Mimir"` (and `features`).
 * - Cortex serves Prometheus' shape with its own 1.x version when
 *   `api.build_info_enabled` is set, and 404 otherwise.
 * - Thanos serves Prometheus' shape with its own 0.x version.
 * - Prometheus: the same shape with a 2.x or 3.x version (`2.42.0+ds` on Debian).
 */
export function identifyBackend(answer: BuildInfoAnswer): IdentifiedBackend {
  const data = answer.body?.status === 'success' && answer.body.data && typeof answer.body.data === 'object' ? (answer.body.data as Record<string, unknown>) : null;
  const version = data && data.version !== undefined && data.version !== '' ? String(data.version) : null;
  const revision = data && data.revision !== undefined && data.revision !== '' ? String(data.revision) : null;
  const found = (backend: Backend, evidence: string): IdentifiedBackend => ({ backend, version, revision, evidence });

  const application = typeof data?.application === 'string' ? data.application : '';
  if (/mimir/i.test(application)) return found('mimir', `build info says application: ${application}`);
  if (/cortex/i.test(application)) return found('cortex', `build info says application: ${application}`);
  if (/victoria/i.test(application)) return found('victoriametrics', `build info says application: ${application}`);
  if (answer.headers['x-server-hostname'] !== undefined) return found('victoriametrics', 'X-Server-Hostname response header');
  if (data && !PROMETHEUS_FIELDS.some((k) => k in data)) {
    if (version === null) return found('victoriametrics', 'empty build info, as VictoriaMetrics answers');
    // Current VictoriaMetrics imitates a plain Prometheus 2.x version number, with nothing else.
    if (/^2\.\d+\.\d+$/.test(version)) return found('victoriametrics', `build info with only a version (${version}), as VictoriaMetrics answers`);
  }
  if (version && /^v?0\.\d+/.test(version)) return found('thanos', `version ${version} (Thanos' 0.x line)`);
  if (version && /^v?1\.\d+/.test(version)) return found('cortex', `version ${version} (Cortex's 1.x line)`);
  if (version && /^v?[2-9]\.\d+/.test(version)) return found('prometheus', `version ${version}`);
  if (answer.status === 404) return found('unknown', 'no build info (HTTP 404): Cortex without api.build_info_enabled, a managed service or an old Prometheus');
  return found('unknown', data ? 'build info in an unknown form' : `no build info (HTTP ${answer.status})`);
}
