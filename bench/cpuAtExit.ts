import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

/**
 * Preloaded into a benchmarked child (`node --import …/cpuAtExit.js`): at exit
 * it writes the process's CPU seconds (user + system, every thread: workers,
 * compiler and GC threads included) to the file named by CAPPLAN_BENCH_CPU.
 * Wall time on this shared machine follows everyone else's load; CPU time
 * barely does, so the two together say what the run cost.
 */
const out = process.env.CAPPLAN_BENCH_CPU;
if (out && isMainThread) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    writeFileSync(out, String((user + system) / 1e6));
  });
}
