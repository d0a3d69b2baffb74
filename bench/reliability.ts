import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { forecastFleet, type FleetInput } from '../src/forecast/fleet.js';
import { parsePlan } from '../src/plan/loadPlan.js';
import { runPull } from '../src/pipeline/runPull.js';
import { Store } from '../src/store/Store.js';
import { peakRss } from './memory.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MiB = 2 ** 20;

export interface LoadOptions {
  /** Series pulled and forecast. Default 10,000. */
  readonly series?: number;
  /** Days of hourly history each pulled series has. Default 7 (169 points). */
  readonly pullDays?: number;
  /** Points per pull request before splitting (each window returns every series). Default 11,000: one window. */
  readonly maxPoints?: number;
  /** Daily points of each forecast series. Default 180. */
  readonly forecastDays?: number;
  /** Forecast worker threads; default one per core, at most 8. */
  readonly workers?: number;
  /** Skip one half. */
  readonly skip?: 'pull' | 'forecast';
}

export interface LoadFigures {
  readonly pull?: { readonly series: number; readonly samples: number; readonly requests: number; readonly responseMiB: number; readonly seconds: number; readonly baseRssMiB: number; readonly peakRssMiB: number };
  readonly forecast?: { readonly series: number; readonly failed: number; readonly workers: number; readonly seconds: number; readonly baseRssMiB: number; readonly peakRssMiB: number };
}

/**
 * A Prometheus API look-alike in its own process (so its memory is not
 * counted): every query_range answers `SERIES` series with a deterministic
 * value at each step, written series by series as it is generated. Prints its
 * port, then per request the bytes it sent.
 */
const FAKE_SERVER = String.raw`
import http from 'node:http';
const N = Number(process.env.SERIES);
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const form = new URLSearchParams(Buffer.concat(chunks).toString());
    if (!req.url.startsWith('/api/v1/query_range')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end('{"status":"success","data":{"version":"2.53.0"}}');
    }
    const start = Number(form.get('start')), end = Number(form.get('end'));
    const step = 3600;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    let bytes = 0;
    const write = (s) => { bytes += s.length; return res.write(s); };
    write('{"status":"success","data":{"resultType":"matrix","result":[');
    let i = 0;
    const more = () => {
      while (i < N) {
        let s = (i ? ',' : '') + '{"metric":{"instance":"host-' + i + '","device":"sd' + (i % 4) + '"},"values":[';
        for (let t = start, k = 0; t <= end; t += step, k++) s += (k ? ',' : '') + '[' + t + ',"' + (1e9 + i * 1e5 + (t / 3600 % 100000) * 1000 + (k * 7919) % 97) + '"]';
        s += ']}';
        i++;
        if (!write(s)) return res.once('drain', more);
      }
      write(']}}');
      res.end();
      process.stdout.write('sent ' + bytes + '\n');
    };
    more();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\n'));
`;

async function startFakeServer(series: number): Promise<{ url: string; sent: () => number; stop: () => Promise<void> }> {
  const proc: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', FAKE_SERVER], { env: { ...process.env, SERIES: String(series) }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! });
  let sent = 0;
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`fake server exited (${code})`)));
    lines.on('line', (l) => {
      if (l.startsWith('port ')) resolve(Number(l.slice(5)));
      if (l.startsWith('sent ')) sent += Number(l.slice(5));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    sent: () => sent,
    stop: async () => {
      proc.removeAllListeners('exit');
      proc.kill('SIGTERM');
      if (proc.exitCode === null) await once(proc, 'exit');
    },
  };
}

/** Generated daily series with trend, weekly season and noise; `i` makes each different. */
async function* generatedFleet(series: number, days: number): AsyncGenerator<FleetInput> {
  const end = Date.UTC(2026, 10, 1);
  for (let i = 0; i < series; i++) {
    const timestamps = new Float64Array(days);
    const values = new Float64Array(days);
    for (let k = 0; k < days; k++) {
      timestamps[k] = end - (days - 1 - k) * DAY;
      values[k] = 1e11 + i * 1e7 + k * (1e8 + (i % 17) * 1e7) + 3e8 * Math.sin((2 * Math.PI * k) / 7) + ((k * 7919 + i * 104729) % 1013) * 1e5;
    }
    yield { id: `series-${i}`, samples: { timestamps, values } };
  }
}

