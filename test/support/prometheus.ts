import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';

/** A series to backfill: its metric, labels and value at each instant (ms), NaN where it has no sample. Values should be integers or exact decimals. */
export interface SyntheticSeries {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: (tMs: number) => number;
}

export interface HistoryOptions {
  /** Working directory: the OpenMetrics file, the TSDB and the config go here. */
  readonly dir: string;
  readonly series: readonly SyntheticSeries[];
  /** First sample (ms UTC, whole seconds). */
  readonly fromMs: number;
  /** Samples run while t < toMs. */
  readonly toMs: number;
  readonly intervalMs: number;
  /** Extra server flags, e.g. `--query.max-samples=50000`. */
  readonly extraArgs?: readonly string[];
}

export interface RunningPrometheus {
  readonly url: string;
  readonly version: string;
  /** The server's process id (benchmarks read its CPU time from /proc). */
  readonly pid: number;
  stop(): Promise<void>;
}

const INSTALL_HINT = 'install it with: apt-get install -y --no-install-recommends prometheus';

/**
 * A real Prometheus holding backfilled history: writes the series as
 * OpenMetrics, builds blocks with promtool (744h blocks, as backfilling months
 * in 2h blocks takes close to an hour), and serves them on a free loopback
 * port with a 10y retention (retention counts from the newest block, so old
 * backfill would otherwise be deleted at start-up). Fails, never skips, when
 * the binaries are missing.
 */
export async function startPrometheusWithHistory(options: HistoryOptions): Promise<RunningPrometheus> {
  const version = requireBinary('prometheus');
  requireBinary('promtool');
  const dataDir = join(options.dir, 'tsdb');
  mkdirSync(dataDir, { recursive: true });
  const input = join(options.dir, 'history.om');
  await writeOpenMetrics(input, options);
  const built = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=744h', '--quiet', input, dataDir], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (built.status !== 0) throw new Error(`promtool backfill failed (${built.status}): ${built.stderr || built.stdout}`);

  const config = join(options.dir, 'prometheus.yml');
  writeFileSync(config, 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const proc = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${dataDir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=10y',
        '--log.level=warn',
        ...(options.extraArgs ?? []),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    proc.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    const url = `http://127.0.0.1:${port}`;
    const ready = await waitReady(url, proc, 30_000);
    if (ready) return { url, version, pid: proc.pid as number, stop: () => stop(proc) };
    await stop(proc);
    // Another process may have taken the port between probing and binding; try a fresh one.
    if (attempt >= 2 || !/address already in use/.test(stderr)) throw new Error(`prometheus did not become ready at ${url}:\n${stderr}`);
  }
}

/** Writes samples series by series (OpenMetrics wants each family's lines together), timestamps in seconds, ending with `# EOF`. */
export async function writeOpenMetrics(path: string, o: HistoryOptions): Promise<void> {
  const out = createWriteStream(path);
  const families = new Map<string, SyntheticSeries[]>();
  for (const s of o.series) families.set(s.metric, [...(families.get(s.metric) ?? []), s]);
  let buf = '';
  const write = async (line: string) => {
    buf += line;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  };
  for (const [metric, series] of families) {
    await write(`# TYPE ${metric} gauge\n`);
    for (const s of series) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',');
      for (let t = o.fromMs; t < o.toMs; t += o.intervalMs) {
        const v = s.value(t);
        if (!Number.isNaN(v)) await write(`${metric}{${labels}} ${v} ${t / 1000}\n`);
      }
    }
  }
  await write('# EOF\n');
  out.end(buf);
  await once(out, 'finish');
}

export function requireBinary(name: string): string {
  const r = spawnSync(name, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`${name} is not on PATH; ${INSTALL_HINT}`);
  return /version (\S+)/.exec(r.stdout + r.stderr)?.[1] ?? 'unknown';
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

async function waitReady(url: string, proc: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) return false;
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

export async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
