import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { forecastSeries } from '../../src/forecast/forecastSeries.js';
import { generateFleet } from '../../src/demo/generateFleet.js';
import { readSeriesCsv } from '../../src/source/csv/readSeriesCsv.js';
import { runCli } from '../support/runCli.js';
import { useTempDir } from '../support/tempDir.js';

const DAY = 86_400_000;

/**
 * A fleet CSV as users export it, plus the awkward cases: a quoted name, a
 * series whose rows are split in two (interleaved), one with no numbers.
 */
function writeFleetCsv(path: string): string[] {
  const fleet = generateFleet({ endMs: Date.UTC(2026, 10, 1), seed: 11, size: 'small', historyDays: 90 });
  const ids = fleet.map((_, i) => (i === 2 ? 'db-7,"/data"' : `host-${i}`));
  const field = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows: string[] = ['series,timestamp,value'];
  const row = (id: string, t: number, v: number) => rows.push(`${field(id)},${new Date(t).toISOString()},${v}`);
  fleet.forEach((s, i) => {
    // host-1's second half comes after everything else.
    const end = i === 1 ? s.timestamps.length >> 1 : s.timestamps.length;
    for (let k = 0; k < end; k++) row(ids[i], s.timestamps[k], s.values[k]);
    if (i === 3) for (let k = 0; k < 48; k++) rows.push(`empty,${new Date(s.timestamps[k]).toISOString()},NaN`);
  });
  const s1 = fleet[1];
  for (let k = s1.timestamps.length >> 1; k < s1.timestamps.length; k++) row(ids[1], s1.timestamps[k], s1.values[k]);
  writeFileSync(path, `${rows.join('\n')}\n`);
  return [...ids.slice(0, 4), 'empty', ...ids.slice(4)];
}

describe('capplan forecast --input on the worker pool', () => {
  const tempDir = useTempDir();

  it('prints exactly what the single-thread path prints, in the file’s order, in every format', async () => {
    const file = join(tempDir(), 'fleet.csv');
    const order = writeFleetCsv(file);
    for (const format of ['json', 'csv', 'table']) {
      const args = ['forecast', '--input', file, '--horizon', '45d', '--capacity', '1e12', '--format', format];
      const single = await runCli([...args, '--workers', '1']);
      const pooled = await runCli([...args, '--workers', '3']);
      expect(single.code, single.stderr).toBe(0);
      expect(pooled.stdout).toBe(single.stdout);
      expect(pooled.stderr).toBe(single.stderr);
      expect(pooled.code).toBe(single.code);
      if (format === 'json') {
        // Without --workers the count follows the machine's idle cores (src/forecast/idleCores.ts): the output cannot.
        const chosen = await runCli(args);
        expect(chosen.stdout).toBe(single.stdout);
        expect(chosen.stderr).toBe(single.stderr);
      }
    }
    const json = JSON.parse((await runCli(['forecast', '--input', file, '--horizon', '45d'])).stdout) as { series: { series: string; model?: string; error?: string; forecast?: { value: number }[] }[] };
    expect(json.series.map((s) => s.series)).toEqual(order);
    expect(json.series[order.indexOf('empty')].error).toMatch(/empty: no finite values/);

    // The same models and numbers as forecastSeries on the whole of each series (host-1 included, both halves).
    const input = await readSeriesCsv(file);
    for (const s of input) {
      const printed = json.series.find((x) => x.series === s.id);
      if (printed?.error) continue;
      const direct = forecastSeries(s, { horizonMs: 45 * DAY, levels: [0.8, 0.95], aggregation: 'auto' });
      expect(printed?.model).toBe(direct.model);
      expect(printed?.forecast?.map((p) => p.value)).toEqual(Array.from(direct.point));
    }
  });

  it('stops the pool and names the line when a row near the end is bad (exit 6, nothing printed)', async () => {
    const file = join(tempDir(), 'fleet.csv');
    writeFleetCsv(file);
    const lines = readFileSync(file, 'utf8').split('\n').length;
    appendFileSync(file, 'host-0,yesterday,1\n');
    const r = await runCli(['forecast', '--input', file, '--horizon', '45d', '--workers', '2']);
    expect(r.code).toBe(ExitCode.data);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`capplan: ${file}:${lines}: cannot parse timestamp 'yesterday' (expected ISO-8601 like 2026-01-31T12:00:00Z, or unix seconds)\n`);
  });
});
