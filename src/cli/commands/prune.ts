import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { parseDuration } from '../../time/duration.js';
import type { CliContext } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';
import { positiveInt } from '../options.js';

interface PruneOptions {
  db: string;
  keep?: number;
  olderThan?: string;
  dryRun?: boolean;
  wait: number;
}

export const registerPrune: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('prune')
    .description('Delete old forecast runs and their rows (forecasts, points, exhaustion, recommendations, error budgets); never samples, never the latest run.')
    .requiredOption('--db <path>', 'capplan database')
    .option('--keep <n>', 'keep the newest N successful baseline runs (and the scenario runs made with them)', positiveInt)
    .option('--older-than <duration>', 'delete runs started longer ago than this, e.g. 90d (with --keep: only runs outside the newest N)')
    .option('--dry-run', 'say what would be deleted, delete nothing')
    .option('--wait <seconds>', 'if another process holds the database, wait this long before giving up (exit 4)', Number, 10)
    .addHelpText(
      'after',
      `
Samples, series and pulls are never deleted, nor the newest successful baseline run or any
run after it. Scenario runs go with the baseline run they were made beside.

Examples:
  capplan prune --db capplan.duckdb --keep 12
  capplan prune --db capplan.duckdb --older-than 180d --dry-run`,
    )
    .action(async (opts: PruneOptions) => {
      if (opts.keep === undefined && opts.olderThan === undefined) throw new UsageError('say what to prune: --keep N, --older-than DURATION, or both');
      const olderThanMs = opts.olderThan === undefined ? undefined : ctx.now() - parseDuration(opts.olderThan, '--older-than');
      const [{ openWaiting }, { pruneRuns }] = await Promise.all([import('../../store/openWaiting.js'), import('../../store/pruneRuns.js')]);
      const store = await openWaiting(opts.db, { readOnly: Boolean(opts.dryRun), now: ctx.now }, opts.wait * 1000, '--wait');
      try {
        const r = await pruneRuns(store, { ...(opts.keep !== undefined ? { keep: opts.keep } : {}), ...(olderThanMs !== undefined ? { olderThanMs } : {}), dryRun: Boolean(opts.dryRun) });
        const verb = opts.dryRun ? 'would delete' : 'deleted';
        const detail = Object.entries(r.rows).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`).join(', ');
        ctx.stdout.write(
          r.runIds.length === 0
            ? `capplan prune: nothing to delete; ${r.kept} run${r.kept === 1 ? '' : 's'} kept\n`
            : `capplan prune: ${verb} ${r.runIds.length} run${r.runIds.length === 1 ? '' : 's'} (#${r.runIds[0]}–#${r.runIds[r.runIds.length - 1]}; rows: ${detail}); ${r.kept} kept, latest run #${r.latestRunId}\n`,
        );
      } finally {
        store.close();
      }
    });
};
