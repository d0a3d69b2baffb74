import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { exportPrometheusRule, exportRulesFile, prometheusRule, promDuration } from '../../src/export/prometheusRule.js';

const DAY = 86_400_000;

describe('PrometheusRule export', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'capplan-rule-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is a monitoring.coreos.com/v1 PrometheusRule with recording rules and exhaustion alerts', () => {
    const doc = parse(exportPrometheusRule({ namespace: 'monitoring', labels: { release: 'prometheus' }, groupBy: ['cluster'], warningWindowMs: 45 * DAY })) as ReturnType<typeof prometheusRule>;
    expect(doc.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(doc.kind).toBe('PrometheusRule');
    expect(doc.metadata).toEqual({ name: 'capplan-capacity', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'capplan', release: 'prometheus' } });
    const rules = doc.spec.groups.flatMap((g) => g.rules);
    expect(rules.filter((r) => 'record' in r).map((r) => ('record' in r ? r.record : ''))).toContain('capplan:headroom_ratio:min_by_resource_cluster');
    const warn = rules.find((r) => 'alert' in r && r.alert === 'CapplanExhaustionWithinWarningWindow');
    expect(warn?.expr).toBe('last_over_time(capplan_exhaustion_timestamp_seconds{threshold="1",quantile="0.1"}[8d]) - time() < 3888000');
    expect(promDuration(36 * 3_600_000)).toBe('36h');
  });

  it('promtool check rules accepts its spec', () => {
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, exportRulesFile({ groupBy: ['cluster', 'weird-label'], criticalWindowMs: 3 * DAY, lookbackMs: 36 * 3_600_000 }));
    const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: 9 rules found/);
  });

  it('promtool test rules: the alerts fire on backfilled exhaustion times', () => {
    const rules = join(dir, 'alerts.yaml');
    writeFileSync(rules, exportRulesFile());
    const labels = 'series_id="a1",resource="disk",name="db-07 /data"';
    // Exhaustion times are Unix seconds; promtool's clock starts at 0. Exported once at t=0 (the value
    // stays readable for the 8d lookback): db-07 may be full from day 10 (p10), day 12 at the median.
    const test = {
      rule_files: [rules],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1h',
          input_series: [
            { series: `capplan_exhaustion_timestamp_seconds{${labels},threshold="1",quantile="0.1"}`, values: String(10 * 86_400) },
            { series: `capplan_exhaustion_timestamp_seconds{${labels},threshold="1",quantile="0.5"}`, values: String(12 * 86_400) },
            { series: `capplan_headroom_ratio{${labels}}`, values: '0.2' },
          ],
          alert_rule_test: [
            {
              eval_time: '2h',
              alertname: 'CapplanExhaustionWithinWarningWindow',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', series_id: 'a1', resource: 'disk', name: 'db-07 /data', threshold: '1', quantile: '0.1' },
                  exp_annotations: {
                    summary: 'disk db-07 /data may reach 100% of capacity within 30 days',
                    description:
                      'capplan forecasts that db-07 /data (series a1) may reach 100% of capacity in 9d 22h 0m 0s (earliest plausible date, p10 of the forecast); warning window 30 days. Plan or order capacity.',
                  },
                },
              ],
            },
            // 12 days out is not yet within the 7-day critical window …
            { eval_time: '2h', alertname: 'CapplanExhaustionWithinCriticalWindow', exp_alerts: [] },
            // … and nothing is missing while the export is fresh.
            { eval_time: '2h', alertname: 'CapplanForecastsMissing', exp_alerts: [] },
          ],
        },
      ],
    };
    const file = join(dir, 'test.yaml');
    writeFileSync(file, stringify(test));
    const run = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toMatch(/SUCCESS/);
    expect(run.status).toBe(0);
  });

  it('promtool test rules: CapplanNoSuccessfulRun fires once the last pushed success is 2 days old, not before', () => {
    const rules = join(dir, 'job.yaml');
    writeFileSync(rules, exportRulesFile());
    // capplan run --pushgateway pushed one success at t=0 (the Pushgateway keeps exposing it), then nothing succeeded.
    const test = {
      rule_files: [rules],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [{ series: 'capplan_last_success_timestamp_seconds{job="capplan",instance="nightly"}', values: '0+0x3000' }],
          alert_rule_test: [
            { eval_time: '47h', alertname: 'CapplanNoSuccessfulRun', exp_alerts: [] },
            {
              eval_time: '48h10m',
              alertname: 'CapplanNoSuccessfulRun',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', job: 'capplan', instance: 'nightly' },
                  exp_annotations: {
                    summary: 'capplan (nightly) has not completed a run successfully for 2 days',
                    description:
                      'The last successful capplan run of nightly finished 2d 0h 10m 0s ago (capplan_last_success_timestamp_seconds, pushed to the Pushgateway by capplan run --pushgateway). Forecasts and exhaustion alerts are going stale: check the CronJob and its logs.',
                  },
                },
              ],
            },
            { eval_time: '48h10m', alertname: 'CapplanLastRunFailed', exp_alerts: [] },
          ],
        },
      ],
    };
    const file = join(dir, 'job-test.yaml');
    writeFileSync(file, stringify(test));
    const run = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toMatch(/SUCCESS/);
    expect(run.status).toBe(0);
  });
});
