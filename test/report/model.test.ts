import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartSpec, renameIds } from '../../src/report/charts.js';
import { parseQuarter } from '../../src/time/quarters.js';
import type { ReportModel } from '../../src/report/ReportModel.js';
import { renderMarkdown } from '../../src/report/renderMarkdown.js';
import { renderCsv } from '../../src/report/renderJson.js';
import { riskRows, thresholdRows } from '../../src/report/riskRows.js';
import { renderHtml } from '../../src/report/renderHtml.js';
import { formatQuantity } from '../../src/report/units.js';
import { buildReportEmail } from '../../src/email/renderEmail.js';
import { AS_OF, DAY, goldenModel, goldenStore, TZ } from '../golden/fixture.js';

describe('report model from the synthetic fleet', () => {
  let dir: string;
  let db: string;
  let model: ReportModel;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capplan-model-'));
    db = await goldenStore(dir);
    model = await goldenModel(db);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('summarises this quarter and the next, soonest first, with p10–p50–p90 and an action', () => {
    const [now, next] = model.summary.buckets;
    expect(now.label).toBe('2026-Q4');
    expect(now.items.map((i) => i.shortName)).toEqual(['full-01 /data', 'db-07 /data']);
    expect(now.items[0].status).toBe('past');
    expect(now.items[0].action).toMatch(/^Late: order [\d.]+ TiB now/);
    const db07 = now.items[1];
    expect([db07.p10Ms, db07.p50Ms, db07.p90Ms].every((x) => x !== null && x > AS_OF)).toBe(true);
    expect(db07.p50Ms).toBe(AS_OF + 20 * DAY);
    // The stored recommendation: keep 20% free at the 80% band's upper edge through the horizon, 30 days lead time.
    const rec = model.resources.find((r) => r.shortName === 'db-07 /data')?.recommendation;
    expect(rec?.action).toBe('add');
    // Usage now (8 TiB) is exactly 80% of 10 TiB: the first forecast day eats into the target headroom.
    expect(rec?.neededByMs).toBe(AS_OF + DAY);
    expect(rec?.orderByMs).toBe(AS_OF + DAY - 30 * DAY);
    expect(db07.action).toBe(`Late: order ${formatQuantity(rec!.amount, 'bytes')} now; needed by 2026-11-25, the order-by date 2026-10-26 (30 d lead time) has passed.`);
    expect(model.orders.map((o) => o.shortName)).toContain('db-07 /data');
    expect(model.summary.counts.lateOrders).toBe(model.orders.filter((o) => o.late).length);
    expect(next.label).toBe('2027-Q1');
    expect(next.items.map((i) => i.shortName)[0]).toBe('db-08 /data');
  });

  it('rolls headroom up by cluster and fleet-wide', () => {
    expect(model.groups.label).toBe('cluster');
    expect(model.groups.groups.map((g) => g.key)).toEqual(['eu-west', 'us-east', '(none)']);
    const usDisk = model.groups.groups[1].rollups.find((r) => r.resource === 'disk');
    expect(usDisk).toMatchObject({ seriesCount: 2, atRiskCount: 2, soonestShortName: 'full-01 /data' });
    expect(usDisk?.headroomRatio).toBeCloseTo(1 - 19 / 20, 12);
    expect(model.groups.total.find((r) => r.resource === 'disk')?.seriesCount).toBe(4);
  });

  it('compares with the previous run: moved, new and resolved', () => {
    const c = model.changes!;
    expect(c.previousRunId).toBe(1);
    expect(c.moved).toEqual([expect.objectContaining({ shortName: 'db-07 /data', days: -5 })]);
    expect(c.newRisks.map((n) => n.shortName)).toEqual(['db-08 /data']);
    expect(c.resolved.map((n) => n.shortName)).toEqual(['cache-01']);
    expect(renderMarkdown(model)).toContain('db-07 /data: exhaustion p50 moved 5 days earlier (2026-12-19 → 2026-12-14).');
  });

  it('charts the top-N at risk from daily peaks and the forecast band, rendered by Vega', () => {
    expect(model.charts.map((c) => c.shortName)).toEqual(['full-01 /data', 'db-07 /data', 'db-08 /data']);
    const c = model.charts[1];
    expect(c.history.length).toBeGreaterThan(25);
    // one point per local day, at local midnight (23:00Z in Berlin winter, 22:00Z in summer time)
    const localTime = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    expect(new Set(c.history.map((p) => localTime.format(p.tMs)))).toEqual(new Set(['00:00']));
    expect(new Set(c.history.map((p) => new Date(p.tMs).toISOString().slice(11)))).toEqual(new Set(['22:00:00.000Z', '23:00:00.000Z']));
    expect(c.forecast.every((p) => p.lower <= p.p50 && p.p50 <= p.upper)).toBe(true);
    expect(c.svg).toMatch(/^<svg [^>]*width="\d+" height="\d+"/);
    expect(c.svg).toContain('capacity 10 TiB');
    expect(c.svg).toContain('2026-12-14'); // the crossing is labelled
    const spec = chartSpec(c, AS_OF, TZ) as { layer: unknown[] };
    expect(spec.layer.length).toBeGreaterThanOrEqual(6);
    // ids are namespaced per chart so several SVGs can share a page
    expect(renameIds('<svg><clipPath id="clip9"/><g clip-path="url(#clip9)"/></svg>', 'c2')).toBe('<svg><clipPath id="c2-1"/><g clip-path="url(#c2-1)"/></svg>');
    expect(model.charts[0].svg).not.toBe(model.charts[1].svg);
  });

  it('says so when the period lies beyond the forecast horizon', async () => {
    const far = await goldenModel(db, { period: { kind: 'quarter', ...parseQuarter('2027-Q3', { fiscalYearStartMonth: 1, timeZone: TZ })! }, chartLimit: 0 });
    expect(far.notices.join(' ')).toMatch(/horizon ends 2027-02-22, before 2027-Q3 starts: no forecast covers this period/);
    expect(far.charts).toEqual([]);
    expect(renderMarkdown(far)).toContain('> **Note:** The forecast horizon ends 2027-02-22, before 2027-Q3 starts');
    // everything at risk before the period ends is still listed
    expect(far.summary.buckets[0].items.length).toBe(4);
  });

  it('the scenario and error-budget hooks render when filled', () => {
    const filled: ReportModel = {
      ...model,
      scenarios: [{ scenario: 'double traffic', runId: 9, description: null, changes: ['usage +100% from 2026-11-24'], resources: ['disk'], rows: [{ seriesId: 'x', shortName: 'db-07 /data', baselineP50Ms: AS_OF + 20 * DAY, scenarioP50Ms: AS_OF + 10 * DAY, status: 'within', baselineStatus: 'within', days: -10 }] }],
      errorBudgets: [{ name: 'checkout availability', objective: 0.999, remainingRatio: 0.4, burnRate: 1.5, exhaustionMs: AS_OF + 30 * DAY, status: 'within', firing: [] }],
    };
    const md = renderMarkdown(filled);
    expect(md).toContain('## Scenarios');
    expect(md).toContain('| double traffic | db-07 /data | 2026-12-14 | 2026-12-04 | 10 d earlier |');
    expect(md).toContain('double traffic: usage +100% from 2026-11-24 on disk; moves 1 full date.');
    // The email carries the error budgets too (a run that exits 3 on a spent budget must say why).
    const mail = buildReportEmail({ ...filled, charts: [] });
    expect(mail.text).toContain('Error budgets');
    expect(mail.text).toContain('checkout availability (99.90%): 40% left, burn rate 1.50×, alerts firing: none; exhausted: 2026-12-24');
    expect(mail.html).toContain('Error budgets');
    expect(md).toContain('| checkout availability | 99.90% | 40% | 1.50× | none | 2026-12-24 |');
    expect(renderMarkdown(model)).not.toContain('## Scenarios');
  });

  it('reclaimable capacity: flat resources far below capacity, sized down to keep the target headroom', () => {
    // cpu: 10 of 64 cores, flat; requests: 1800 of 5000 req/s, flat (closed-form fleet, band ±10% of growth = 0).
    const cpu = model.reclaimable.find((r) => r.resource === 'cpu');
    expect(cpu).toMatchObject({ shortName: 'app-01', capacity: 64, peakUpper: 10 });
    expect(cpu?.suggestedCapacity).toBeCloseTo(10 / 0.8, 9);
    expect(cpu?.reclaimable).toBeCloseTo(64 - 10 / 0.8, 9);
    expect(model.reclaimable.find((r) => r.resource === 'requests')?.suggestedCapacity).toBeCloseTo(1800 / 0.8, 9);
    // A disk near full is never reclaimable.
    expect(model.reclaimable.some((r) => r.shortName === 'db-07 /data')).toBe(false);
    expect(renderMarkdown(model)).toContain('## Reclaimable capacity');
  });

  it('threshold columns that say nothing for any listed series are dropped; the CSV carries orders and quarters', () => {
    const th = thresholdRows({ ...model, resources: model.resources.map((r) => ({ ...r, exhaustion: [{ threshold: 0.7, status: 'beyond_horizon', p10Ms: null, p50Ms: null, p90Ms: null, pNever: 1 }, ...r.exhaustion] })) });
    expect(th.columns).toEqual(['Series', 'Headroom', '100%']);
    const csv = renderCsv(model).split('\n');
    const head = csv[0].split(',');
    for (const c of ['order_amount', 'needed_by', 'order_by', 'lead_time_days', 'late', 'planned_changes', ...model.quarters.map((q) => `headroom_${q}`)]) expect(head).toContain(c);
    const fields = (line: string) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => m[1]).slice(0, head.length);
    const db07 = fields(csv.find((l) => l.includes('db-07')) ?? '');
    expect(db07[head.indexOf('late')]).toBe('true');
    expect(db07[head.indexOf('lead_time_days')]).toBe('30');
  });

  it('a series past its critical threshold is not green when full is beyond the horizon', () => {
    const pool = model.resources.find((r) => r.shortName === 'app-01')!;
    const critical = { ...pool, exhaustion: [{ threshold: 0.9, status: 'past' as const, p10Ms: null, p50Ms: null, p90Ms: null, pNever: 0 }, ...pool.exhaustion] };
    const m = { ...model, resources: [critical] };
    expect(riskRows(m)[0].status).toBe('critical');
    expect(renderHtml(m)).toContain('<tr class="critical">');
  });
});
