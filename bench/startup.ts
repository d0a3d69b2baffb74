import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/capplan.js');
const ROUNDS = 9;

/** Wall time of one child process, in ms; fails loudly when the command fails. */
function timed(args: readonly string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};

/**
 * Start-up: `capplan --version`, `--help` and a one-line `capplan sql` as whole
 * processes, against `node -e 0` (the floor: Node's own start) timed in the
 * same rounds, interleaved so the machine's load falls on all alike.
 * Targets (issue 15): --version ≤ 3× the floor, --help ≤ 4×, sql ≤ 0.5 s;
 * DuckDB's own load and open, timed alike, is the floor under any SQL.
 */
export async function benchStartup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'capplan-startup-'));
  try {
    const db = join(dir, 'd.duckdb');
    timed([BIN, 'sql', '--db', db, '--write', 'select 1']); // creates the database (migrations) once
    const cases: { name: string; args: string[]; target: string; check: (ms: number, floor: number) => boolean }[] = [
      { name: 'node -e 0 (floor)', args: ['-e', '0'], target: '', check: () => true },
      { name: 'capplan --version', args: [BIN, '--version'], target: '≤ 3× floor', check: (ms, f) => ms <= 3 * f },
      { name: 'capplan --help', args: [BIN, '--help'], target: '≤ 4× floor', check: (ms, f) => ms <= 4 * f },
      { name: 'capplan forecast --help', args: [BIN, 'forecast', '--help'], target: '≤ 4× floor', check: (ms, f) => ms <= 4 * f },
      {
        name: 'DuckDB alone: node, import @duckdb/node-api, open D read-only, select 1 (floor of any SQL)',
        args: ['--input-type=module', '-e', `const { DuckDBInstance } = await import('@duckdb/node-api'); const i = await DuckDBInstance.create(${JSON.stringify(db)}, { access_mode: 'READ_ONLY' }); const c = await i.connect(); await c.runAndReadAll('select 1'); c.closeSync(); i.closeSync();`],
        target: '',
        check: () => true,
      },
      { name: 'capplan sql --db D "select 1"', args: [BIN, 'sql', '--db', db, 'select 1'], target: '≤ 500 ms', check: (ms) => ms <= 500 },
    ];
    const times = cases.map(() => [] as number[]);
    for (let r = 0; r < ROUNDS; r++) cases.forEach((c, i) => times[i].push(timed(c.args)));
    const floor = median(times[0]);
    console.log(`\n## Start-up (whole process, median of ${ROUNDS} interleaved runs)\n`);
    console.log('| command | median | min | vs node -e 0 | target | met |');
    console.log('|---|---:|---:|---:|---|---|');
    cases.forEach((c, i) => {
      const m = median(times[i]);
      console.log(`| ${c.name} | ${m.toFixed(0)} ms | ${Math.min(...times[i]).toFixed(0)} ms | ${(m / floor).toFixed(2)}× | ${c.target} | ${c.target ? (c.check(m, floor) ? 'yes' : 'NO') : ''} |`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
