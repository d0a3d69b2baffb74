import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/CliContext.js';
import { registerExport } from '../../src/cli/commands/export.js';
import { escapeLabelValue, exportOpenMetrics, labelSet, sanitizeLabelName } from '../../src/export/openmetrics.js';
import { Store } from '../../src/store/Store.js';
import { AS_OF, CURRENT, goldenStore, HOSTILE } from '../golden/fixture.js';


async function exportText(db: string, options: Parameters<typeof exportOpenMetrics>[2] = {}): Promise<{ text: string; stats: Awaited<ReturnType<typeof exportOpenMetrics>> }> {
  const store = await Store.open(db, { readOnly: true });
  let text = '';
  try {
    const stats = await exportOpenMetrics(store, { write: (t) => void (text += t) }, options);
    return { text, stats };
  } finally {
    store.close();
  }
}

describe('OpenMetrics export', () => {
  let dir: string;
  let db: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capplan-om-'));
    db = await goldenStore(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('escapes label values and sanitises label names per the spec', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(sanitizeLabelName('weird-key')).toBe('weird_key');
    expect(sanitizeLabelName('9lives')).toBe('_9lives');
    expect(sanitizeLabelName('__name__')).toBe('label__name__');
    expect(labelSet({ series_id: 'x' }, { series_id: 'clash', 'a.b': '1', a_b: '2' })).toBe('series_id="x",a_b="1",exported_a_b="2",exported_series_id="clash"');
  });

  it('writes forecast quantiles, exhaustion and headroom families, one family at a time, ending with # EOF', async () => {
    const { text, stats } = await exportText(db);
    const reader = await Store.open(db, { readOnly: true });
    const stored = new Map(
      (await reader.query(`SELECT s.labels['host'], e.p_never FROM exhaustion e JOIN series s USING (series_id) WHERE e.run_id = 2 AND e.threshold = 1`)).rows.map((r) => [String(r[0]), Number(r[1])]),
    );
    reader.close();
    expect(stats.runId).toBe(2);
    expect(stats.series).toBe(CURRENT.length);
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    const families = [...text.matchAll(/^# TYPE (\S+) gauge$/gm)].map((m) => m[1]);
    expect(families).toEqual(['capplan_forecast', 'capplan_exhaustion_timestamp_seconds', 'capplan_exhaustion_never_ratio', 'capplan_headroom_ratio']);
    const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines.length).toBe(stats.samples);
    // samples of a family are contiguous and every line has a value and a timestamp in seconds
    const order = lines.map((l) => l.slice(0, l.indexOf('{')));
    expect(order.filter((f, i) => i > 0 && f !== order[i - 1]).length).toBe(3);
    for (const l of lines) expect(l).toMatch(/^capplan_\w+\{.*\} -?[\d.e+]+ \d{10}(\.\d+)?$/);

    // db-07: linear 8 TiB + 0.1 TiB/day, band ±10% of the growth, daily steps after as-of
    const db07 = lines.filter((l) => l.startsWith('capplan_forecast{') && l.includes('host="db-07"'));
    expect(db07.length).toBe(3 * 90);
    const first = (q: string) => db07.find((l) => l.includes(`quantile="${q}"`))!.split(' ');
    expect(Number(first('0.5')[1])).toBeCloseTo(8.1 * 2 ** 40, -3);
    expect(Number(first('0.1')[1])).toBeLessThan(Number(first('0.5')[1]));
    expect(Number(first('0.9')[1])).toBeGreaterThan(Number(first('0.5')[1]));
    expect(Number(first('0.5')[2])).toBe((AS_OF + 86_400_000) / 1000);

    const ex = text.split('\n').find((l) => l.startsWith('capplan_exhaustion_timestamp_seconds{') && l.includes('host="db-07"') && l.includes('quantile="0.5"'))!;
    expect(ex).toContain('threshold="1"');
    expect(ex.split(' ').slice(-2).map(Number)).toEqual([(AS_OF + 20 * 86_400_000) / 1000, AS_OF / 1000]);
    // never exhausted within the horizon: no exhaustion sample at all
    expect(text).not.toMatch(/capplan_exhaustion_timestamp_seconds\{[^}]*host="app-01"/);
    // P(never): as stored, per threshold, stamped at as-of; 0 for db-07 (it crosses), 1 for the flat app-01.
    const never = (host: string) => text.split('\n').find((l) => l.startsWith('capplan_exhaustion_never_ratio{') && l.includes(`host="${host}"`) && l.includes('threshold="1"'))!;
    expect(never('db-07').split(' ').slice(-2).map(Number)).toEqual([stored.get('db-07'), AS_OF / 1000]);
    expect(Number(never('app-01').split(' ').at(-2))).toBe(stored.get('app-01'));
    expect(stored.get('db-07')).toBeLessThan(0.5);
    expect(stored.get('app-01')).toBeGreaterThan(0.5);
    const headroom = text.split('\n').find((l) => l.startsWith('capplan_headroom_ratio{') && l.includes('host="db-07"'))!;
    expect(Number(headroom.split(' ').at(-2))).toBeCloseTo(0.2, 12);

    // the hostile labels, escaped
    expect(text).toContain(`host="${escapeLabelValue(HOSTILE)}"`);
    expect(text).toContain('weird_key="a\\"b\\\\c\\nd"');
    expect(text.split('\n').every((l) => !l.startsWith(' next'))).toBe(true);
  });

  it('an empty database gives a valid, empty exposition', async () => {
    const store = await Store.open(join(dir, 'empty.duckdb'));
    let text = '';
    const stats = await exportOpenMetrics(store, { write: (t) => void (text += t) });
    store.close();
    expect(text).toBe('# EOF\n');
    expect(stats).toEqual({ runId: null, series: 0, samples: 0 });
  });

  it('promtool tsdb create-blocks-from openmetrics accepts it, labels intact', async () => {
    const { text, stats } = await exportText(db);
    const file = join(dir, 'capplan.om');
    writeFileSync(file, text);
    const blocks = join(dir, 'blocks');
    // One block for the whole span, rather than one per 2h window of forecast.
    const out = execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=8760h', file, blocks], { encoding: 'utf8' });
    const dirs = readdirSync(blocks).filter((d) => /^[0-9A-Z]{26}$/.test(d));
    expect(dirs.length).toBeGreaterThan(0);
    for (const d of dirs) expect(existsSync(join(blocks, d, 'meta.json'))).toBe(true);
    const samples = out.split('\n').filter((l) => /^[0-9A-Z]{26}\s/.test(l)).reduce((a, l) => a + Number(l.trim().split(/\s+/)[4]), 0);
    expect(samples).toBe(stats.samples);
    // Read the block back (dump wants a WAL directory): the hostile value survives as the same string.
    mkdirSync(join(blocks, 'wal'));
    const dumped = execFileSync('promtool', ['tsdb', 'dump', '--match={__name__="capplan_headroom_ratio"}', blocks], { encoding: 'utf8', env: { ...process.env } });
    expect(dumped.split('\n').filter(Boolean).length).toBe(CURRENT.length);
    expect(dumped).toContain(`host=${JSON.stringify(HOSTILE)}`);
  });

  it('capplan export --format openmetrics writes the file (registerExport)', async () => {
    let stderr = '';
    const ctx: CliContext = {
      stdout: { write: () => undefined, isTTY: false },
      stderr: { write: (s) => void (stderr += s), isTTY: false },
      env: {},
      now: () => AS_OF,
      cwd: dir,
      setExitCode: () => undefined,
    };
    const program = new Command().exitOverride();
    registerExport(program, ctx);
    const out = join(dir, 'cli', 'forecast.om');
    await program.parseAsync(['node', 'capplan', 'export', '--format', 'openmetrics', '--db', db, '--out', out]);
    expect(stderr).toContain(`openmetrics written to ${out}`);
    const { text } = await exportText(db);
    expect(existsSync(out) && (await import('node:fs')).readFileSync(out, 'utf8')).toBe(text);
    await expect(program.parseAsync(['node', 'capplan', 'export', '--format', 'openmetrics'])).rejects.toThrow(/--db is required/);
  });
});
