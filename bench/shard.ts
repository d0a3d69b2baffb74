import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Store } from '../src/store/Store.js';

const DAY = 86_400_000;
const BIN = fileURLToPath(new URL('../../bin/capplan.js', import.meta.url));

interface Timed {
  readonly seconds: number;
  readonly stdout: string;
}

/** Runs `capplan ARGS` as its own process and times it; fails on a non-zero exit. */
async function capplan(args: readonly string[], env: Record<string, string> = {}): Promise<Timed> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TZ: 'UTC', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(proc, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`capplan ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  return { seconds: (performance.now() - t0) / 1000, stdout };
}

/** A pulled fleet of `series` daily series (180 days: trend, weekly cycle, noise), as `capplan pull` would store it. */
async function storeFleet(path: string, series: number): Promise<void> {
  const store = await Store.open(path);
  await store.upsertResource({ resource: 'disk', unit: 'bytes', direction: 'rising' });
  const days = 180;
  const end = Date.UTC(2026, 10, 1);
  const timestamps = Float64Array.from({ length: days }, (_, k) => end - (days - 1 - k) * DAY);
  const pull = await store.beginPull({ source: 'bench', resource: 'disk' });
  for (let from = 0; from < series; from += 500) {
    const batch = [];
    for (let i = from; i < Math.min(series, from + 500); i++) {
      const values = timestamps.map((_, k) => 1e11 + i * 1e7 + k * (1e8 + (i % 17) * 1e7) + 3e8 * Math.sin((2 * Math.PI * k) / 7) + ((k * 7919 + i * 104729) % 1013) * 1e5);
      batch.push({ key: { resource: 'disk', metric: 'used_bytes', labels: { host: `host-${i}`, cluster: `c${i % 20}` } }, resolutionS: 86_400, timestamps, values, meta: { capacity: 1e12, unit: 'bytes' } });
    }
    await store.writeSamples(pull, batch);
  }
  await store.finishPull(pull, { status: 'ok', seriesCount: series, sampleCount: series * days });
  store.close();
}

const withoutClock = (json: string) => json.replace(/"generatedAt": "[^"]*"/, '');

/**
 * `npm run bench -- shard`: wall time of a sharded forecast (N processes with
 * JOB_COMPLETION_INDEX, as an Indexed Job's pods, writing the Parquet dataset,
 * then `report --from-parquet`) against one process on the same fleet, and
 * whether the two reports are identical. Extrapolates to 1,000,000 series on
 * 50 pods from the per-series costs measured here.
 */
export async function benchShard(): Promise<void> {
  const series = Number(process.env.CAPPLAN_BENCH_SHARD_SERIES ?? 10_000);
  const cores = availableParallelism();
  const dir = mkdtempSync(join(tmpdir(), 'capplan-bench-shard-'));
  try {
    const base = join(dir, 'base.duckdb');
    await storeFleet(base, series);
    const horizon = ['--horizon', '90d'];

    const single = join(dir, 'single.duckdb');
    copyFileSync(base, single);
    const one = await capplan(['forecast', '--db', single, ...horizon]);
    const oneCount = Number(/: (\d+) series/.exec(one.stdout)?.[1]);
    const oneReport = await capplan(['report', '--db', single, '--format', 'json', '--out', join(dir, 'single.json')]);

    const rows: string[] = [`| one process (${cores} worker threads) | ${oneCount} | ${one.seconds.toFixed(1)} | ${oneReport.seconds.toFixed(1)} | ${(one.seconds + oneReport.seconds).toFixed(1)} | — |`];
    const figures: { n: number; shardSeconds: number; assembleSeconds: number }[] = [];
    for (const n of (process.env.CAPPLAN_BENCH_SHARDS ?? '2,4').split(',').map(Number)) {
      const workers = String(Math.max(1, Math.floor(cores / n)));
      const dataset = join(dir, `dataset-${n}`);
      const t0 = performance.now();
      const shards = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          capplan(['forecast', '--db', base, ...horizon, '--shard', 'auto', '--out-parquet', dataset, '--parquet-run', 'bench', '--workers', workers], {
            JOB_COMPLETION_INDEX: String(i),
            CAPPLAN_SHARD_COUNT: String(n),
          }),
        ),
      );
      const shardSeconds = (performance.now() - t0) / 1000;
      const count = shards.reduce((s, r) => s + Number(/: (\d+) series/.exec(r.stdout)?.[1]), 0);
      const out = join(dir, `sharded-${n}.json`);
      const assemble = await capplan(['report', '--from-parquet', dataset, '--format', 'json', '--out', out]);
      const same = withoutClock(readFileSync(out, 'utf8')) === withoutClock(readFileSync(join(dir, 'single.json'), 'utf8'));
      figures.push({ n, shardSeconds, assembleSeconds: assemble.seconds });
      rows.push(
        `| ${n} processes × ${workers} worker thread(s) | ${count} | ${shardSeconds.toFixed(1)} | ${assemble.seconds.toFixed(1)} | ${(shardSeconds + assemble.seconds).toFixed(1)} | ${same ? 'identical' : 'DIFFERENT'} |`,
      );
    }

    console.log(`\n### Sharded run: ${series.toLocaleString('en')} daily series × 180 d, horizon 90 d, ${cores} cores\n`);
    console.log('| how | series forecast | forecast (s) | report (s) | total (s) | report vs one process |');
    console.log('|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);

    // Extrapolation: a pod of a 50-pod Job gets 1/50 of 1,000,000 series and (as here) 2 cores; the
    // shard phase scales with series per pod, the assembling step with the whole fleet.
    const perSeriesOne = one.seconds / series;
    const [two] = figures;
    const perSeriesShard = (two.shardSeconds * two.n) / series; // core-seconds of one shard process with cores/n threads, per series, × n processes
    const pods = 50;
    const fleet = 1_000_000;
    const perPod = fleet / pods;
    const podSeconds = perSeriesOne * perPod;
    const assemblePerSeries = two.assembleSeconds / series;
    console.log(`
Extrapolation to ${fleet.toLocaleString('en')} series on a ${pods}-pod Indexed Job (each pod ${cores} cores, as this machine):
- one process here: ${one.seconds.toFixed(1)} s / ${series.toLocaleString('en')} series = ${(perSeriesOne * 1000).toFixed(2)} ms per series on ${cores} cores;
  one process for the whole fleet: ${fleet.toLocaleString('en')} × ${(perSeriesOne * 1000).toFixed(2)} ms = ${((perSeriesOne * fleet) / 3600).toFixed(1)} h.
- sharded here (${two.n} processes sharing ${cores} cores): ${two.shardSeconds.toFixed(1)} s, i.e. ${(perSeriesShard * 1000).toFixed(2)} ms per series per process (sharding overhead: ${(((two.shardSeconds - one.seconds) / one.seconds) * 100).toFixed(0)}% on the same cores).
- per pod: ${perPod.toLocaleString('en')} series × ${(perSeriesOne * 1000).toFixed(2)} ms = ${(podSeconds / 60).toFixed(1)} min (pods run in parallel, given ${pods} × ${cores} cores).
- assembling: ${two.assembleSeconds.toFixed(1)} s for ${series.toLocaleString('en')} series = ${(assemblePerSeries * 1000).toFixed(2)} ms per series, linear in the fleet:
  ${fleet.toLocaleString('en')} × ${(assemblePerSeries * 1000).toFixed(2)} ms = ${((assemblePerSeries * fleet) / 60).toFixed(1)} min on one pod.
- total ≈ ${(podSeconds / 60).toFixed(1)} + ${((assemblePerSeries * fleet) / 60).toFixed(1)} = ${((podSeconds + assemblePerSeries * fleet) / 60).toFixed(1)} min, against ${((perSeriesOne * fleet) / 3600).toFixed(1)} h in one process (pull time not included).`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
