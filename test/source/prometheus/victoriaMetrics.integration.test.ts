import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PromClient } from '../../../src/source/prometheus/PromClient.js';
import { Store } from '../../../src/store/Store.js';
import { startPrometheusWithHistory, type RunningPrometheus, type SyntheticSeries } from '../../support/prometheus.js';
import { runCli } from '../../support/runCli.js';
import { startVictoriaMetricsWithHistory, type RunningVictoriaMetrics } from '../../support/victoriaMetrics.js';

/*
 * The same 120 days of 5-minute history for three hosts, in a real
 * VictoriaMetrics (Debian's victoria-metrics) and a real Prometheus. An
 * ad-hoc `capplan pull` detects VictoriaMetrics from its answers (the same
 * detection `capplan doctor` uses), so it splits at VictoriaMetrics' 30,000
 * points rather than Prometheus' 11,000, and stores exactly the samples the
 * same pull from Prometheus stores.
 */

const M = 60_000;
const DAY = 24 * 60 * M;
const FROM = Date.UTC(2026, 0, 1);
const END = FROM + 120 * DAY;

const series: SyntheticSeries[] = ['a', 'b', 'c'].map((host, i) => ({
  metric: 'capplan_vm_used',
  labels: { host },
  value: (t: number) => i * 1e6 + Math.floor((t - FROM) / (5 * M)) + (Math.floor((t - FROM) / DAY) % 7 === 3 ? 500 : 0),
}));

let vm: RunningVictoriaMetrics;
let prom: RunningPrometheus;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'capplan-vm-'));
  // Samples sit mid-step (2.5 minutes past): Prometheus 2.x closes range windows on the left, VictoriaMetrics opens them,
  // so a sample exactly on a step boundary would be read by one and not the other.
  const history = { series, fromMs: FROM + 150_000, toMs: END, intervalMs: 5 * M };
  [vm, prom] = await Promise.all([
    startVictoriaMetricsWithHistory({ dir: join(work, 'vm'), ...history }),
    startPrometheusWithHistory({ dir: join(work, 'prom'), ...history }),
  ]);
});

afterAll(async () => {
  await Promise.all([vm?.stop(), prom?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

async function dump(db: string): Promise<readonly (readonly unknown[])[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    const r = await store.query(`SELECT labels['host'] AS host, epoch_ms(ts) AS t, value FROM samples JOIN series USING (series_id) ORDER BY host, t`);
    return r.rows;
  } finally {
    store.close();
  }
}

describe('VictoriaMetrics from Debian', () => {
  it('is detected from its answers by the client pull uses, and by doctor', async () => {
    const client = new PromClient({ url: vm.url });
    const info = await client.buildInfo();
    client.close();
    expect(info.backend).toBe('victoriametrics');
    expect(info.evidence).toMatch(/X-Server-Hostname/);

    const doctor = await runCli(['doctor', '--url', vm.url]);
    expect(doctor.stdout).toMatch(/^ {2}ok {4}backend +VictoriaMetrics .*X-Server-Hostname/m);
  });

  it('pulls at 30,000 points per request and stores the same samples as Prometheus', async () => {
    const args = (url: string, db: string) => ['pull', '--db', db, '--url', url, '--query', 'capplan_vm_used', '--name', 'disk', '--start', new Date(FROM).toISOString(), '--end', new Date(END).toISOString(), '--step', '5m', '--aggregate', 'max'];
    const vmDb = join(work, 'vm.duckdb');
    const before = await vm.queryRangeRequests();
    const fromVm = await runCli(args(vm.url, vmDb), { nowMs: END });
    expect(fromVm.stderr).toBe('');
    expect(fromVm.code).toBe(0);
    // 120 days at 5m: 34,561 instants, two requests at 30,000 (Prometheus' 11,000 would take four).
    expect((await vm.queryRangeRequests()) - before).toBe(2);

    const promDb = join(work, 'prom.duckdb');
    const fromProm = await runCli(args(prom.url, promDb), { nowMs: END });
    expect(fromProm.code).toBe(0);
    const a = await dump(vmDb);
    const b = await dump(promDb);
    // Every instant but the first (no sample in the 5 minutes before it).
    expect(a).toHaveLength(3 * 34_560);
    expect(a).toEqual(b);
  });
});
