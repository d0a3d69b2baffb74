import { availableParallelism, loadavg } from 'node:os';

/**
 * Worker threads worth starting for a forecast of a file: one per idle core
 * (at most 8), 1 meaning this thread alone. `load` is the 1-minute load
 * average; a core counts as idle unless more than a quarter of it is taken.
 *
 * Why not one per core always: on Linux, cores are shared between sessions
 * and services (autogroups, cgroups), not between threads, so on a machine
 * that others keep busy extra threads get no extra share. They only add their
 * own start and JIT warm-up (about 0.25 s of CPU each): on the 100-series
 * bench file one thread takes 1.3 s of CPU, two workers 1.8 s (bench/input.ts).
 */
export function workersForIdleCores(cores: number, load: number): number {
  const idle = Math.ceil(cores - load - 0.25);
  return Math.max(1, Math.min(8, cores, idle));
}

/** `workersForIdleCores` on this machine, now. */
export function idleCoreWorkers(): number {
  return workersForIdleCores(availableParallelism(), loadavg()[0]);
}
