import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFleet } from '../src/demo/generateFleet.js';
import { Store } from '../src/store/Store.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/capplan.js');
const SERIES = Number(process.env.CAPPLAN_BENCH_FLEET_SERIES ?? 10_000);
const DAYS = 180;
const END_MS = Date.UTC(2026, 10, 1);

/**
 * A database of SERIES hourly series × 180 days from the demo generator
 * (varied seeds), stored as a pull would store them. Kept in the temp
 * directory between runs (43 M samples take a minute to write); rebuilt when
 * it does not hold what it should.
 */
async function fleetDatabase(): Promise<{ path: string; built: number | null }> {
  const path = join(tmpdir(), `capplan-bench-fleet-${SERIES}x${DAYS}d.duckdb`);
  if (existsSync(path)) {
    const store = await Store.open(path, { now: () => END_MS });
    try {
      // The generator's gaps (NaN) are not stored, so the sample count is a little under SERIES × DAYS × 24.
      const [[series, finished]] = (await store.query(`SELECT (SELECT count(DISTINCT series_id) FROM samples), (SELECT count(*) FROM pulls WHERE source = 'bench' AND status = 'ok')`)).rows;
      if (Number(series) === SERIES && Number(finished) === 1) return { path, built: null };
    } finally {
      store.close();
    }
    throw new Error(`${path} exists but is not a finished bench database of ${SERIES} series: remove it`);
  }
  const t0 = performance.now();
  const store = await Store.open(path, { now: () => END_MS });
  try {
    const resources = new Set<string>();
    const pullId = await store.beginPull({ source: 'bench', query: 'generated fleet', rangeStartMs: END_MS - DAYS * 86_400_000, rangeEndMs: END_MS, stepMs: 3_600_000, resolution: 'raw' });
    let written = 0;
    let inserted = 0;
    for (let seed = 1; written < SERIES; seed++) {
      const fleet = generateFleet({ endMs: END_MS, seed, historyDays: DAYS }).slice(0, SERIES - written);
      for (const s of fleet) {
        if (!resources.has(s.resource)) {
          resources.add(s.resource);
          await store.upsertResource({ resource: s.resource, unit: s.unit, direction: 'rising', description: null });
        }
      }
      const result = await store.writeSamples(
        pullId,
        fleet.map((s) => ({
          key: { resource: s.resource, metric: s.metric, labels: { ...s.labels, seed: String(seed) } },
          resolutionS: 3600,
          timestamps: s.timestamps,
          values: s.values,
          meta: { unit: s.unit, capacity: s.capacity, description: s.description },
        })),
      );
      written += fleet.length;
      inserted += result.inserted;
    }
    await store.finishPull(pullId, { status: 'ok', seriesCount: written, sampleCount: inserted });
  } finally {
    store.close();
  }
  return { path, built: (performance.now() - t0) / 1000 };
}

/**
 * The fleet forecast as cron runs it: `capplan forecast --db` over SERIES
 * hourly series × 180 days, 90 days ahead, whole process on every core, wall
 * time and peak RSS (GNU time's maximum resident set, worker threads
 * included). Targets (issue 15): < 60 s on 2 cores, RSS < 1.5 GB.
 *
 * Also the process's CPU time (user + system, every thread, DuckDB's
 * included) and that divided by the cores: the wall time the run would take
 * on otherwise idle cores if it kept them all busy. On a shared machine the
 * wall time mostly measures the other load (the load average is printed
 * with it); the CPU time moves much less with it.
 */
export async function benchFleetForecast(): Promise<void> {
  const db = await fleetDatabase();
  const time = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const args = [BIN, 'forecast', '--db', db.path, '--horizon', '90d'];
  const loadBefore = loadavg()[0];
  const t0 = performance.now();
  const r = time
    ? spawnSync(time, ['-f', 'maxrss_kib=%M cpu_s=%U+%S', process.execPath, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`capplan forecast --db exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const rssKib = Number(/maxrss_kib=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  const cpuParts = /cpu_s=([\d.]+)\+([\d.]+)/.exec(r.stderr);
  const cpu = cpuParts ? Number(cpuParts[1]) + Number(cpuParts[2]) : NaN;
  const cores = availableParallelism();
  const summary = /forecast run #\d+: \d+ series, \d+ failed/.exec(r.stdout)?.[0] ?? r.stdout.split('\n')[0];
  console.log(`\n## Fleet forecast, \`capplan forecast --db\` (${SERIES.toLocaleString('en-US')} hourly series × ${DAYS} days, horizon 90 d, ${availableParallelism()} cores)\n`);
  console.log('| figure | value | target | met |');
  console.log('|---|---:|---|---|');
  console.log(`| wall time, whole process | ${seconds.toFixed(1)} s | < 60 s | ${seconds < 60 ? 'yes' : 'NO'} |`);
  console.log(`| series per second | ${(SERIES / seconds).toFixed(0)} | | |`);
  if (Number.isFinite(cpu)) {
    console.log(`| CPU time, all threads (user + system) | ${cpu.toFixed(1)} s (${((1000 * cpu) / SERIES).toFixed(1)} ms per series) | | |`);
    console.log(`| CPU time ÷ ${cores} cores: the wall time's floor on idle cores | ${(cpu / cores).toFixed(1)} s | | |`);
  }
  console.log(`| peak RSS | ${Number.isFinite(rssKib) ? `${(rssKib / 2 ** 20).toFixed(2)} GiB` : 'not measured (no /usr/bin/time)'} | < 1.5 GB | ${Number.isFinite(rssKib) ? (rssKib * 1024 < 1.5e9 ? 'yes' : 'NO') : ''} |`);
  console.log(`\nLoad average (1 min) when the run started: ${loadBefore.toFixed(1)}, after: ${loadavg()[0].toFixed(1)} on ${cores} cores.`);
  console.log(`\n${summary}${db.built === null ? ' (database reused from an earlier run)' : `; database of ${(SERIES * DAYS * 24 / 1e6).toFixed(1)} M samples written in ${db.built.toFixed(0)} s`}.`);
  // A count that does not add up is a failure, never a figure.
  const forecast = Number(/forecast run #\d+: (\d+) series/.exec(r.stdout)?.[1] ?? NaN);
  if (forecast !== SERIES) {
    console.log(`\n**INVALID: the run forecast ${forecast} of the ${SERIES.toLocaleString('en-US')} stored series; the figures above do not measure the fleet.**`);
    process.exitCode = 1;
  }
}
