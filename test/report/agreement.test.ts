import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/Store.js';
import { runCli } from '../support/runCli.js';
import { useTempDir } from '../support/tempDir.js';
import { FROZEN_NOW } from '../support/clock.js';

const NOW = FROZEN_NOW;
const num = (v: unknown) => Number(v);

type Row = Record<string, unknown>;

/**
 * Issue 14's acceptance test: one planning run with fiscal quarters, a target
 * headroom, a lead time and a planned capacity change; `capplan headroom`,
 * `capplan report` and SQL over the views must give the same recommendation,
 * order-by date, headroom now and per quarter and quarter labels for every
 * series, and `capplan diff` and the report's "changes since last run" the
 * same moves.
 */
describe('the report, capplan headroom and the views agree on one planning run', () => {
  const tempDir = useTempDir();

  it('same recommendations, order-by dates, headroom now and per quarter, quarter labels, and moves', async () => {
    const dir = tempDir();
    const db = join(dir, 'demo.duckdb');
    expect((await runCli(['demo', '--size', 'small', '--db', db, '--out', join(dir, 'r'), '--workers', '1'], { nowMs: NOW, cwd: dir })).code).toBe(0);
    const plan = join(dir, 'plan.yaml');
    writeFileSync(
      plan,
      [
        'sources:',
        "  p: {url: 'http://127.0.0.1:1', type: prometheus}",
        'resources:',
        '  - name: disk',
        '    source: p',
        '    usage: x',
        '    capacityChanges: [{date: 2026-12-15, add: 100000000000, note: "+100 GB shelf ordered"}]',
        'planning:',
        '  fiscalYearStart: April',
        '  targetHeadroom: 25%',
        '  leadTime: 60d',
        '  groupBy: cluster',
        '',
      ].join('\n'),
    );
    const forecast = await runCli(['forecast', '--db', db, '--plan', plan, '--horizon', '180d', '--workers', '1'], { nowMs: NOW, cwd: dir });
    expect(forecast.stderr).toBe('');

    const headroom = await runCli(['headroom', '--db', db, '--plan', plan, '--format', 'json'], { nowMs: NOW });
    expect(headroom.code).toBe(0);
    const rows = JSON.parse(headroom.stdout) as Row[];
    const report = await runCli(['report', '--db', db, '--plan', plan, '--format', 'json'], { nowMs: NOW });
    expect(report.code).toBe(0);
    const doc = JSON.parse(report.stdout) as {
      quarters: string[];
      run: { runId: number };
      resources: { name: string; headroomRatio: number | null; quarterHeadroom: { label: string; ratio: number }[]; recommendation: Row | null }[];
      orders: { shortName: string; orderBy: string | null; late: boolean; plannedChanges: { note: string | null }[] }[];
      summary: { counts: { critical: number; lateOrders: number } };
      changes: { moved: { seriesId: string; shortName: string; days: number }[]; newRisks: { seriesId: string }[]; resolved: { seriesId: string }[] };
    };

    // Fiscal quarters from April: November 2026 is FY2027-Q3.
    expect(doc.quarters).toEqual(['FY2027-Q3', 'FY2027-Q4', 'FY2028-Q1', 'FY2028-Q2']);
    for (const q of doc.quarters) expect(Object.keys(rows[0])).toContain(`headroom_${q}`);

    const store = await Store.open(db, { readOnly: true });
    const sqlNow = new Map((await store.query(`SELECT name, headroom_ratio FROM headroom WHERE capacity > 0`)).rows.map((r) => [String(r[0]), num(r[1])]));
    const sqlQuarters = (await store.query(`SELECT name, quarter_label, ratio_conservative FROM headroom_by_quarter_in(4, 'UTC')`)).rows;
    const sqlRecs = new Map(
      (
        await store.query(
          `SELECT s.name, r.action, r.amount, r.order_by, r.late, r.target_headroom, r.lead_time_s
           FROM recommendations r JOIN latest_forecasts f USING (run_id, series_id) JOIN series s USING (series_id)`,
        )
      ).rows.map((r) => [String(r[0]), r]),
    );
    store.close();

    expect(rows.length).toBeGreaterThanOrEqual(8);
    let ordered = 0;
    for (const h of rows) {
      const name = String(h.series);
      const r = doc.resources.find((x) => x.name === name);
      expect(r, name).toBeDefined();
      if (!r) continue;
      // Headroom now: one definition (the 7-day peak) everywhere.
      expect(r.headroomRatio, name).toBeCloseTo(num(h.headroom_now), 12);
      expect(sqlNow.get(name), name).toBeCloseTo(num(h.headroom_now), 12);
      // Per quarter, with the same labels.
      for (const q of doc.quarters) {
        const cli = h[`headroom_${q}`];
        const rep = r.quarterHeadroom.find((x) => x.label === q);
        const sql = sqlQuarters.find((x) => x[0] === name && x[1] === q);
        if (cli === null) {
          expect(rep, `${name} ${q}`).toBeUndefined();
          continue;
        }
        expect(rep?.ratio, `${name} ${q}`).toBeCloseTo(num(cli), 12);
        expect(num(sql?.[2]), `${name} ${q} (sql)`).toBeCloseTo(num(cli), 9);
      }
      // The stored recommendation, with the plan's target headroom and lead time.
      const rec = r.recommendation as Row;
      const sql = sqlRecs.get(name) as unknown[];
      expect(rec.action).toBe(h.action);
      expect(sql[1]).toBe(h.action);
      expect(rec.targetHeadroom).toBeCloseTo(0.25, 12);
      expect(num(sql[5])).toBeCloseTo(0.25, 12);
      expect(num(sql[6])).toBe(60 * 86_400);
      if (h.action === 'add') {
        ordered++;
        expect(num(rec.amount)).toBeCloseTo(num(h.add), 6);
        expect(num(sql[2])).toBeCloseTo(num(h.add), 6);
        expect(rec.orderBy).toBe(h.order_by);
        expect(new Date(String(sql[3])).toISOString()).toBe(h.order_by);
        expect(rec.late).toBe(h.late);
        expect(doc.orders.find((o) => o.orderBy === h.order_by && o.late === h.late)).toBeDefined();
      }
    }
    expect(ordered).toBeGreaterThan(0);
    // The summary counts what --fail-on-risk lists as past its critical threshold, not only "full".
    const pastCritical = (forecast.stdout.match(/past its critical threshold/g) ?? []).length;
    expect(pastCritical).toBeGreaterThan(0);
    expect(doc.summary.counts.critical).toBeGreaterThanOrEqual(pastCritical);
    // The planned change shows with its note in "What to order, by when".
    expect(doc.orders.some((o) => o.plannedChanges.some((c) => c.note === '+100 GB shelf ordered'))).toBe(true);

    // capplan diff and the report's changes since the last run list the same moves.
    const diff = await runCli(['diff', '--db', db, '--format', 'json', '--all'], { nowMs: NOW });
    expect(diff.code).toBe(0);
    const changes = JSON.parse(diff.stdout) as Row[];
    const names = (kinds: string[]) => changes.filter((c) => kinds.includes(String(c.change))).map((c) => String(c.series)).sort();
    const byId = new Map(doc.resources.map((r) => [(r as unknown as { seriesId: string }).seriesId, r.name]));
    const moved = doc.changes.moved.map((m) => byId.get(m.seriesId)).sort();
    expect(moved).toEqual(names(['earlier', 'later']));
    expect(moved.length).toBeGreaterThan(0);
    expect(doc.changes.newRisks.map((m) => byId.get(m.seriesId)).sort()).toEqual(names(['new_risk']));
    expect(doc.changes.resolved.map((m) => byId.get(m.seriesId)).sort()).toEqual(names(['resolved']));
    for (const m of doc.changes.moved) {
      const d = changes.find((c) => c.series === byId.get(m.seriesId)) as Row;
      // The report shows whole days, diff tenths: the same move once each is rounded (33.46 → 33 and 33.5).
      expect(Math.abs(m.days - num(d.moved_days))).toBeLessThanOrEqual(0.55);
    }
  }, 180_000);
});
