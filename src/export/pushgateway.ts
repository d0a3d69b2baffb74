import { CapplanError, ExitCode } from '../errors.js';

/** What one `capplan run` reports about itself. */
export interface JobOutcome {
  /** The run did its whole job: every source pulled, forecast made, report written. */
  readonly success: boolean;
  readonly startedMs: number;
  readonly finishedMs: number;
  readonly seriesForecast: number;
  readonly seriesFailed: number;
  readonly seriesAtRisk: number;
  /** Resources whose source failed during the pull. */
  readonly pullFailures: number;
}

/** The Pushgateway grouping key: `job` names the batch job, `instance` which one of them (one per plan). */
export interface GroupingKey {
  readonly job: string;
  readonly instance: string;
}

/**
 * A run's metrics in the Prometheus text format, for the Pushgateway.
 * `capplan_last_success_timestamp_seconds` is only written by a successful
 * run, and `capplan_last_failure_timestamp_seconds` only by a failed one:
 * pushed with POST, which replaces only the metric names it carries, the last
 * success survives later failures, so "no success for 2 days" can alert.
 */
export function jobMetricsText(o: JobOutcome): string {
  const g = (name: string, help: string, lines: readonly string[]) => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${lines.join('\n')}\n`;
  const seconds = (ms: number) => String(Math.round(ms) / 1000);
  return [
    o.success
      ? g('capplan_last_success_timestamp_seconds', 'When the last successful capplan run finished, as Unix time.', [`capplan_last_success_timestamp_seconds ${seconds(o.finishedMs)}`])
      : g('capplan_last_failure_timestamp_seconds', 'When the last failed capplan run finished, as Unix time.', [`capplan_last_failure_timestamp_seconds ${seconds(o.finishedMs)}`]),
    g('capplan_last_run_success', '1 if the last capplan run did its whole job, 0 if it failed.', [`capplan_last_run_success ${o.success ? 1 : 0}`]),
    g('capplan_last_run_duration_seconds', 'Wall time of the last capplan run.', [`capplan_last_run_duration_seconds ${seconds(o.finishedMs - o.startedMs)}`]),
    g('capplan_last_run_series_forecast', 'Series the last run forecast (failed ones included).', [`capplan_last_run_series_forecast ${o.seriesForecast}`]),
    g('capplan_last_run_series_at_risk', 'Series and SLOs the last run found at risk within the warning window.', [`capplan_last_run_series_at_risk ${o.seriesAtRisk}`]),
    g('capplan_last_run_failures', 'Failures in the last run, by stage: resources whose source failed (pull), series that could not be forecast (forecast).', [
      `capplan_last_run_failures{stage="pull"} ${o.pullFailures}`,
      `capplan_last_run_failures{stage="forecast"} ${o.seriesFailed}`,
    ]),
  ].join('');
}

/** `/metrics/job/<job>/instance/<instance>`, label values base64url-encoded when they hold a `/` or are empty, as the Pushgateway expects. */
export function groupingPath(key: GroupingKey): string {
  const part = (label: string, value: string) =>
    value === '' || value.includes('/') ? `${label}@base64/${Buffer.from(value, 'utf8').toString('base64url') || '='}` : `${label}/${encodeURIComponent(value)}`;
  return `/metrics/${part('job', key.job)}/${part('instance', key.instance)}`;
}

/** A push that did not reach the Pushgateway. */
export class PushError extends CapplanError {
  constructor(message: string) {
    super(message, ExitCode.failure);
  }
}

/**
 * POSTs a run's metrics to the Pushgateway at `url` under `key`. POST (not
 * PUT) replaces only the metric names pushed, keeping the last success
 * timestamp when a failure is pushed.
 */
export async function pushJobMetrics(
  url: string,
  key: GroupingKey,
  outcome: JobOutcome,
  o: { readonly fetch?: typeof fetch; readonly timeoutMs?: number } = {},
): Promise<void> {
  const target = `${url.replace(/\/+$/, '')}${groupingPath(key)}`;
  let response: Response;
  try {
    response = await (o.fetch ?? fetch)(target, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
      body: jobMetricsText(outcome),
      signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new PushError(`pushgateway ${url}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`);
  }
  if (!response.ok) {
    const body = (await response.text().catch(() => '')).trim().slice(0, 300);
    throw new PushError(`pushgateway ${url}: HTTP ${response.status}${body ? `: ${body}` : ''}`);
  }
}
