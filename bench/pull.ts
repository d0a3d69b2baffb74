import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePlan } from '../src/plan/loadPlan.js';
import { groupQuery, peakQuery } from '../src/source/prometheus/peakQuery.js';
import { alignRange, splitRange, type Window } from '../src/source/prometheus/splitRange.js';
import { runPull } from '../src/pipeline/runPull.js';
import { Store } from '../src/store/Store.js';
import { formatDuration } from '../src/time/duration.js';
import { MatrixStreamDecoder } from '../src/source/prometheus/fastMatrix.js';
import { decodeMatrix } from '../src/source/prometheus/matrix.js';
import { startPrometheusWithHistory, type SyntheticSeries } from '../test/support/prometheus.js';

const H = 3_600_000;
const DAY = 24 * H;
const SERIES = 1000;
const DAYS = 180;

/**
 * Pull throughput against a real Prometheus: 1,000 series × 180 days at 1h,
 * backfilled with promtool (744h blocks), then, in one run and against the
 * same server:
 *  - the floor: the exact query_range requests a pull makes (same query,
 *    windows and concurrency), sent with node:http, bodies read and dropped,
 *    noting when the last answer's first byte arrived (before that there is
 *    nothing to decode or store: Prometheus builds an answer whole);
 *  - capplan: `runPull` of the same plan into a fresh DuckDB file, end to end
 *    (HTTP, decoding, staging, insert, pull bookkeeping, and closing the
 *    store, whose checkpoint is part of storing);
 * and checks the windows the pull asked for are the ones the floor sent.
 * Each pair runs alternately, best of three, for the default window size and
 * a smaller one that lets fetching, decoding and storing overlap. Then, on
 * one whole answer in memory: JSON.parse + decodeMatrix against the
 * streaming decoder fed 64 KB chunks. Prints samples/s and the ratio of wall
 * times; asserts nothing.
 */
