import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/Store.js';
import { requireBuiltCli, runCliChild } from '../reliability/childCli.js';
import { filesystemFleet, filesystemFleetPlan } from '../support/filesystemFleet.js';
import { startPrometheusWithHistory, type RunningPrometheus } from '../support/prometheus.js';

// A fleet of 2,000 filesystems through the compiled CLI against a real Prometheus:
// pull (plan file) → forecast --db → report, every series accounted for at each step.
// Regression: forecast --db used to stop after ~64 series and still report success.

const H = 3_600_000;
const DAY = 24 * H;
const SERIES = 2_000;
const INTERVAL = 6 * H;
// History ends at the current hour: the child processes pull with the real clock.
const TO = Math.floor(Date.now() / H) * H;
const FROM = TO - 90 * DAY;

const series = filesystemFleet(SERIES, FROM);

let prom: RunningPrometheus;
let work: string;

beforeAll(async () => {
  requireBuiltCli();
  work = mkdtempSync(join(tmpdir(), 'capplan-scale-'));
  prom = await startPrometheusWithHistory({ dir: work, series, fromMs: FROM, toMs: TO, intervalMs: INTERVAL });
}, 300_000);

afterAll(async () => {
  await prom?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function sql(db: string, text: string): Promise<readonly (readonly unknown[])[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    return (await store.query(text)).rows;
  } finally {
    store.close();
  }
}

describe(`${SERIES.toLocaleString('en-US')} series from a real Prometheus through pull, forecast and report`, () => {
  it('forecasts and reports every pulled series', async () => {
    const db = join(work, 'fleet.duckdb');
    const plan = join(work, 'plan.yaml');
    writeFileSync(plan, filesystemFleetPlan(prom.url, 85));

    const pull = await runCliChild(['pull', '--db', db, '--plan', plan]);
    expect(pull.stderr).toBe('');
    expect(pull.code).toBe(0);
    // Usage and capacity: one series each per filesystem.
    expect(pull.stdout).toMatch(new RegExp(`^pull #1 disk \\(source prom\\): ok, ${(2 * SERIES).toLocaleString('en-US')} series, `, 'm'));
    const pulled = await sql(db, `SELECT metric, count(*)::INTEGER, min(n)::INTEGER, max(n)::INTEGER FROM (SELECT s.metric, s.series_id, count(*) AS n FROM series s JOIN samples USING (series_id) GROUP BY ALL) GROUP BY metric ORDER BY ALL`);
    expect(pulled).toEqual([
      ['capacity', SERIES, 86, 86],
      ['usage', SERIES, 86, 86],
    ]);

    const forecast = await runCliChild(['forecast', '--db', db, '--horizon', '90d', '--plan', plan]);
    expect(forecast.stderr).toBe('');
    expect(forecast.code).toBe(0);
    expect(forecast.stdout).toMatch(new RegExp(`^forecast run #1: ${SERIES} series, 0 failed; models `, 'm'));
    expect(await sql(db, `SELECT status, expected_count, forecast_count, failed_count, skipped_count, error FROM forecast_runs`)).toEqual([
      ['ok', SERIES, SERIES, 0, 0, null],
    ]);
    // Every usage series has its forecast, points and capacity (paired from its capacity series); nothing unpaired.
    expect(
      await sql(
        db,
        `SELECT count(*)::INTEGER, count(f.series_id)::INTEGER, count(p.series_id)::INTEGER, count(s.capacity)::INTEGER
         FROM series s
         LEFT JOIN forecasts f ON f.series_id = s.series_id AND f.run_id = 1 AND f.error IS NULL
         LEFT JOIN (SELECT DISTINCT series_id FROM forecast_points WHERE run_id = 1) p ON p.series_id = s.series_id
         WHERE s.metric = 'usage'`,
      ),
    ).toEqual([[SERIES, SERIES, SERIES, SERIES]]);
    expect(await sql(db, `SELECT status, count(*)::INTEGER FROM capacity_pairs GROUP BY ALL`)).toEqual([['paired', SERIES]]);

    const out = join(work, 'report.json');
    const report = await runCliChild(['report', '--db', db, '--format', 'json', '--out', out, '--charts', '2']);
    // Only the note saying where it went: no warning, no error.
    expect(report.stderr).toMatch(/^capplan: report written to \S+report\.json\n$/);
    expect(report.code).toBe(0);
    const model = JSON.parse(readFileSync(out, 'utf8')) as { run: { runId: number; seriesCount: number; failedCount: number }; resources: { seriesId: string; capacity: number | null; error: string | null }[] };
    expect(model.run).toMatchObject({ runId: 1, seriesCount: SERIES, failedCount: 0 });
    const usageIds = (await sql(db, `SELECT series_id FROM series WHERE metric = 'usage' ORDER BY 1`)).map((r) => r[0]);
    expect(model.resources.map((r) => r.seriesId).sort()).toEqual(usageIds);
    expect(model.resources.filter((r) => r.capacity !== null && r.error === null)).toHaveLength(SERIES);
  }, 600_000);
});
