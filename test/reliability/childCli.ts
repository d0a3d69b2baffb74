import { Prng } from '../../src/demo/prng.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The repository root, where `bin/capplan.js` runs the compiled `dist/`. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/capplan.js', import.meta.url));

/** Fails (never skips) when dist/ has not been built: child-process tests run the compiled CLI. */
export function requireBuiltCli(): void {
  if (!existsSync(fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url)))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
}

export interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly pid: number;
}

export interface RunningChild {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly done: Promise<ChildRun>;
  readonly output: () => { stdout: string; stderr: string };
}

/** Starts `node bin/capplan.js ARGS` as a real process (its own pid, its own DuckDB lock). */
export function startCli(args: readonly string[], env: Record<string, string> = {}): RunningChild {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = once(proc, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    stdout,
    stderr,
    ms: performance.now() - t0,
    pid: proc.pid ?? -1,
  }));
  return { proc, pid: proc.pid ?? -1, done, output: () => ({ stdout, stderr }) };
}

/** Runs the CLI to completion. */
export function runCliChild(args: readonly string[], env: Record<string, string> = {}): Promise<ChildRun> {
  return startCli(args, env).done;
}

/** Runs the CLI and SIGKILLs it after `afterMs` unless it has ended by then; `killed` says which happened. */
export async function killCliAfter(args: readonly string[], afterMs: number, env: Record<string, string> = {}): Promise<ChildRun & { killed: boolean }> {
  const child = startCli(args, env);
  let killed = false;
  const timer = setTimeout(() => {
    if (child.proc.exitCode === null && child.proc.signalCode === null) {
      killed = true;
      child.proc.kill('SIGKILL');
    }
  }, afterMs);
  const run = await child.done;
  clearTimeout(timer);
  return { ...run, killed: killed && run.signal === 'SIGKILL' };
}

/** A small seeded PRNG (mulberry32), so a failing kill schedule can be replayed from its seed. (the demo's own, src/demo/prng.ts) */
export function prng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}

/** Long variants (dozens of kills, 10k series, 10^7 rows) run only with CAPPLAN_LONG_TESTS=1. */
export const LONG = process.env.CAPPLAN_LONG_TESTS === '1';
