import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { formatDate } from '../../time/dates.js';
import { formatTable } from '../../report/tabular.js';
import type { CliContext } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';
import { checkTimeZoneOption, oneOf } from '../options.js';

export const registerBudget: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('budget')
    .description('Error budgets of the SLOs in the latest forecast run: budget left, burn-rate alerts, when it runs out.')
    .requiredOption('--db <path>', 'capplan database')
    .option('--format <format>', 'table, csv or json', oneOf(['table', 'csv', 'json'] as const), 'table')
    .option('--tz <zone>', 'IANA time zone for dates', 'UTC')
    .action(async (opts: { db: string; format: 'table' | 'csv' | 'json'; tz: string }) => {
      checkTimeZoneOption(opts.tz);
      const [{ Store }, { findRun }, { readErrorBudgets }] = await Promise.all([
        import('../../store/Store.js'),
        import('../../store/runs.js'),
        import('../../store/readErrorBudgets.js'),
      ]);
      const store = await Store.open(opts.db, { readOnly: true, now: ctx.now });
      try {
        const run = await findRun(store);
        if (!run) throw new UsageError(`${opts.db}: no successful forecast run`);
        const machine = opts.format !== 'table';
        const iso = (v: number | null) => (v === null ? null : new Date(v).toISOString());
        const date = (v: number | null) => (v === null ? null : formatDate(v, opts.tz));
        const rows = (await readErrorBudgets(store, run.runId)).map((b) => {
          const firing = b.alerts.filter((a) => a.firing).map((a) => `${a.severity} ${a.factor}×/${a.longMs / 3_600_000}h`);
          const burn1d = b.alerts.find((a) => a.longMs === 86_400_000)?.longRate ?? null;
          if (machine) {
            // One kind of value per column: numbers as numbers, the status apart from the dates.
            return [
              b.slo,
              b.objective,
              b.windowMs / 1000,
              b.remaining,
              b.errorRatio,
              burn1d,
              opts.format === 'json' ? firing : firing.join('; '),
              b.status,
              iso(b.p10),
              iso(b.p50),
              iso(b.p90),
            ];
          }
          return [
            b.slo,
            `${(b.objective * 100).toFixed(2)}%`,
            `${b.windowMs / 86_400_000}d`,
            `${(b.remaining * 100).toFixed(1)}%`,
            `${(b.errorRatio * 100).toFixed(3)}%`,
            burn1d === null ? null : `${burn1d.toFixed(2)}×`,
            firing.join(', ') || 'none',
            b.status === 'past' ? 'spent' : (date(b.p50) ?? 'not within the horizon'),
            date(b.p10),
            date(b.p90),
          ];
        });
        const columns = machine
          ? ['slo', 'objective', 'window_s', 'budget_left', 'error_ratio', 'burn_rate_1d', 'alerts_firing', 'status', 'exhausted_p10', 'exhausted_p50', 'exhausted_p90']
          : ['slo', 'objective', 'window', 'budget_left', 'error_ratio', 'burn_rate_1d', 'alerts_firing', 'exhausted_p50', 'p10', 'p90'];
        ctx.stdout.write(formatTable({ columns, rows }, opts.format));
        if (!machine) ctx.stdout.write(`\nrun #${run.runId}; budgets replay the rolling window over forecast errors and requests (old errors age out); alerts follow the SRE workbook's multi-window burn rates\n`);
      } finally {
        store.close();
      }
    });
};
