import { basename, extname } from 'node:path';
import { ExitCode } from '../errors.js';
import type { GroupingKey } from '../export/pushgateway.js';
import type { CliContext } from './CliContext.js';

/** Where `capplan run` pushes its own metrics: `--pushgateway`, else `CAPPLAN_PUSHGATEWAY_URL`. */
export const PUSHGATEWAY_ENV = 'CAPPLAN_PUSHGATEWAY_URL';

/** Counts a run fills in as it goes, pushed when it ends. */
export interface JobRecord {
  seriesForecast: number;
  seriesFailed: number;
  seriesAtRisk: number;
  pullFailures: number;
}

/**
 * The grouping key for a plan's runs: job `capplan`, instance the plan file's
 * name (`plan.yaml` → `plan`), stable from run to run so each push replaces
 * the last, and distinct per plan when several plans share a Pushgateway.
 */
export function groupingKeyFor(planPath: string): GroupingKey {
  return { job: 'capplan', instance: basename(planPath, extname(planPath)) };
}

/**
 * Runs `body` and, when a Pushgateway is configured, pushes what it recorded:
 * success (no error and every source pulled; exit 3 for risks found is a
 * success), or failure when it threw or a source failed. A push that fails
 * is logged and makes an otherwise clean run exit 1: monitoring that cannot
 * see the job must not stay silent.
 */
export async function withJobMetrics(
  ctx: CliContext,
  target: { readonly url: string | undefined; readonly key: GroupingKey },
  body: (ctx: CliContext, job: JobRecord) => Promise<void>,
): Promise<void> {
  const job: JobRecord = { seriesForecast: 0, seriesFailed: 0, seriesAtRisk: 0, pullFailures: 0 };
  // The URL is read when the job ends, not now: a plan file loaded by the body may name it.
  let exitCode: number = ExitCode.ok;
  const tracked: CliContext = {
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    env: ctx.env,
    cwd: ctx.cwd,
    now: () => ctx.now(),
    setExitCode(code: number) {
      exitCode = code;
      ctx.setExitCode(code);
    },
  };
  const startedMs = ctx.now();
  const push = async (success: boolean): Promise<boolean> => {
    try {
      // The HTTP code loads only when a push is configured: start-up stays lazy.
      const { pushJobMetrics } = await import('../export/pushgateway.js');
      await pushJobMetrics(target.url as string, target.key, { success, startedMs, finishedMs: ctx.now(), ...job });
      log(ctx, 'info', `pushed ${success ? 'success' : 'failure'} to ${target.url} (job=${target.key.job}, instance=${target.key.instance})`);
      return true;
    } catch (err) {
      log(ctx, 'error', (err as Error).message);
      return false;
    }
  };
  try {
    await body(tracked, job);
  } catch (err) {
    if (target.url) await push(false);
    throw err;
  }
  if (!target.url) return;
  // A body may report its failure as an exit code instead of throwing (capplan run logs
  // its errors in logfmt and sets the code): only ok and "risk found" are successes.
  const succeeded = job.pullFailures === 0 && (exitCode === ExitCode.ok || exitCode === ExitCode.riskFound);
  const pushed = await push(succeeded);
  if (!pushed && exitCode === ExitCode.ok) ctx.setExitCode(ExitCode.failure);
}

function log(ctx: CliContext, level: 'info' | 'error', msg: string): void {
  ctx.stderr.write(`ts=${new Date(ctx.now()).toISOString()} level=${level} stage=push msg=${JSON.stringify(msg)}\n`);
}
