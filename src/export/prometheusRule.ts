import { stringify } from 'yaml';
import { formatNumber, sanitizeLabelName } from './openmetrics.js';
import { DAY } from '../time/constants.js';

export interface PrometheusRuleOptions {
  /** metadata.name; default `capplan-capacity`. */
  readonly name?: string;
  readonly namespace?: string;
  /** metadata.labels, e.g. `{ release: 'prometheus' }` so the Prometheus Operator's ruleSelector picks it up. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Warn when the earliest plausible exhaustion (p10) is this close; default 30 days. */
  readonly warningWindowMs?: number;
  /** Page when the median exhaustion (p50) is this close; default 7 days. */
  readonly criticalWindowMs?: number;
  /**
   * How far back to look for the last exported value. Backfilled samples sit at
   * the export time, so this must exceed the export interval; default 8 days
   * (a weekly cron with a day to spare).
   */
  readonly lookbackMs?: number;
  /** The capacity fraction alerts watch (as exported in `threshold`); default 1 (full). */
  readonly threshold?: number;
  /** Labels the headroom roll-up recording rule keeps besides `resource`, e.g. `['cluster']`. */
  readonly groupBy?: readonly string[];
  /** How long a condition must hold before alerting; default 1h. */
  readonly for?: string;
  /** Alert when capplan's own job (pushed with `capplan run --pushgateway`) has not succeeded for this long; default 2 days. */
  readonly jobStaleAfterMs?: number;
}


/**
 * A `PrometheusRule` (monitoring.coreos.com/v1) over the metrics that
 * `exportOpenMetrics` writes: recording rules for headroom and time to
 * exhaustion, and alerts when exhaustion comes within the warning (p10) and
 * critical (p50) windows, or when capplan's metrics stop arriving.
 */
