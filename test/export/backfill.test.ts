import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { pushJobMetrics } from '../../src/export/pushgateway.js';
import { ROOT } from '../reliability/childCli.js';
import { eventually, instant, startNodeExporter, startPrometheus, startPushgateway, type LiveServer } from '../support/liveServers.js';
import { runCli } from '../support/runCli.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** promtool tsdb create-blocks-from openmetrics, as the README says. */
function blocks(om: string, out: string): void {
  const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=8760h', om, out], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`promtool failed: ${r.stderr || r.stdout}`);
}

/** A counter from Prometheus' own /metrics (it does not scrape itself here). */
async function ownCounter(prom: LiveServer, name: string): Promise<number> {
  const text = await (await fetch(`${prom.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} not in ${prom.url}/metrics`);
  return Number(line.split(' ')[1]);
}

/**
 * The README's backfill advice against a live Prometheus that scrapes a real
 * node-exporter and Pushgateway and already holds history in blocks: importing
 * capplan's forecast blocks as the README says must leave scraping and history
 * intact; the old advice (plain import, default retention) is run too, and must
 * be seen to break both, so the test can tell the difference.
 */
describe('backfilling capplan forecasts into a live Prometheus (README "Export to Prometheus and Grafana")', () => {
  let dir: string;
  let node: LiveServer;
  let pgw: LiveServer;
  let forecastBlocks: string;
  let historyBlocks: string;
  const running: LiveServer[] = [];
  const now = Date.now();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capplan-backfill-'));
    node = await startNodeExporter();
    pgw = await startPushgateway();
    const db = join(dir, 'demo.duckdb');
    expect((await runCli(['demo', '--size', 'small', '--db', db, '--out', join(dir, 'demo/'), '--workers', '1'], { nowMs: now, cwd: dir })).code).toBe(0);
    const om = join(dir, 'capplan.om');
    expect((await runCli(['export', '--db', db, '--format', 'openmetrics', '--out', om], { nowMs: now })).code).toBe(0);
    forecastBlocks = join(dir, 'capplan-blocks');
    blocks(om, forecastBlocks);
    // The Prometheus' own history: 20 days of an hourly series, ending 3 hours ago, already in blocks.
    const history = join(dir, 'history.om');
    const end = Math.floor(now / HOUR) * HOUR - 3 * HOUR;
    let text = '# TYPE site_history gauge\n';
    for (let t = end - 20 * DAY; t < end; t += HOUR) text += `site_history{job="history"} ${(t / HOUR) % 100} ${t / 1000}\n`;
    writeFileSync(history, `${text}# EOF\n`);
    historyBlocks = join(dir, 'history-blocks');
    blocks(history, historyBlocks);
  }, 120_000);

  afterAll(async () => {
    for (const p of running) await p.stop();
    await node?.stop();
    await pgw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A live Prometheus scraping node-exporter and the Pushgateway every second, with its history blocks; restarted with the forecast blocks moved in. */
  async function liveThenImport(name: string, config: { ooo: string | null; retention: string }) {
    const base = join(dir, name);
    const data = join(base, 'data');
    mkdirSync(data, { recursive: true });
    cpSync(historyBlocks, data, { recursive: true });
    const yml = stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      ...(config.ooo ? { storage: { tsdb: { out_of_order_time_window: config.ooo } } } : {}),
      scrape_configs: [
        { job_name: 'node', static_configs: [{ targets: [node.address] }] },
        { job_name: 'pushgateway', honor_labels: true, static_configs: [{ targets: [pgw.address] }] },
      ],
    });
    const args = [`--storage.tsdb.retention.time=${config.retention}`];
    let prom = await startPrometheus(base, yml, { dataDir: data, args });
    running.push(prom);
    await eventually('3 scrapes of node-exporter', async () => (Number((await instant(prom, 'count_over_time(up{job="node"}[1m])'))[0]?.value[1]) >= 3 ? true : undefined));
    const historyBefore = Number((await instant(prom, 'count_over_time(site_history[30d])'))[0]?.value[1]);
    await prom.stop();
    // The import: move the blocks into the data directory, then restart.
    for (const b of readdirSync(forecastBlocks)) cpSync(join(forecastBlocks, b), join(data, b), { recursive: true });
    const restarted = Date.now() / 1000;
    prom = await startPrometheus(base, yml, { dataDir: data, args });
    running.push(prom);
    // Scrape targets start within ~5 s of start-up (the scrape manager's reload interval): wait until
    // scrapes either land (3 of them) or are rejected.
    await eventually('scrapes after the restart, stored or rejected', async () => {
      const since = Math.max(1, Math.floor(Date.now() / 1000 - restarted));
      const stored = Number((await instant(prom, `count_over_time(up{job="node"}[${since}s])`))[0]?.value[1] ?? 0);
      return stored >= 3 || (await ownCounter(prom, 'prometheus_target_scrapes_sample_out_of_bounds_total')) > 0 ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 2000));
    const t = Date.now() / 1000;
    const value = async (q: string) => Number((await instant(prom, q, t))[0]?.value[1] ?? 0);
    return {
      prom,
      historyBefore,
      historyAfter: await value('count_over_time(site_history[30d])'),
      scrapedAfterImport: await value(`count_over_time(up{job="node"}[${Math.floor(t - restarted)}s])`),
      outOfBounds: await ownCounter(prom, 'prometheus_target_scrapes_sample_out_of_bounds_total'),
      forecastSeries: (await instant(prom, 'last_over_time(capplan_forecast[1d])', now / 1000 + 30 * 86_400)).length,
    };
  }

  it('a dedicated forecasts Prometheus (README option 1: no scrape jobs, long retention) serves the blocks', async () => {
    const base = join(dir, 'dedicated');
    const data = join(base, 'data');
    mkdirSync(data, { recursive: true });
    for (const b of readdirSync(forecastBlocks)) cpSync(join(forecastBlocks, b), join(data, b), { recursive: true });
    const prom = await startPrometheus(base, 'scrape_configs: []\n', { dataDir: data, args: ['--storage.tsdb.retention.time=2y'] });
    running.push(prom);
    expect((await instant(prom, 'last_over_time(capplan_forecast[1d])', now / 1000 + 30 * 86_400)).length).toBeGreaterThan(0);
    expect((await instant(prom, 'last_over_time(capplan_headroom_ratio[8d])')).length).toBeGreaterThan(0);
  }, 60_000);

  it('the old advice breaks it: new scrapes rejected as out of bounds, history deleted by retention', async () => {
    const r = await liveThenImport('plain', { ooo: null, retention: '15d' });
    expect(r.historyBefore).toBe(480);
    expect(r.outOfBounds).toBeGreaterThan(0);
    expect(r.scrapedAfterImport).toBe(0);
    expect(r.historyAfter).toBe(0);
  }, 120_000);

  it("the README's advice keeps it whole: scrapes continue, history kept, forecasts served; every dashboard panel returns data", async () => {
    // README: out_of_order_time_window and a retention covering the horizon (180d) plus the history kept.
    const r = await liveThenImport('ooo', { ooo: '400d', retention: '2y' });
    expect(r.historyBefore).toBe(480);
    expect(r.historyAfter).toBe(480);
    expect(r.outOfBounds).toBe(0);
    expect(r.scrapedAfterImport).toBeGreaterThanOrEqual(3);
    expect(r.forecastSeries).toBeGreaterThan(0);

    // The dashboard's queries against this Prometheus, with a run's job metrics pushed and scraped.
    await pushJobMetrics(pgw.url, { job: 'capplan', instance: 'nightly' }, { success: true, startedMs: now - 60_000, finishedMs: now, seriesForecast: 8, seriesFailed: 0, seriesAtRisk: 1, pullFailures: 0 });
    await eventually('job metrics scraped', async () => ((await instant(r.prom, 'capplan_last_run_success')).length > 0 ? true : undefined));
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/kubernetes/common/grafana/capplan-dashboard.json'), 'utf8')) as {
      panels: { title: string; type: string; targets?: { expr: string; instant: boolean }[] }[];
      templating: { list: { name: string; definition?: string }[] };
    };
    const vars = (q: string) => q.replace(/\$resource/g, '.*').replace(/\$series/g, '.*').replace(/\$group/g, 'cluster');
    const checked: string[] = [];
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      for (const target of panel.targets ?? []) {
        const expr = vars(target.expr);
        if (target.instant) {
          const result = await instant(r.prom, expr);
          expect(result.length, `${panel.title}: ${expr}`).toBeGreaterThan(0);
        } else {
          const body = new URLSearchParams({ query: expr, start: String(Math.floor(now / 1000)), end: String(Math.floor(now / 1000) + 90 * 86_400), step: '86400' });
          const res = (await (await fetch(`${r.prom.url}/api/v1/query_range`, { method: 'POST', body })).json()) as { data: { result: { values: unknown[] }[] } };
          expect(res.data.result.length, `${panel.title}: ${expr}`).toBeGreaterThan(0);
          expect(res.data.result[0].values.length, `${panel.title}: ${expr}`).toBeGreaterThan(30);
        }
        checked.push(panel.title);
      }
    }
    expect(new Set(checked).size).toBe(dashboard.panels.filter((p) => p.type !== 'row').length);
    // The template variables' label_values queries find values too.
    for (const v of dashboard.templating.list.filter((x) => x.definition)) {
      const m = /^label_values\((.+), (\w+)\)$/.exec(vars(v.definition as string)) as RegExpExecArray;
      const res = (await (await fetch(`${r.prom.url}/api/v1/label/${m[2]}/values?${new URLSearchParams({ 'match[]': m[1] })}`)).json()) as { data: string[] };
      expect(res.data.length, v.name).toBeGreaterThan(0);
    }
  }, 180_000);
});
