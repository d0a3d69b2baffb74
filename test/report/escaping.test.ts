import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportEmail } from '../../src/email/renderEmail.js';
import { reportSubject } from '../../src/email/subject.js';
import type { ReportModel } from '../../src/report/ReportModel.js';
import { renderHtml } from '../../src/report/renderHtml.js';
import { renderCsv, renderJson } from '../../src/report/renderJson.js';
import { renderMarkdown } from '../../src/report/renderMarkdown.js';
import { FORMULA_NAME, goldenModel, goldenStore, HOSTILE } from '../golden/fixture.js';

/**
 * One series' labels and name hold `<script>`, quotes, pipes, backslashes,
 * Markdown emphasis, a newline and a spreadsheet formula; a pull warning holds
 * HTML. Every view must carry them as text, never as markup or structure.
 */
describe('hostile label values in every format', () => {
  let dir: string;
  let model: ReportModel;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capplan-escape-'));
    // chart the hostile series too
    model = await goldenModel(await goldenStore(dir), { chartLimit: 6 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the hostile series is in the model, its summary and a chart', () => {
    const r = model.resources.find((x) => x.name === FORMULA_NAME);
    expect(r?.labels.host).toBe(HOSTILE);
    expect(model.summary.buckets[1].items.some((i) => i.name === FORMULA_NAME)).toBe(true);
    expect(model.charts.some((c) => c.name === FORMULA_NAME)).toBe(true);
  });

  it('HTML: no markup from labels, in tables, captions or the inline SVG', () => {
    const html = renderHtml(model);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<b>partial/);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('store eu-2 unavailable: &lt;b&gt;partial&lt;/b&gt;');
    // the SVG's own text is escaped by Vega
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.length).toBe(model.charts.length + model.groupCharts.length);
    expect(model.groupCharts.length).toBeGreaterThan(0);
    expect(svgs.some((s) => s.includes('&lt;script&gt;'))).toBe(true);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('Markdown: escaped HTML and emphasis, pipes never split a table, newlines never break a row', () => {
    const md = renderMarkdown(model);
    expect(md).not.toMatch(/<script|<b>/);
    expect(md).toContain('&lt;script&gt;alert("x")&lt;/script&gt; \\| \'q\' \\\\ \\*b\\*');
    const cells = (l: string) => l.replace(/\\\\/g, '').split(/(?<!\\)\|/).length;
    let header = 0;
    let rows = 0;
    for (const line of md.split('\n')) {
      if (!line.startsWith('|')) header = 0;
      else if (header === 0) header = cells(line);
      else {
        expect(cells(line), line).toBe(header);
        rows++;
      }
    }
    expect(rows).toBeGreaterThan(20);
    // the label's newline did not start a new line
    expect(md.split('\n').some((l) => l.startsWith(' next'))).toBe(false);
  });

  it('CSV: one record per resource, quotes doubled, newline kept inside quotes, formulas defused', () => {
    const csv = renderCsv(model);
    const records = parse(csv, { relax_column_count: false }) as string[][];
    expect(records.length).toBe(model.resources.length + 1);
    const header = records[0];
    const hostile = records.find((r) => r[header.indexOf('name')].includes('script'))!;
    expect(hostile[header.indexOf('name')]).toBe(`'${FORMULA_NAME}`);
    expect(hostile[header.indexOf('name')]).toContain('\n next');
    expect(hostile[header.indexOf('short_name')]).not.toContain('\n');
    expect(JSON.parse(hostile[header.indexOf('labels')])).toMatchObject({ host: HOSTILE, 'weird-key': 'a"b\\c\nd' });
    for (const r of records.slice(1)) for (const cell of r) expect(/^[=+@]/.test(cell) || /^-[^\d]/.test(cell), cell).toBe(false);
  });

  it('JSON: the exact strings round-trip', () => {
    const doc = JSON.parse(renderJson(model)) as { resources: { name: string; labels: Record<string, string> }[]; charts: { svg?: string }[] };
    const r = doc.resources.find((x) => x.name === FORMULA_NAME);
    expect(r?.labels.host).toBe(HOSTILE);
    expect(doc.charts.every((c) => c.svg === undefined)).toBe(true);
  });

  it('email: one-line subject, escaped HTML body, text part without forged lines', () => {
    const worst: ReportModel = { ...model, summary: { counts: { full: 0, lateOrders: 0, ordersDue: 0, critical: 0, budgetsSpent: 0, budgetsBurning: 0 }, buckets: [{ ...model.summary.buckets[1], label: '2026-Q4' }, model.summary.buckets[1]] } };
    const subject = reportSubject(worst);
    expect(subject).not.toMatch(/[\r\n]/);
    const mail = buildReportEmail(model);
    expect(mail.html).not.toMatch(/<script|<b>/);
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.text.split('\n').some((l) => l.startsWith(' next'))).toBe(false);
    expect(mail.text).toContain('<script>alert("x")</script>');
  });
});
