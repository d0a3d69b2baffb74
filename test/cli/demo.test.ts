import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateFleet } from '../../src/demo/generateFleet.js';
import { Store } from '../../src/store/Store.js';
import { runCli } from '../support/runCli.js';
import { useTempDir } from '../support/tempDir.js';
import { FROZEN_NOW } from '../support/clock.js';

const NOW = FROZEN_NOW;
const DAY = 86_400_000;

describe('capplan demo (small fleet, pinned clock)', () => {
  const tempDir = useTempDir();

  it('pulls, stores, forecasts and reports; the known disk is dated near its true crossing', async () => {
    const dir = tempDir();
    const db = join(dir, 'demo.duckdb');
    const out = join(dir, 'reports');
    const run = await runCli(['demo', '--size', 'small', '--db', db, '--out', out, '--workers', '2'], { nowMs: NOW, cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/8 series of hourly history up to 2026-11-24/);
    for (const ext of ['md', 'html', 'json', 'csv']) expect(existsSync(join(out, `headroom-2026-11-24.${ext}`))).toBe(true);

    const truth = generateFleet({ endMs: NOW, seed: 42, size: 'small' });
    const store = await Store.open(db);
    const rows = (await store.query(`SELECT s.name, s.labels['host'] AS host, e.status, epoch_ms(e.p10)::DOUBLE AS p10, epoch_ms(e.p50)::DOUBLE AS p50, epoch_ms(e.p90)::DOUBLE AS p90, f.model
      FROM latest_exhaustion e JOIN series s USING (series_id) JOIN latest_forecasts f USING (series_id) WHERE e.threshold = 1`)).rows;
    const byHost = new Map(rows.map((r) => [r[1], r]));
    const db01 = byHost.get('db-01') as unknown[];
    expect(db01[2]).toBe('within');
    const trueCrossing = truth[0].truth.crossingMs as number;
    expect(Math.abs((db01[4] as number) - trueCrossing)).toBeLessThan(4 * DAY);
    expect(db01[3] as number).toBeLessThanOrEqual(db01[4] as number);
    expect(byHost.get('archive-01')?.[2]).toBe('beyond_horizon');
    expect(byHost.get('legacy-01')?.[2]).toBe('beyond_horizon');

    // The report lists the known disk among the risks, with its interval and model.
    const md = readFileSync(join(out, 'headroom-2026-11-24.md'), 'utf8');
    expect(md).toMatch(/\| db-01 \/data \| us-east \| disk \|/);
    const json = JSON.parse(readFileSync(join(out, 'headroom-2026-11-24.json'), 'utf8')) as { resources: { name: string }[] };
    expect(json.resources.some((r) => r.name.includes('host="db-01"'))).toBe(true);
    expect(json.resources.length).toBe(8);
    const samples = Number((await store.query('SELECT count(*) FROM samples')).rows[0][0]);
    store.close();

    // A second run appends a pull and new forecast runs (baseline + two scenarios), and never duplicates samples.
    const again = await runCli(['demo', '--size', 'small', '--db', db, '--out', out, '--workers', '1'], { nowMs: NOW + 2 * 3_600_000, cwd: dir });
    expect(again.code).toBe(0);
    const store2 = await Store.open(db);
    const counts = (await store2.query(`SELECT (SELECT count(*) FROM pulls), (SELECT count(*) FROM forecast_runs), (SELECT count(*) FROM samples), (SELECT count(*) FROM (SELECT series_id, ts FROM samples GROUP BY ALL HAVING count(*) > 1))`)).rows[0].map(Number);
    store2.close();
    expect(counts[0]).toBe(2);
    expect(counts[1]).toBe(6);
    expect(counts[2]).toBeGreaterThan(samples);
    expect(counts[3]).toBe(0);
  });
});
