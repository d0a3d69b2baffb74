import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './prometheus.js';

/** A server started for a test on a loopback port chosen at run time. */
export interface LiveServer {
  readonly url: string;
  /** `127.0.0.1:PORT`, as a scrape target. */
  readonly address: string;
  readonly pid: number;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts a binary that takes `--web.listen-address` (prometheus, pushgateway,
 * node-exporter) on a free loopback port and waits until `readyPath` answers.
 * Retries on a port taken between probing and binding. Fails, never skips,
 * when the binary is missing (`.ci/run` installs them).
 */
export async function startServer(binary: string, args: readonly string[], readyPath: string): Promise<LiveServer> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const proc = spawn(binary, [...args, `--web.listen-address=${address}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let spawnError: Error | null = null;
    proc.on('error', (err) => (spawnError = err));
    proc.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-8000)));
    const url = `http://${address}`;
    const ready = await waitReady(`${url}${readyPath}`, proc, 30_000);
    if (spawnError) throw new Error(`${binary} could not start (${(spawnError as Error).message}); apt-get install -y --no-install-recommends prometheus prometheus-pushgateway prometheus-node-exporter`);
    if (ready) return { url, address, pid: proc.pid as number, stderr: () => stderr, stop: () => stop(proc) };
    await stop(proc);
    if (attempt >= 2 || !/address already in use/.test(stderr)) throw new Error(`${binary} did not become ready at ${url}:\n${stderr}`);
  }
}

/** A real Pushgateway (Debian `prometheus-pushgateway`), no persistence. */
export function startPushgateway(): Promise<LiveServer> {
  // Debian's build persists to /var/lib/prometheus/pushgateway.data by default, shared by every instance: keep none.
  return startServer('prometheus-pushgateway', ['--persistence.file=', '--log.level=warn'], '/-/ready');
}

/** A real node-exporter (Debian `prometheus-node-exporter`) with a handful of cheap collectors. */
export function startNodeExporter(): Promise<LiveServer> {
  return startServer('prometheus-node-exporter', ['--collector.disable-defaults', '--collector.loadavg', '--collector.time', '--log.level=warn'], '/metrics');
}

/** A real Prometheus with `config` (YAML text) written into `dir`, its TSDB in `dataDir` (default `dir/tsdb`). */
export function startPrometheus(dir: string, config: string, o: { dataDir?: string; args?: readonly string[] } = {}): Promise<LiveServer> {
  const dataDir = o.dataDir ?? join(dir, 'tsdb');
  mkdirSync(dataDir, { recursive: true });
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, config);
  return startServer('prometheus', [`--config.file=${file}`, `--storage.tsdb.path=${dataDir}`, '--log.level=warn', ...(o.args ?? ['--storage.tsdb.retention.time=10y'])], '/-/ready');
}

/** An instant query's result vector. */
export async function instant(prom: LiveServer, query: string, time?: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const body = new URLSearchParams({ query, ...(time === undefined ? {} : { time: String(time) }) });
  const res = await fetch(`${prom.url}/api/v1/query`, { method: 'POST', body });
  const json = (await res.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (json.status !== 'success') throw new Error(`query ${query}: ${json.error}`);
  return json.data.result;
}

/** Polls `check` every 250 ms until it returns a value other than undefined, or fails after `timeoutMs` saying what it waited for. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

async function waitReady(url: string, proc: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) return false;
    try {
      const res = await fetch(url);
      if (res.ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
