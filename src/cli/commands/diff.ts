import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { diffRuns, type ExhaustionChange } from '../../store/diffRuns.js';
import { findRun } from '../../store/runs.js';
import { parseTimestamp } from '../../source/csv/parseTimestamp.js';
import { formatDate } from '../../time/dates.js';
import { formatTable } from '../../report/tabular.js';
import { Store } from '../../store/Store.js';
import type { CliContext } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';
import { checkTimeZoneOption, oneOf } from '../options.js';

interface DiffOptions {
  db: string;
  since?: string;
  threshold: number;
  all?: boolean;
  format: 'table' | 'csv' | 'json';
  tz: string;
}

export const registerDiff: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('diff')
    .description('What moved since the previous forecast run (or a date): dates earlier or later, new risks, resolved ones.')
    .requiredOption('--db <path>', 'capplan database')
    .option('--since <date>', 'compare with the newest run on data up to this date (default: the run before the latest)')
    .option('--threshold <fraction>', 'threshold to compare (1 = full)', Number, 1)
    .option('--all', 'also list series whose date did not change')
    .option('--format <format>', 'table, csv or json', oneOf(['table', 'csv', 'json'] as const), 'table')
    .option('--tz <zone>', 'IANA time zone for dates', 'UTC')
    .action(async (opts: DiffOptions) => {
      checkTimeZoneOption(opts.tz);
      const store = await Store.open(opts.db, { readOnly: true, now: ctx.now });
      try {
        const after = await findRun(store);
        if (!after) throw new UsageError(`${opts.db}: no successful forecast run to compare`);
        let before;
        if (opts.since) {
          const ms = parseTimestamp(opts.since);
          if (ms === null) throw new UsageError(`--since: '${opts.since}' is not a date (expected e.g. 2026-10-01)`);
          before = await findRun(store, { beforeMs: ms, beforeRunId: after.runId });
        } else before = await findRun(store, { beforeRunId: after.runId });
        if (!before) {
          // Not an error: the first run of a cron job has nothing to compare yet.
          ctx.stdout.write(`no earlier forecast run${opts.since ? ` on data up to ${opts.since}` : ''} to compare with run #${after.runId}; nothing changed yet\n`);
          return;
        }
        const changes = (await diffRuns(store, before, after, opts.threshold)).filter((c) => opts.all || c.kind !== 'unchanged');
        const machine = opts.format !== 'table';
        const date = (ms: number | null) => (ms === null ? null : machine ? new Date(ms).toISOString() : formatDate(ms, opts.tz));
        ctx.stdout.write(
          formatTable(
            {
              columns: ['change', 'resource', 'series', 'before', 'after', 'moved_days'],
              rows: changes.map((c) => [c.kind, c.resource, c.name, date(c.beforeP50) ?? c.beforeStatus, date(c.afterP50) ?? c.afterStatus, c.movedDays === null ? null : Math.round(c.movedDays * 10) / 10]),
            },
            opts.format,
          ),
        );
        if (!machine) ctx.stdout.write(`\n${summary(changes)} — run #${before.runId} (data to ${formatDate(before.asOfMs, opts.tz)}) → run #${after.runId} (data to ${formatDate(after.asOfMs, opts.tz)}), threshold ${opts.threshold * 100}%\n`);
      } finally {
        store.close();
      }
    });
};

function summary(changes: readonly ExhaustionChange[]): string {
  const n = (k: ExhaustionChange['kind']) => changes.filter((c) => c.kind === k).length;
  const earliest = changes.filter((c) => c.kind === 'earlier').sort((a, b) => (a.movedDays as number) - (b.movedDays as number))[0];
  const parts = [`${n('new_risk')} new risks`, `${n('resolved')} resolved`, `${n('earlier')} earlier`, `${n('later')} later`];
  if (earliest) parts.push(`largest move: ${earliest.name} ${Math.abs(Math.round(earliest.movedDays as number))} days earlier`);
  return parts.join(', ');
}
