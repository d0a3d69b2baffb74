import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Store } from '../src/store/Store.js';
import { filesystemFleet, filesystemFleetPlan } from '../test/support/filesystemFleet.js';
import { startPrometheusWithHistory } from '../test/support/prometheus.js';

const H = 3_600_000;
const DAY = 24 * H;
const BIN = fileURLToPath(new URL('../../bin/capplan.js', import.meta.url));
const TIME = '/usr/bin/time';

interface Step {
  readonly name: string;
  readonly args: readonly string[];
  readonly seconds: number;
  readonly peakRssMiB: number | null;
  readonly code: number | null;
}

/**
 * The whole job at fleet size through the real CLI, as cron runs it: a real
 * Prometheus holding `CAPPLAN_BENCH_FLEET` filesystems (default 2,000; usage
 * and capacity, 90 days at 6h, backfilled with promtool), then `capplan pull`
 * (plan file, daily peaks), `capplan forecast --db` and `capplan report
 * --format json`, each a process of its own under `/usr/bin/time -v` for its
 * wall time and peak RSS. Prints the series each step saw (pulled usage
 * series, forecast, in the report), which must be equal; asserts nothing.
 */
export async function benchFleet(): Promise<void> {
  const series = Number(process.env.CAPPLAN_BENCH_FLEET ?? 2000);
  const work = mkdtempSync(join(tmpdir(), 'capplan-bench-fleet-'));
  const to = Math.floor(Date.now() / H) * H;
  const from = to - 90 * DAY;
  const t0 = performance.now();
  const prom = await startPrometheusWithHistory({ dir: work, series: filesystemFleet(series, from), fromMs: from, toMs: to, intervalMs: 6 * H });
  const backfillS = (performance.now() - t0) / 1000;
  try {
    const db = join(work, 'fleet.duckdb');
    const plan = join(work, 'plan.yaml');
    const report = join(work, 'report.json');
    writeFileSync(plan, filesystemFleetPlan(prom.url, 85));
    const steps: Step[] = [
      run('pull', ['pull', '--db', db, '--plan', plan]),
      run('forecast', ['forecast', '--db', db, '--horizon', '90d', '--plan', plan]),
      run('report', ['report', '--db', db, '--format', 'json', '--out', report]),
    ];
    const store = await Store.open(db, { readOnly: true });
    const pulled = Number((await store.query(`SELECT count(*) FROM series WHERE metric = 'usage'`)).rows[0][0]);
    const pulledAll = Number((await store.query(`SELECT count(*) FROM series`)).rows[0][0]);
    const samples = Number((await store.query(`SELECT count(*) FROM samples`)).rows[0][0]);
    const [runStatus, expected, forecast, failed] = (await store.query(`SELECT status, expected_count, forecast_count, failed_count FROM forecast_runs ORDER BY run_id DESC LIMIT 1`)).rows[0];
    store.close();
    const reported = existsSync(report) ? (JSON.parse(readFileSync(report, 'utf8')) as { resources: unknown[] }).resources.length : 0;

    console.log(`\n## The whole job at fleet size: ${series.toLocaleString('en-US')} filesystems from Prometheus ${prom.version} through the CLI\n`);
    console.log(`Backfill and start (promtool, 744h blocks): ${backfillS.toFixed(1)} s. Machine: ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at the end.`);
    console.log(`Pulled ${pulledAll.toLocaleString('en-US')} series (${pulled.toLocaleString('en-US')} usage, ${(pulledAll - pulled).toLocaleString('en-US')} capacity), ${samples.toLocaleString('en-US')} samples; forecast run ${String(runStatus)}: expected ${String(expected)}, forecast ${String(forecast)}, failed ${String(failed)}; report: ${reported} series.\n`);
    console.log('| step | command | exit | wall s | peak RSS MiB |');
    console.log('|---|---|---:|---:|---:|');
    for (const s of steps) {
      const shown = s.args.map((a) => a.replace(work, '$WORK')).join(' ');
      console.log(`| ${s.name} | \`capplan ${shown}\` | ${s.code} | ${s.seconds.toFixed(1)} | ${s.peakRssMiB === null ? '—' : s.peakRssMiB.toFixed(0)} |`);
    }
  } finally {
    await prom.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** One CLI process, under GNU time when present (peak RSS from "Maximum resident set size"). */
function run(name: string, args: readonly string[]): Step {
  const timed = existsSync(TIME);
  const t0 = performance.now();
  const r = timed
    ? spawnSync(TIME, ['-v', process.execPath, BIN, ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } })
    : spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  const seconds = (performance.now() - t0) / 1000;
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '')?.[1];
  if (r.status !== 0) process.stderr.write(`${name} exited ${r.status}: ${(r.stderr ?? '').split('\n').slice(0, 5).join('\n')}\n`);
  return { name, args, seconds, peakRssMiB: kb ? Number(kb) / 1024 : null, code: r.status };
}
