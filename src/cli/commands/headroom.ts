import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { QuarterCalendar } from '../../time/quarters.js';
import type { HeadroomRow } from '../../pipeline/headroomTable.js';
import type { rollUp as RollUp } from '../../pipeline/rollUp.js';
import { formatDate } from '../../time/dates.js';
import { formatTable, type Table } from '../../report/tabular.js';
import { formatPercent, formatQuantity } from '../../report/units.js';
import type { CliContext } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';
import { checkTimeZoneOption, oneOf } from '../options.js';

interface HeadroomOptions {
  db: string;
  plan?: string;
  quarter?: string;
  scenario?: string;
  groupBy?: string;
  format: 'table' | 'csv' | 'json';
  tz: string;
}

export const registerHeadroom: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('headroom')
    .description('Headroom now and at the end of each quarter, with exhaustion dates and what to order by when.')
    .requiredOption('--db <path>', 'capplan database with a forecast run')
    .option('--quarter <q>', 'one quarter, e.g. 2027-Q1 (default: this quarter and the next three)')
    .option('--plan <file>', 'plan file: fiscal year start and group-by label')
    .option('--scenario <name>', 'read a what-if scenario run instead of the baseline')
    .option('--group-by <label>', 'also roll headroom up by this label, e.g. cluster')
    .option('--format <format>', 'table, csv or json', oneOf(['table', 'csv', 'json'] as const), 'table')
    .option('--tz <zone>', 'IANA time zone for dates', 'UTC')
    .addHelpText('after', '\nExample:\n  capplan headroom --db capplan-demo.duckdb --quarter 2027-Q1 --format csv')
    .action(async (opts: HeadroomOptions) => {
      checkTimeZoneOption(opts.tz);
      const [{ Store }, { findRun }, { defaultQuarters, headroomTable }, { rollUp }, { parseQuarter }] = await Promise.all([
        import('../../store/Store.js'),
        import('../../store/runs.js'),
        import('../../pipeline/headroomTable.js'),
        import('../../pipeline/rollUp.js'),
        import('../../time/quarters.js'),
      ]);
      const plan = opts.plan ? await (await import('../../plan/loadPlan.js')).loadPlan(opts.plan) : null;
      const fiscal = plan?.planning?.defaults.fiscalYearStartMonth ?? 1;
      const groupBy = opts.groupBy ?? plan?.planning?.defaults.groupBy ?? null;
      const store = await Store.open(opts.db, { readOnly: true, now: ctx.now });
      try {
        const run = await findRun(store, { scenario: opts.scenario ?? null });
        if (!run) throw new UsageError(`${opts.db}: no successful forecast run${opts.scenario ? ` for scenario '${opts.scenario}'` : ''}; run capplan forecast --db ${opts.db} first`);
        const calendar: QuarterCalendar = { fiscalYearStartMonth: fiscal, timeZone: opts.tz };
        const quarters = opts.quarter ? [quarterOption(parseQuarter(opts.quarter, calendar), opts.quarter)] : defaultQuarters(run.asOfMs, calendar);
        const rows = await headroomTable(store, run, quarters);
        // Series whose capacity query matched no usage series have no rows here: say so, or the table just looks short.
        const { capacityWarnings } = await import('../../pipeline/capacityWarnings.js');
        for (const w of capacityWarnings(await store.capacityPairs())) ctx.stderr.write(`capplan: warning: ${w}\n`);
        const labels = quarters.map((q) => q.label);
        ctx.stdout.write(formatTable(table(rows, labels, opts), opts.format));
        if (groupBy && opts.format === 'table') ctx.stdout.write(`\n${formatTable(rollUpTable(rollUp, rows, groupBy, labels), 'table')}`);
        if (opts.format === 'table') {
          ctx.stdout.write(`\nrun #${run.runId}${run.scenario ? ` (scenario ${run.scenario})` : ''} on data up to ${formatDate(run.asOfMs, opts.tz)}; headroom is capacity minus the quarter's peak forecast usage (conservative: 80% upper edge); dates ${opts.tz}\n`);
        }
      } finally {
        store.close();
      }
    });
};

function table(rows: readonly HeadroomRow[], quarters: readonly string[], opts: HeadroomOptions): Table {
  const machine = opts.format !== 'table';
  const date = (ms: number | null) => (ms === null ? null : machine ? new Date(ms).toISOString() : formatDate(ms, opts.tz));
  // Programs get the status in a column of its own and only timestamps (or null) in the date columns.
  const columns = ['resource', 'series', 'capacity', 'used_now', 'headroom_now', ...quarters.map((q) => `headroom_${q}`), ...(machine ? ['full_status'] : []), 'full_p10', 'full_p50', 'full_p90', 'full_p_never', 'action', 'add', 'order_by', ...(machine ? ['late'] : [])];
  return {
    columns,
    rows: rows.map((r) => {
      const byLabel = new Map(r.quarters.map((q) => [q.label, q]));
      const dated = [date(r.full?.p10 ?? null), date(r.full?.p50 ?? null), date(r.full?.p90 ?? null)];
      const fullDates = machine
        ? [r.full?.status ?? null, ...(r.full?.status === 'past' ? [null, null, null] : dated)]
        : r.full?.status === 'past' ? ['past', 'past', 'past'] : dated.map((d) => d ?? (r.full ? 'beyond horizon' : null));
      const rec = r.recommendation;
      return [
        r.resource,
        r.name,
        machine ? r.capacity : formatQuantity(r.capacity, r.unit),
        machine ? r.usedNow : formatQuantity(r.usedNow, r.unit),
        machine ? (r.capacity - r.usedNow) / r.capacity : formatPercent((r.capacity - r.usedNow) / r.capacity),
        ...quarters.map((q) => {
          const h = byLabel.get(q);
          if (!h) return null;
          return machine ? h.ratioConservative : `${formatPercent(h.ratioConservative)}${h.complete ? '' : '*'}`;
        }),
        ...fullDates,
        r.full?.pNever == null ? null : machine ? r.full.pNever : formatPercent(r.full.pNever),
        rec ? (!machine && rec.action === 'add' && rec.late ? 'add (late!)' : rec.action) : null,
        rec && rec.action === 'add' ? (machine ? rec.amount : formatQuantity(rec.amount, r.unit)) : null,
        rec ? date(rec.orderByMs) : null,
        ...(machine ? [rec ? rec.late : null] : []),
      ];
    }),
  };
}

/** Headroom per value of a label, from the one roll-up the report and the SQL macro headroom_by share. */
function rollUpTable(rollUp: typeof RollUp, rows: readonly HeadroomRow[], label: string, quarters: readonly string[]): Table {
  const { groups } = rollUp(rows, label, (r) => r.displayName);
  return {
    columns: ['group', 'series', 'capacity', 'headroom_now', ...quarters.map((q) => `headroom_${q}`)],
    rows: groups.map((g) => [
      `${g.resource} ${label}=${g.group}`,
      g.seriesCount,
      formatQuantity(g.capacity, g.unit),
      formatPercent(g.headroomRatio),
      ...quarters.map((q) => (g.quarters.has(q) ? formatPercent(g.quarters.get(q) as number) : null)),
    ]),
  };
}

/** The quarter --quarter named (parsed by time/quarters, loaded with the action); a usage error when it named none. */
function quarterOption<Q>(q: Q | null, text: string): Q {
  if (!q) throw new UsageError(`--quarter: '${text}' is not a quarter (expected e.g. 2027-Q1 or FY2027-Q1)`);
  return q;
}