/** Pulls and forecasts a fleet, measuring wall time and peak RSS of this process (workers included). */
export async function measureLoad(options: LoadOptions = {}): Promise<LoadFigures> {
  const series = options.series ?? 10_000;
  const out: { -readonly [K in keyof LoadFigures]: LoadFigures[K] } = {};
  const dir = mkdtempSync(join(tmpdir(), 'capplan-load-'));
  try {
    if (options.skip !== 'pull') {
      const days = options.pullDays ?? 7;
      const server = await startFakeServer(series);
      try {
        const plan = parsePlan(
          `sources:\n  fake:\n    url: ${server.url}\n    type: prometheus\n    maxPoints: ${options.maxPoints ?? 11_000}\n    timeout: 10m\nresources:\n  - {name: disk, source: fake, usage: node_filesystem_used_bytes, capacity: 2e12, step: 1h, lookback: ${days}d, unit: bytes}\n`,
        );
        const nowMs = Date.UTC(2026, 10, 1);
        const store = await Store.open(join(dir, 'load.duckdb'), { now: () => nowMs });
        const baseRss = process.memoryUsage().rss;
        let requests = 0;
        const rss = peakRss();
        const t0 = performance.now();
        const r = await runPull(plan, store, { nowMs, onProgress: (e) => (requests += e.requests) });
        const seconds = (performance.now() - t0) / 1000;
        const peak = rss.stop();
        if (r.failures.length > 0) throw r.failures[0].error;
        const [[stored, ids]] = (await store.query(`SELECT count(*), count(DISTINCT series_id) FROM samples`)).rows;
        store.close();
        if (Number(ids) !== series) throw new Error(`pulled ${String(ids)} series, expected ${series}`);
        out.pull = { series, samples: Number(stored), requests, responseMiB: server.sent() / MiB, seconds, baseRssMiB: baseRss / MiB, peakRssMiB: peak / MiB };
      } finally {
        await server.stop();
      }
    }
    if (options.skip !== 'forecast') {
      const workers = options.workers ?? Math.min(8, availableParallelism());
      const baseRss = process.memoryUsage().rss;
      const rss = peakRss();
      const t0 = performance.now();
      let done = 0;
      let failed = 0;
      for await (const o of forecastFleet(generatedFleet(series, options.forecastDays ?? 180), { forecast: { horizonMs: 90 * DAY, levels: [0.8, 0.95] }, workers })) {
        done++;
        if ('error' in o) failed++;
      }
      const seconds = (performance.now() - t0) / 1000;
      out.forecast = { series: done, failed, workers, seconds, baseRssMiB: baseRss / MiB, peakRssMiB: rss.stop() / MiB };
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints the load figures as a Markdown table; `CAPPLAN_LOAD_SERIES` overrides the 10,000 series. */
export function formatLoad(f: LoadFigures): string {
  const lines = ['| job | series | samples / points | requests | answer MiB | wall s | base RSS MiB | peak RSS MiB |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
  const n = (x: number) => x.toLocaleString('en-US');
  if (f.pull) {
    const p = f.pull;
    lines.push(`| pull (fake Prometheus API, 1h step) | ${n(p.series)} | ${n(p.samples)} | ${p.requests} | ${p.responseMiB.toFixed(0)} | ${p.seconds.toFixed(1)} | ${p.baseRssMiB.toFixed(0)} | ${p.peakRssMiB.toFixed(0)} |`);
  }
  if (f.forecast) {
    const c = f.forecast;
    lines.push(`| forecast (forecastFleet, ${c.workers} workers, 90d horizon) | ${n(c.series)} (${c.failed} failed) | 180 daily each | – | – | ${c.seconds.toFixed(1)} | ${c.baseRssMiB.toFixed(0)} | ${c.peakRssMiB.toFixed(0)} |`);
  }
  return lines.join('\n');
}

/**
 * `npm run bench -- load`: a pull of 10,000 series (7 days hourly, one
 * request, ~60 MiB of JSON from a fake Prometheus API in another process) and
 * a forecast of 10,000 generated series, with wall time and peak RSS sampled
 * every 50 ms. Prints figures; asserts nothing.
 */
export async function benchLoad(): Promise<void> {
  const series = Number(process.env.CAPPLAN_LOAD_SERIES ?? 10_000);
  const figures = await measureLoad({ series });
  console.log(`\n## Load: ${series.toLocaleString('en-US')} series\n`);
  console.log(formatLoad(figures));
}
