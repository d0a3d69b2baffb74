import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, requireBinary, stop, type SyntheticSeries } from './prometheus.js';

export interface VictoriaMetricsOptions {
  /** Working directory: the storage goes here. */
  readonly dir: string;
  readonly series: readonly SyntheticSeries[];
  /** First sample (ms UTC). */
  readonly fromMs: number;
  /** Samples run while t < toMs. */
  readonly toMs: number;
  readonly intervalMs: number;
}

export interface RunningVictoriaMetrics {
  readonly url: string;
  readonly version: string;
  /** query_range requests the server has answered so far (from its own /metrics; takes 1.5 s). */
  queryRangeRequests(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A real single-node VictoriaMetrics (Debian's `victoria-metrics`) on a free
 * loopback port with a 100-year retention, holding the given history:
 * imported as Prometheus text with millisecond timestamps through
 * /api/v1/import/prometheus, then flushed so queries see all of it. Fails,
 * never skips, when the binary is missing.
 */
export async function startVictoriaMetricsWithHistory(options: VictoriaMetricsOptions): Promise<RunningVictoriaMetrics> {
  const version = requireVictoriaMetrics();
  const dataDir = join(options.dir, 'vmdata');
  mkdirSync(dataDir, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const proc = spawn(
      'victoria-metrics',
      [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${dataDir}`, '-retentionPeriod=100y', '-loggerLevel=ERROR'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    proc.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    const url = `http://127.0.0.1:${port}`;
    if (await waitHealthy(url, () => proc.exitCode !== null, 30_000)) {
      await importHistory(url, options);
      return {
        url,
        version,
        queryRangeRequests: async () => {
          // VictoriaMetrics renders /metrics at most about once a second: wait past that so the count is current.
          await new Promise((r) => setTimeout(r, 1_500));
          const text = await (await fetch(`${url}/metrics`)).text();
          return Number(/^vm_http_requests_total\{path="\/api\/v1\/query_range"\} (\d+)/m.exec(text)?.[1] ?? 0);
        },
        stop: () => stop(proc),
      };
    }
    await stop(proc);
    if (attempt >= 2 || !/address already in use/.test(stderr)) throw new Error(`victoria-metrics did not become healthy at ${url}:\n${stderr}`);
  }
}

/** Sends the history in chunks of Prometheus text lines (ms timestamps), then forces a flush so every sample is searchable. */
async function importHistory(url: string, o: VictoriaMetricsOptions): Promise<void> {
  let lines: string[] = [];
  const send = async () => {
    if (lines.length === 0) return;
    const res = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body: `${lines.join('\n')}\n` });
    if (res.status !== 204) throw new Error(`victoria-metrics import: HTTP ${res.status}: ${await res.text()}`);
    lines = [];
  };
  for (const s of o.series) {
    const labels = Object.entries(s.labels)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',');
    for (let t = o.fromMs; t < o.toMs; t += o.intervalMs) {
      const v = s.value(t);
      if (!Number.isNaN(v)) lines.push(`${s.metric}{${labels}} ${v} ${t}`);
      if (lines.length >= 50_000) await send();
    }
  }
  await send();
  const flushed = await fetch(`${url}/internal/force_flush`);
  if (!flushed.ok) throw new Error(`victoria-metrics force_flush: HTTP ${flushed.status}`);
}

function requireVictoriaMetrics(): string {
  try {
    return requireBinary('victoria-metrics');
  } catch {
    throw new Error('victoria-metrics is not on PATH; install it with: apt-get install -y --no-install-recommends victoria-metrics');
  }
}

async function waitHealthy(url: string, exited: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) return false;
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
