import { CapplanError, ExitCode, StoreError } from '../errors.js';
import { Store } from './Store.js';

/**
 * Opens the store, retrying while another process holds a conflicting lock
 * (DuckDB allows one writing process), then gives up with exit code 4 naming
 * the holder. Uses the process's monotonic clock, not an injected one (which
 * tests freeze).
 */
export async function openWaiting(path: string, options: { readOnly: boolean; now: () => number }, waitMs: number, flag: string): Promise<Store> {
  const start = performance.now();
  let delay = 100;
  for (;;) {
    try {
      return await Store.open(path, options);
    } catch (err) {
      if (!(err instanceof CapplanError) || err.exitCode !== ExitCode.locked) throw err;
      const waited = performance.now() - start;
      if (waited >= waitMs) {
        const holder = /\((.*?), PID (\d+)\)/.exec(err.message);
        const who = holder ? `process ${holder[2]} (${holder[1]})` : 'another process';
        throw new StoreError(
          `database ${path}: ${who} holds it${options.readOnly ? ' for writing' : ''}; gave up after waiting ${Math.round(waitMs / 100) / 10} s ` +
            `(${flag} ${waitMs / 1000}). DuckDB allows one writing process, or many readers; try again when it has finished, or raise ${flag}`,
          ExitCode.locked,
          { cause: err },
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(delay, waitMs - waited)));
      delay = Math.min(1000, delay * 2);
    }
  }
}
