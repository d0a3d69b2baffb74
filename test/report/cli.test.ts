import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/Store.js';
import { goldenStore, NOW } from '../golden/fixture.js';
import { runCli } from '../support/runCli.js';

describe('capplan report', () => {
  let dir: string;
  let db: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capplan-report-cli-'));
    db = await goldenStore(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const report = (args: string[]) => runCli(['report', '--db', db, ...args], { nowMs: NOW, cwd: dir });

  it('--quarter picks the period, titles the summary with it and names the file after it', async () => {
    const run = await report(['--quarter', '2027-Q1', '--tz', 'Europe/Berlin']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('### Report quarter: 2027-Q1 (at risk by 2027-03-31)');
    expect(run.stdout).toContain('### Following quarter: 2027-Q2 (2027-04-01 – 2027-06-30)');
    expect(run.stdout).not.toContain('This quarter');
    const file = await report(['--quarter', '2027-Q1', '--tz', 'Europe/Berlin', '--out', join(dir, 'q') + '/', '--charts', '0']);
    expect(file.stderr).toMatch(/report written to .*headroom-2027-Q1\.md/);
    const current = await report(['--tz', 'Europe/Berlin']);
    expect(current.stdout).toContain('### This quarter: 2026-Q4');
    expect(run.stdout).toContain('> **Note:** The forecast horizon ends 2027-02-22, before 2027-Q1 ends');
  });

  it('--from/--to give a custom period', async () => {
    const run = await report(['--from', '2026-12-01', '--to', '2026-12-20', '--format', 'json']);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { period: { kind: string; label: string }; summary: { buckets: { label: string; items: { shortName: string }[] }[] } };
    expect(doc.period).toMatchObject({ kind: 'range', label: '2026-12-01 – 2026-12-20' });
    expect(doc.summary.buckets[0].items.map((i) => i.shortName)).toEqual(['full-01 /data', 'db-07 /data']);
    expect(doc.summary.buckets[1].label).toBe('2026-12-21 – 2027-01-09');
    expect(doc.summary.buckets[1].items.map((i) => i.shortName)).toEqual(['db-08 /data']);
  });

  it('--out DIR/ writes headroom-<date>.<ext> into it; --charts 0 leaves charts out', async () => {
    const out = join(dir, 'out') + '/';
    const run = await report(['--format', 'html', '--out', out, '--charts', '0']);
    expect(run.code).toBe(0);
    const path = join(dir, 'out', 'headroom-2026-11-24.html');
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path, 'utf8')).not.toContain('<svg');
    const csv = await report(['--format', 'csv', '--group-by', 'host']);
    expect(csv.stdout.split('\n')[0]).toContain(',group,at_risk_in,action,labels');
    expect(csv.stdout).toContain(',db-07,2026-Q4,');
  });

  it('rejects bad flags with usage errors', async () => {
    for (const [args, message] of [
      [['--quarter', '2027Q9'], /--quarter: expected YYYY-QN/],
      [['--quarter', '2027-Q1', '--from', '2027-01-01'], /cannot be combined/],
      [['--from', '2027-01-01'], /--from and --to go together/],
      [['--from', '2027-02-01', '--to', '2027-01-01'], /--from not after --to/],
      [['--format', 'pdf'], /--format pdf: also give --out FILE/],
      [['--tz', 'Mars/Olympus'], /unknown time zone/],
      [['--run', '99'], /--run 99: no such forecast run/],
      [['--email', 'not-an-address'], /'not-an-address' is not an email address/],
      [['--charts', '-1'], /expected a whole number/],
    ] as [string[], RegExp][]) {
      const run = await report(args);
      expect(run.stderr, args.join(' ')).toMatch(message);
      expect(run.code, args.join(' ')).toBe(2);
    }
  });

  it('an empty database gives a report that says so, in every format', async () => {
    const empty = join(dir, 'empty.duckdb');
    (await Store.open(empty)).close();
    for (const format of ['md', 'html', 'json', 'csv']) {
      const run = await runCli(['report', '--db', empty, '--format', format], { nowMs: NOW });
      expect(run.code).toBe(0);
      if (format === 'md' || format === 'html') expect(run.stdout).toMatch(/No forecast run found/);
      if (format === 'json') expect(JSON.parse(run.stdout)).toMatchObject({ run: null, resources: [], charts: [] });
      if (format === 'csv') expect(run.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    }
  });
});
