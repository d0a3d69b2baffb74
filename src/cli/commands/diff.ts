import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { ExhaustionChange } from '../../store/diffRuns.js';
import type { StoredRun } from '../../store/runs.js';
import type { Store } from '../../store/Store.js';
import { parseTimestamp } from '../../source/csv/parseTimestamp.js';
import { formatDate } from '../../time/dates.js';
import { formatTable } from '../../report/tabular.js';
import type { CliContext } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';
import { checkTimeZoneOption, oneOf, positiveInt } from '../options.js';

interface DiffOptions {
  db: string;
  since?: string;
  from?: number;
  to?: number;
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
    .option('--from <run>', 'compare from this forecast run id (see SELECT run_id, as_of, scenario FROM forecast_runs)', positiveInt)
    .option('--to <run>', 'compare to this forecast run id (default: the latest successful baseline run)', positiveInt)
    .option('--threshold <fraction>', 'threshold to compare (1 = full)', Number, 1)
    .option('--all', 'also list series whose date did not change')
    .option('--format <format>', 'table, csv or json', oneOf(['table', 'csv', 'json'] as const), 'table')
    .option('--tz <zone>', 'IANA time zone for dates', 'UTC')
    .action(async (opts: DiffOptions) => {
      checkTimeZoneOption(opts.tz);
      if (opts.since && opts.from) throw new UsageError('--since and --from both choose the earlier run; give one');
      const [{ Store }, { findRun }, { diffRuns }] = await Promise.all([
        import('../../store/Store.js'),
        import('../../store/runs.js'),
        import('../../store/diffRuns.js'),
      ]);
      const store = await Store.open(opts.db, { readOnly: true, now: ctx.now });
      try {
        const after = opts.to ? await chosenRun(store, opts.to, '--to', opts.db) : await findRun(store);
        if (!after) throw new UsageError(`${opts.db}: no successful forecast run to compare`);
        let before: StoredRun | null;
        if (opts.from) before = await chosenRun(store, opts.from, '--from', opts.db);
        else if (opts.since) {
          const ms = parseTimestamp(opts.since);
          if (ms === null) throw new UsageError(`--since: '${opts.since}' is not a date (expected e.g. 2026-10-01)`);
          before = await findRun(store, { beforeMs: ms, beforeRunId: after.runId, scenario: after.scenario });
        } else before = await findRun(store, { beforeRunId: after.runId, scenario: after.scenario });
        if (!before) {
          // Not an error: the first run of a cron job has nothing to compare yet. Programs still get their format.
          if (opts.format === 'table') ctx.stdout.write(`no earlier forecast run${opts.since ? ` on data up to ${opts.since}` : ''} to compare with run #${after.runId}; nothing changed yet\n`);
          else ctx.stdout.write(formatTable({ columns: COLUMNS, rows: [] }, opts.format));
          return;
        }
        const changes = (await diffRuns(store, before, after, opts.threshold)).filter((c) => opts.all || c.kind !== 'unchanged');
        const machine = opts.format !== 'table';
        const moved = (c: ExhaustionChange) => (c.movedDays === null ? null : Math.round(c.movedDays * 10) / 10);
        const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
        // Programs get one kind of value per column: statuses and ISO timestamps apart.
        const table = machine
          ? { columns: COLUMNS, rows: changes.map((c) => [c.kind, c.resource, c.name, c.beforeStatus, iso(c.beforeP50), c.afterStatus, iso(c.afterP50), moved(c)]) }
          : {
              columns: ['change', 'resource', 'series', 'before', 'after', 'moved_days'],
              rows: changes.map((c) => [c.kind, c.resource, c.name, c.beforeP50 === null ? c.beforeStatus : formatDate(c.beforeP50, opts.tz), c.afterP50 === null ? c.afterStatus : formatDate(c.afterP50, opts.tz), moved(c)]),
            };
        ctx.stdout.write(formatTable(table, opts.format));
        if (!machine) ctx.stdout.write(`\n${summary(changes)} — run #${before.runId} (data to ${formatDate(before.asOfMs, opts.tz)}) → run #${after.runId} (data to ${formatDate(after.asOfMs, opts.tz)}), threshold ${opts.threshold * 100}%\n`);
      } finally {
        store.close();
      }
    });
};

/** Columns of `--format csv|json`, with or without an earlier run. */
const COLUMNS = ['change', 'resource', 'series', 'before_status', 'before_p50', 'after_status', 'after_p50', 'moved_days'];

/** A run named on the command line: it must exist and have finished ok. */
async function chosenRun(store: Store, runId: number, flag: string, db: string): Promise<StoredRun> {
  const { findRun } = await import('../../store/runs.js');
  const run = await findRun(store, { runId });
  if (!run) throw new UsageError(`${flag} ${runId}: no such forecast run in ${db}`);
  if (run.status !== 'ok') throw new UsageError(`${flag} ${runId}: that run did not finish (status ${run.status}); pick a run with status 'ok'`);
  return run;
}

function summary(changes: readonly ExhaustionChange[]): string {
  const n = (k: ExhaustionChange['kind']) => changes.filter((c) => c.kind === k).length;
  const earliest = changes.filter((c) => c.kind === 'earlier').sort((a, b) => (a.movedDays as number) - (b.movedDays as number))[0];
  const parts = [`${n('new_risk')} new risks`, `${n('resolved')} resolved`, `${n('earlier')} earlier`, `${n('later')} later`];
  if (earliest) parts.push(`largest move: ${earliest.name} ${Math.abs(Math.round(earliest.movedDays as number))} days earlier`);
  return parts.join(', ');
}