export async function benchPull(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'capplan-bench-pull-'));
  const to = Math.floor(Date.now() / H) * H;
  const from = to - DAYS * DAY;
  const series: SyntheticSeries[] = Array.from({ length: SERIES }, (_, i) => ({
    metric: 'capplan_bench_used_bytes',
    labels: { instance: `host-${String(i).padStart(4, '0')}`, cluster: `c${i % 10}` },
    // Trend plus a daily cycle, integers: what a disk fleet looks like.
    value: (t: number) => 1e10 + i * 1e7 + Math.floor((t - from) / H) * 1000 + (Math.floor(t / H) % 24) * 5000,
  }));
  try {
    const t0 = performance.now();
    const prom = await startPrometheusWithHistory({ dir, series, fromMs: from, toMs: to, intervalMs: H });
    const backfillS = (performance.now() - t0) / 1000;
    try {
      const rows: string[][] = [];
      for (const maxPoints of [11_000, 1_000]) {
        const yaml =
          `sources:\n  prom:\n    url: ${prom.url}\n    type: prometheus\n    maxPoints: ${maxPoints}\n    concurrency: 4\n` +
          `resources:\n  - {name: disk, source: prom, usage: capplan_bench_used_bytes, aggregate: max, step: 1h, lookback: ${DAYS}d}\n`;
        const plan = parsePlan(yaml, 'bench.yaml');
        const resource = plan.resources[0];
        const query = peakQuery(groupQuery(resource.usage, resource.groupBy), resource.aggregate, resource.stepMs);
        const range = alignRange(to - resource.lookbackMs, to, resource.stepMs) as { startMs: number; endMs: number };
        const windows = splitRange(range.startMs, range.endMs, resource.stepMs, maxPoints);
        let floorBest = Infinity;
        let floorBytes = 0;
        let floorStart = 0;
        let pullBest = Infinity;
        let samples = 0;
        // CPU seconds of the best round of each: Prometheus' (from /proc) and, for the pull, capplan's own (all threads, DuckDB's included).
        let floorCpu = { prom: 0, own: 0 };
        let pullCpu = { prom: 0, own: 0 };
        for (let round = 0; round < 3; round++) {
          let cpu = cpuMeter(prom.pid);
          const f0 = performance.now();
          const fetched = await bareFetch(prom.url, query, windows, resource.stepMs, plan.sources.prom.concurrency);
          const f = performance.now() - f0;
          floorBytes = fetched.bytes;
          if (f < floorBest) [floorBest, floorCpu, floorStart] = [f, cpu(), fetched.lastStartMs];

          const dbDir = mkdtempSync(join(dir, 'db-'));
          const store = await Store.open(join(dbDir, 'bench.duckdb'));
          let closed = false;
          try {
            cpu = cpuMeter(prom.pid);
            const asked: Window[] = [];
            const p0 = performance.now();
            const { pulls, failures } = await runPull(plan, store, { nowMs: to, onProgress: (e) => asked.push(e.window) });
            store.close();
            closed = true;
            const p = performance.now() - p0;
            if (p < pullBest) [pullBest, pullCpu] = [p, cpu()];
            if (failures.length > 0) throw failures[0].error;
            samples = pulls[0].inserted;
            const same = asked.length === windows.length && asked.every((w, k) => w.startMs === windows[k].startMs && w.endMs === windows[k].endMs);
            if (!same) throw new Error(`the pull asked for ${asked.length} windows, the floor sent ${windows.length}: the floor must send the pull's requests`);
          } finally {
            if (!closed) store.close();
            rmSync(dbDir, { recursive: true, force: true });
          }
        }
        const rate = (ms: number) => `${(samples / (ms / 1000) / 1e6).toFixed(2)} M/s`;
        rows.push([
          `${maxPoints.toLocaleString('en-US')} points/request (${windows.length} request${windows.length > 1 ? 's' : ''}, 4 in flight)`,
          samples.toLocaleString('en-US'),
          `${(floorBytes / 1e6).toFixed(0)} MB`,
          `${(floorBest / 1000).toFixed(2)} s`,
          `${(floorStart / 1000).toFixed(2)} s`,
          rate(floorBest),
          `${(pullBest / 1000).toFixed(2)} s`,
          rate(pullBest),
          `${(pullBest / floorBest).toFixed(2)}×`,
          `${floorCpu.prom.toFixed(1)} + ${floorCpu.own.toFixed(1)}`,
          `${pullCpu.prom.toFixed(1)} + ${pullCpu.own.toFixed(1)}`,
        ]);
      }
      const decode = await decodeComparison(prom.url, 'capplan_bench_used_bytes', to, DAYS * DAY);
      console.log(`\n## Pull from Prometheus ${prom.version} (${SERIES.toLocaleString('en-US')} series × ${DAYS} d at 1h, max_over_time)\n`);
      console.log(`Backfill (OpenMetrics + promtool --max-block-duration=744h, start): ${backfillS.toFixed(1)} s. Best of 3, alternating.`);
      console.log(`CPU s = Prometheus + this process (all threads). Machine: ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at the end.\n`);
      console.log(
        "Last answer starts: when, in the bare fetch, the last answer's first byte arrived (Prometheus builds an answer whole before sending it; a pull can only start on it then).\n",
      );
      console.log('| case | samples | body | bare fetch | last answer starts | floor rate | capplan pull | capplan rate | capplan / floor | floor CPU s | pull CPU s |');
      console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
      for (const r of rows) console.log(`| ${r.join(' | ')} |`);
      console.log(
        `\nDecoding one whole answer (${(decode.bytes / 1e6).toFixed(0)} MB, ${decode.samples.toLocaleString('en-US')} samples), best of 3: ` +
          `JSON.parse + decodeMatrix ${decode.jsonMs.toFixed(0)} ms, streaming decoder in 64 KB chunks ${decode.streamMs.toFixed(0)} ms ` +
          `(${(decode.jsonMs / decode.streamMs).toFixed(1)}× faster), same values: ${decode.same}.`,
      );
    } finally {
      await prom.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts counting CPU time; the returned function gives seconds used since, by the process `pid` and by this one. */
function cpuMeter(pid: number): () => { prom: number; own: number } {
  const ticks = () => {
    try {
      // Fields 14 and 15 of /proc/PID/stat (after the parenthesised name): utime and stime, in clock ticks (100 Hz on Linux).
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(f[11]) + Number(f[12]);
    } catch {
      return NaN;
    }
  };
  const p0 = ticks();
  const o0 = process.cpuUsage();
  return () => {
    const o = process.cpuUsage(o0);
    return { prom: (ticks() - p0) / 100, own: (o.user + o.system) / 1e6 };
  };
}

/**
 * The pull's requests, `concurrency` at a time, as bare form POSTs; bodies read and dropped. Returns bytes received and
 * when (ms after the start) the last answer began to arrive: Prometheus builds a whole answer before sending it, so
 * until then the client has nothing to work on.
 */
async function bareFetch(url: string, query: string, windows: readonly Window[], stepMs: number, concurrency: number): Promise<{ bytes: number; lastStartMs: number }> {
  const t0 = performance.now();
  let next = 0;
  let bytes = 0;
  let lastStartMs = 0;
  const agent = new Agent({ keepAlive: true });
  const one = (w: Window) =>
    new Promise<void>((resolve, reject) => {
      const body = new URLSearchParams({ query, start: String(w.startMs / 1000), end: String(w.endMs / 1000), step: formatDuration(stepMs) }).toString();
      const req = request(
        `${url}/api/v1/query_range`,
        { method: 'POST', agent, headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) } },
        (res) => {
          let started = false;
          res.on('data', (c: Buffer) => {
            if (!started) lastStartMs = Math.max(lastStartMs, performance.now() - t0);
            started = true;
            bytes += c.length;
          });
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    while (next < windows.length) await one(windows[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, windows.length) }, worker));
  agent.destroy();
  return { bytes, lastStartMs };
}

/**
 * One whole answer (the max_over_time query over the lookback at 1h, one
 * request) fetched into memory, then decoded both ways, best of three:
 * JSON.parse of the text followed by decodeMatrix (the general path), and the
 * streaming decoder fed 64 KB chunks (what a pull does as bytes arrive).
 */
async function decodeComparison(url: string, metric: string, toMs: number, lookbackMs: number) {
  const body = new URLSearchParams({ query: `max_over_time(${metric}[1h])`, start: String((toMs - lookbackMs) / 1000), end: String(toMs / 1000), step: '1h' });
  const res = await fetch(`${url}/api/v1/query_range`, { method: 'POST', body, headers: { 'Accept-Encoding': 'identity' } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  let jsonMs = Infinity;
  let streamMs = Infinity;
  let reference: ReturnType<typeof decodeMatrix> = [];
  let streamed: ReturnType<typeof decodeMatrix> = [];
  for (let round = 0; round < 3; round++) {
    const j0 = performance.now();
    reference = decodeMatrix((JSON.parse(new TextDecoder().decode(bytes)) as { data: unknown }).data);
    jsonMs = Math.min(jsonMs, performance.now() - j0);
    const s0 = performance.now();
    const decoder = new MatrixStreamDecoder(Math.round(lookbackMs / H) + 1);
    for (let at = 0; at < bytes.length; at += 65_536) decoder.push(bytes.subarray(at, at + 65_536));
    streamed = decoder.end()?.series ?? [];
    streamMs = Math.min(streamMs, performance.now() - s0);
  }
  const same =
    streamed.length === reference.length &&
    streamed.every((s, k) => s.values.length === reference[k].values.length && s.values.every((v, i) => Object.is(v, reference[k].values[i]) && s.timestamps[i] === reference[k].timestamps[i]));
  return { bytes: bytes.length, samples: reference.reduce((n, s) => n + s.values.length, 0), jsonMs, streamMs, same };
}
