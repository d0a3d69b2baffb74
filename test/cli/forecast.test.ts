import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/demo/prng.js';
import { ExitCode } from '../../src/errors.js';
import { runCli } from '../support/runCli.js';
import { useTempDir } from '../support/tempDir.js';

const DATA = new URL('../../datasets/', import.meta.url).pathname;

describe('capplan forecast --input', () => {
  const tempDir = useTempDir();

  it('forecasts the sample disk as JSON with dates, interval, model, backtest and data', async () => {
    const r = await runCli(['forecast', '--input', `${DATA}disk-growth-hourly.csv`, '--horizon', '90d', '--capacity', '2e12']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { series: { model: string; level: number; forecast: { timestamp: string; value: number; lower: number; upper: number }[]; exhaustion: { status: string; p10: string; p50: string; p90: string }; backtest: { mase: number; coverage: { level: number; achieved: number }[] }; aggregation: string }[] };
    const s = doc.series[0];
    expect(s.level).toBe(0.8);
    expect(s.forecast).toHaveLength(90);
    expect(s.aggregation).toBe('max/24h');
    expect(s.exhaustion.status).toBe('within');
    // The committed sample's peaks reach 2e12 on 2026-12-16 (datasets/README.md).
    expect(Math.abs(Date.parse(s.exhaustion.p50) - Date.parse('2026-12-16T23:00:00Z'))).toBeLessThan(4 * 86_400_000);
    expect(Date.parse(s.exhaustion.p10)).toBeLessThanOrEqual(Date.parse(s.exhaustion.p50));
    expect(s.backtest.coverage[0].level).toBe(0.8);
    for (const p of s.forecast) expect(p.lower <= p.value && p.value <= p.upper).toBe(true);
  });

  it('takes a bare horizon as steps of monthly and quarterly data, as CSV and table', async () => {
    const csv = await runCli(['forecast', '--input', `${DATA}monthly-storage.csv`, '--horizon', '12', '--format', 'csv']);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('series,timestamp,value,lower,upper');
    expect(lines).toHaveLength(13);
    expect(lines[1]).toMatch(/^monthly-storage,2026-12-01T00:00:00.000Z,/);
    const table = await runCli(['forecast', '--input', `${DATA}quarterly-capacity.csv`, '--horizon', '8', '--format', 'table']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^series\s+model\s+mase[^\n]*\n─[─ ]+\nquarterly-capacity /);
    // datasets/README.md's quarterly example: the forecast values themselves, one per quarter.
    const quarterly = await runCli(['forecast', '--input', `${DATA}quarterly-capacity.csv`, '--horizon', '8', '--format', 'csv']);
    const q = quarterly.stdout.trim().split('\n');
    expect(q).toHaveLength(9);
    expect(q.slice(1).map((l) => l.split(',')[1].slice(0, 10))).toEqual(['2027-01-01', '2027-04-01', '2027-07-01', '2027-10-01', '2028-01-01', '2028-04-01', '2028-07-01', '2028-10-01']);
    for (const l of q.slice(1)) expect(Number(l.split(',')[2])).toBeGreaterThan(1000);
  });

  it('gives "never within the horizon" as a probability: about 0 for sure growth, 1 for a flat series, in between for a borderline one', async () => {
    // Hourly, 60 days, a daily wobble of ±5 and noise of sd 2; capacity 200. Growing at 1/day the peaks reach it in
    // about a month; at 0.62/day the line reaches it close to the 90-day horizon's end; flat at 100 never.
    const end = Date.UTC(2026, 10, 1);
    const lines = ['series,timestamp,value'];
    for (const [name, perDay] of [['growing', 1], ['borderline', 0.62], ['flat', 0]] as const) {
      const rng = new Prng(3);
      for (let i = 0; i < 60 * 24; i++) {
        const v = 100 + (perDay * i) / 24 + 5 * Math.sin((2 * Math.PI * (i % 24)) / 24) + 2 * rng.normal();
        lines.push(`${name},${new Date(end - (60 * 24 - i) * 3_600_000).toISOString()},${v}`);
      }
    }
    const csv = join(tempDir(), 'three.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const r = await runCli(['forecast', '--input', csv, '--horizon', '90d', '--capacity', '200']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { series: { series: string; exhaustion: { status: string; p50: string | null; pNever: number } }[] };
    const by = new Map(doc.series.map((s) => [s.series, s.exhaustion]));
    expect(by.get('growing')).toMatchObject({ status: 'within' });
    expect(by.get('growing')?.pNever).toBeLessThan(0.01);
    expect(by.get('flat')).toMatchObject({ status: 'beyond_horizon', p50: null, pNever: 1 });
    expect(by.get('borderline')?.pNever).toBeGreaterThan(0.2);
    expect(by.get('borderline')?.pNever).toBeLessThan(0.8);

    const table = await runCli(['forecast', '--input', csv, '--horizon', '90d', '--capacity', '200', '--format', 'table']);
    expect(table.stdout).toMatch(/full_p90\s+full_p_never\s+signal/);
    expect(table.stdout).toMatch(/\nflat\s+\S+\s+[\d.]+\s+\S+\s+never\s+never\s+never\s+1\.00\s/);
    expect(table.stdout).toMatch(new RegExp(`\\nborderline\\s.*\\s${by.get('borderline')?.pNever.toFixed(2)}\\s+max/24h`));
  });

  it('fails clearly on bad input, naming it, with distinct exit codes', async () => {
    const dir = tempDir();
    const missing = await runCli(['forecast', '--input', join(dir, 'nope.csv'), '--horizon', '30d']);
    expect(missing.code).toBe(ExitCode.data);
    expect(missing.stderr).toMatch(/nope\.csv: no such file/);

    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, 'timestamp,value\n');
    const e = await runCli(['forecast', '--input', empty, '--horizon', '30d']);
    expect(e.code).toBe(ExitCode.data);
    expect(e.stderr).toMatch(/empty\.csv/);

    const nan = join(dir, 'nan.csv');
    writeFileSync(nan, 'timestamp,value\n2026-01-01T00:00:00Z,NaN\n2026-01-01T01:00:00Z,NaN\n');
    const n = await runCli(['forecast', '--input', nan, '--horizon', '30d']);
    expect(n.code).toBe(ExitCode.data);
    expect(n.stderr).toMatch(/no finite values|no series could be forecast/);

    const badHorizon = await runCli(['forecast', '--input', `${DATA}monthly-storage.csv`, '--horizon', '3 months']);
    expect(badHorizon.code).toBe(ExitCode.usage);
    expect(badHorizon.stderr).toMatch(/--horizon/);

    const unknown = await runCli(['forecast', '--input', `${DATA}monthly-storage.csv`, '--horizon', '3', '--frobnicate']);
    expect(unknown.code).toBe(ExitCode.usage);
    expect(unknown.stderr).toMatch(/frobnicate/);

    const badModel = await runCli(['forecast', '--input', `${DATA}monthly-storage.csv`, '--horizon', '3', '--models', 'prophet']);
    expect(badModel.code).toBe(ExitCode.usage);
    expect(badModel.stderr).toMatch(/unknown model 'prophet'/);
  });
});
