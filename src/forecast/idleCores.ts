import { availableParallelism, loadavg } from 'node:os';

/**
 * A file this large is worth every core whatever the load: its workers' own
 * start-up (about 0.25 s of CPU each) is a few percent of its forecast, and
 * over a run of many seconds they use any core that frees up. About 170
 * hourly series of 180 days.
 */
export const LARGE_INPUT_BYTES = 32 * 2 ** 20;

/**
 * Worker threads worth starting to forecast a file of `bytes`: one per core
 * (at most 8) for a large file, otherwise one per idle core, 1 meaning this
 * thread alone. `load` is the 1-minute load average; a core counts as idle
 * unless more than a quarter of it is taken.
 *
 * Why not one per core always: on Linux, cores are shared between sessions
 * and services (autogroups, cgroups), not between threads, so on a machine
 * that others keep busy extra threads get no extra share. On a small file
 * they only add their own start and JIT warm-up: on the 100-series bench file
 * (20 MiB) one thread takes 1.2 s of CPU, two workers 1.6 s (bench/input.ts).
 */
export function workersFor(input: { cores: number; load: number; bytes: number }): number {
  const most = Math.max(1, Math.min(8, input.cores));
  if (input.bytes >= LARGE_INPUT_BYTES) return most;
  return Math.max(1, Math.min(most, Math.ceil(input.cores - input.load - 0.25)));
}

/** `workersFor` a file of `bytes` on this machine, now. */
export function workersForFile(bytes: number): number {
  return workersFor({ cores: availableParallelism(), load: loadavg()[0], bytes });
}
