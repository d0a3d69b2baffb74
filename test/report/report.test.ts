import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReportModel } from '../../src/report/buildReportModel.js';
import { renderHtml } from '../../src/report/renderHtml.js';
import { renderCsv, renderJson } from '../../src/report/renderJson.js';
import { renderMarkdown } from '../../src/report/renderMarkdown.js';
import { Store } from '../../src/store/Store.js';
import { storeSyntheticRun, type SyntheticSeries } from '../support/syntheticRun.js';
import { useTempDir } from '../support/tempDir.js';

const AS_OF = Date.UTC(2026, 10, 24);
const DAY = 86_400_000;
const TiB = 2 ** 40;

const HOSTILE = `<script>alert("x")</script> | "q" \n next`;
const fleet: SyntheticSeries[] = [
  { key: { resource: 'disk', metric: 'used', labels: { instance: 'slow' } }, name: 'slow', capacity: 10 * TiB, unit: 'bytes', level: 5 * TiB, perDay: 0.1 * TiB },
  { key: { resource: 'disk', metric: 'used', labels: { instance: 'fast' } }, name: 'fast', capacity: 10 * TiB, unit: 'bytes', level: 8 * TiB, perDay: 0.1 * TiB },
  { key: { resource: 'disk', metric: 'used', labels: { instance: 'full' } }, name: 'full', capacity: 10 * TiB, unit: 'bytes', level: 11 * TiB, perDay: 0 },
  { key: { resource: 'cpu', metric: 'busy', labels: { instance: HOSTILE } }, name: HOSTILE, capacity: 64, unit: 'cores', level: 10, perDay: 0, warnings: ['store eu-2 unavailable'] },
];

describe('headroom report', () => {
  const tempDir = useTempDir();

  async function model(tz = 'UTC') {
    const store = await Store.open(join(tempDir(), 'r.duckdb'), { now: () => AS_OF });
    await storeSyntheticRun(store, fleet, AS_OF);
    const m = await buildReportModel(store, { nowMs: AS_OF + 3_600_000, timeZone: tz });
    store.close();
    return m;
  }

  it('ranks already-full first, then by earliest plausible date, then never-within-horizon', async () => {
    const m = await model();
    expect(m.resources.map((r) => r.name)).toEqual(['full', 'fast', 'slow', HOSTILE]);
    const fast = m.resources[1].exhaustion[0];
    expect(fast.status).toBe('within');
    expect(fast.p50Ms).toBe(AS_OF + 20 * DAY);
    expect(m.resources[3].exhaustion[0].status).toBe('beyond_horizon');
    expect(m.resources[3].pullWarnings).toEqual(['store eu-2 unavailable']);
    expect(m.dataQuality.partialPulls).toBe(1);
  });

  it('Markdown states dates with interval, model and data, and escapes hostile names', async () => {
    const md = renderMarkdown(await model());
    expect(md).toContain('2026-12-14 (in 20 d)');
    expect(md).toMatch(/2026-12-12 – 2026-12-16/);
    expect(md).toContain('already at capacity');
    expect(md).toContain('not before 2027-02-22');
    expect(md).toContain('8 TiB');
    expect(md).not.toContain('<script>');
    expect(md).toContain('&lt;script&gt;');
    // A pipe in a name must not break a table: every row has as many cells as its header.
    const cells = (l: string) => l.split(/(?<!\\)\|/).length;
    let header = 0;
    for (const line of md.split('\n')) {
      if (!line.startsWith('|')) header = 0;
      else if (header === 0) header = cells(line);
      else expect(cells(line), line).toBe(header);
    }
    expect(md).toMatch(/partial data/);
    expect(md).toMatch(/Warnings: store eu-2 unavailable/);
  });

  it('HTML is self-contained and escapes hostile names', async () => {
    const html = renderHtml(await model());
    expect(html).not.toMatch(/<script>alert/);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toMatch(/(src|href)="http/);
    expect(html).toContain('<tr class="past">');
  });

  it('dates follow the report time zone', async () => {
    const md = renderMarkdown(await model('Pacific/Auckland'));
    // 2026-12-14T00:00Z is already 13:00 on the 14th in Auckland (UTC+13 in summer).
    expect(md).toContain('2026-12-14 (in 20 d)');
    expect(md).toContain('all dates Pacific/Auckland');
    const ny = renderMarkdown(await model('America/New_York'));
    expect(ny).toContain('2026-12-13 (in 20 d)');
  });

  it('JSON and CSV carry the same facts for programs', async () => {
    const m = await model();
    const json = JSON.parse(renderJson(m)) as { resources: { name: string; exhaustion: { p50: string | null; status: string }[] }[] };
    expect(json.resources[1].exhaustion[0]).toMatchObject({ status: 'within', p50: '2026-12-14T00:00:00.000Z' });
    const csv = renderCsv(m).split('\n');
    expect(csv[0]).toMatch(/^rank,series_id,resource,name/);
    expect(csv[2]).toContain(',within,');
    expect(csv[2]).toContain('2026-12-14T00:00:00.000Z');
    // the hostile name is one quoted field, its newline kept inside the quotes
    expect(renderCsv(m)).toContain('"<script>alert(""x"")</script> | ""q"" \n next"');
  });

  it('an empty database gives a report that says so', async () => {
    const store = await Store.open(join(tempDir(), 'empty.duckdb'));
    const m = await buildReportModel(store, { nowMs: AS_OF, timeZone: 'UTC' });
    store.close();
    expect(renderMarkdown(m)).toMatch(/No forecast run found/);
    expect(renderHtml(m)).toMatch(/No forecast run found/);
  });
});