export function prometheusRule(options: PrometheusRuleOptions = {}): PrometheusRuleObject {
  const lookback = promDuration(options.lookbackMs ?? 8 * DAY);
  const warn = Math.round((options.warningWindowMs ?? 30 * DAY) / 1000);
  const crit = Math.round((options.criticalWindowMs ?? 7 * DAY) / 1000);
  const threshold = formatNumber(options.threshold ?? 1);
  const by = ['resource', ...(options.groupBy ?? []).map(sanitizeLabelName).filter((l) => l !== 'resource')].join(', ');
  const last = (q: string) => `last_over_time(capplan_exhaustion_timestamp_seconds{threshold="${threshold}",quantile="${q}"}[${lookback}])`;
  const pct = `${Math.round(Number(threshold) * 100)}%`;
  const stale = days(Math.round((options.jobStaleAfterMs ?? 2 * DAY) / 1000));
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: options.name ?? 'capplan-capacity',
      ...(options.namespace ? { namespace: options.namespace } : {}),
      labels: { 'app.kubernetes.io/name': 'capplan', ...(options.labels ?? {}) },
    },
    spec: {
      groups: [
        {
          name: 'capplan.headroom.rules',
          rules: [
            { record: 'capplan:headroom_ratio:last', expr: `last_over_time(capplan_headroom_ratio[${lookback}])` },
            { record: `capplan:headroom_ratio:min_by_${by.replace(/, /g, '_')}`, expr: `min by (${by}) (last_over_time(capplan_headroom_ratio[${lookback}]))` },
            { record: 'capplan:exhaustion_seconds_remaining:p10', expr: `last_over_time(capplan_exhaustion_timestamp_seconds{quantile="0.1"}[${lookback}]) - time()` },
            { record: 'capplan:exhaustion_seconds_remaining:p50', expr: `last_over_time(capplan_exhaustion_timestamp_seconds{quantile="0.5"}[${lookback}]) - time()` },
          ],
        },
        {
          name: 'capplan.exhaustion.alerts',
          rules: [
            {
              alert: 'CapplanExhaustionWithinWarningWindow',
              expr: `${last('0.1')} - time() < ${warn}`,
              for: options.for ?? '1h',
              labels: { severity: 'warning' },
              annotations: {
                summary: `{{ $labels.resource }} {{ $labels.name }} may reach ${pct} of capacity within ${days(warn)}`,
                description:
                  `capplan forecasts that {{ $labels.name }} (series {{ $labels.series_id }}) may reach ${pct} of capacity in {{ $value | humanizeDuration }} ` +
                  `(earliest plausible date, p10 of the forecast); warning window ${days(warn)}. Plan or order capacity.`,
              },
            },
            {
              alert: 'CapplanExhaustionWithinCriticalWindow',
              expr: `${last('0.5')} - time() < ${crit}`,
              for: options.for ?? '1h',
              labels: { severity: 'critical' },
              annotations: {
                summary: `{{ $labels.resource }} {{ $labels.name }} is forecast to reach ${pct} of capacity within ${days(crit)}`,
                description:
                  `capplan forecasts that {{ $labels.name }} (series {{ $labels.series_id }}) reaches ${pct} of capacity in {{ $value | humanizeDuration }} ` +
                  `(median, p50); critical window ${days(crit)}. Add capacity or shed load now.`,
              },
            },
            {
              alert: 'CapplanForecastsMissing',
              expr: `absent_over_time(capplan_headroom_ratio[${lookback}])`,
              for: options.for ?? '1h',
              labels: { severity: 'warning' },
              annotations: {
                summary: `No capplan metrics in the last ${lookback}`,
                description: 'The capplan export (capplan export --format openmetrics, backfilled with promtool) has not delivered in time; exhaustion alerts cannot fire.',
              },
            },
          ],
        },
        {
          name: 'capplan.job.alerts',
          rules: [
            {
              alert: 'CapplanNoSuccessfulRun',
              expr: `time() - max by (job, instance) (capplan_last_success_timestamp_seconds) > ${Math.round((options.jobStaleAfterMs ?? 2 * DAY) / 1000)}`,
              for: '5m',
              labels: { severity: 'warning' },
              annotations: {
                summary: `capplan ({{ $labels.instance }}) has not completed a run successfully for ${stale}`,
                description:
                  'The last successful capplan run of {{ $labels.instance }} finished {{ $value | humanizeDuration }} ago (capplan_last_success_timestamp_seconds, pushed to the Pushgateway by capplan run --pushgateway). Forecasts and exhaustion alerts are going stale: check the CronJob and its logs.',
              },
            },
            {
              alert: 'CapplanLastRunFailed',
              expr: 'max by (job, instance) (capplan_last_failure_timestamp_seconds) > max by (job, instance) (capplan_last_success_timestamp_seconds) or max by (job, instance) (capplan_last_failure_timestamp_seconds) unless on (job, instance) capplan_last_success_timestamp_seconds',
              for: '5m',
              labels: { severity: 'info' },
              annotations: {
                summary: 'The last capplan run ({{ $labels.instance }}) failed',
                description: 'The most recent capplan run of {{ $labels.instance }} failed after the last successful one (see capplan_last_run_failures by stage and the job log).',
              },
            },
          ],
        },
      ],
    },
  };
}

/** The PrometheusRule as YAML. */
export function exportPrometheusRule(options: PrometheusRuleOptions = {}): string {
  return stringify(prometheusRule(options), { lineWidth: 0 });
}

/** Just `spec` (`groups: …`) as YAML: a plain Prometheus rules file, as `promtool check rules` reads. */
export function exportRulesFile(options: PrometheusRuleOptions = {}): string {
  return stringify(prometheusRule(options).spec, { lineWidth: 0 });
}

export interface PrometheusRuleObject {
  readonly apiVersion: 'monitoring.coreos.com/v1';
  readonly kind: 'PrometheusRule';
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels: Readonly<Record<string, string>> };
  readonly spec: { readonly groups: readonly RuleGroup[] };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly Rule[];
}

export type Rule =
  | { readonly record: string; readonly expr: string }
  | { readonly alert: string; readonly expr: string; readonly for: string; readonly labels: Readonly<Record<string, string>>; readonly annotations: Readonly<Record<string, string>> };

/** A Prometheus duration (`8d`, `36h`, `90m`, `45s`) for whole seconds. */
export function promDuration(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  if (s % 86_400 === 0) return `${s / 86_400}d`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

function days(seconds: number): string {
  const d = seconds / 86_400;
  return Number.isInteger(d) ? `${d} day${d === 1 ? '' : 's'}` : promDuration(seconds * 1000);
}
