import { main } from '../../src/cli/main.js';
import type { CliContext } from '../../src/cli/CliContext.js';
import { FROZEN_NOW } from './clock.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with captured output, a frozen clock and a given cwd. */
export async function runCli(args: readonly string[], opts: { nowMs?: number; cwd?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    stdout: { write: (s) => void (stdout += s), isTTY: false },
    stderr: { write: (s) => void (stderr += s), isTTY: false },
    env: opts.env ?? {},
    now: () => opts.nowMs ?? FROZEN_NOW,
    cwd: opts.cwd ?? process.cwd(),
    setExitCode: () => undefined,
  };
  const code = await main(['node', 'capplan', ...args], ctx);
  return { code, stdout, stderr };
}
