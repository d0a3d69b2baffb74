import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { EmailError } from '../../email/EmailError.js';
import { UsageError } from '../../errors.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../../report/reportFormats.js';
import type { QuarterCalendar } from '../../time/quarters.js';
import type { ReportPeriod } from '../../report/ReportModel.js';
import { groupingKeyFor, withJobMetrics } from '../jobMetrics.js';
import type { CliContext } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';
import { checkTimeZoneOption, oneOf, positiveInt } from '../options.js';

interface ReportOptions {
  db?: string;
  fromParquet?: string;
  format: OutputFormat;
  out?: string;
  tz: string;
  run?: number;
  title?: string;
  quarter?: string;
  from?: string;
  to?: string;
  email?: string;
  groupBy?: string;
  charts: number;
  plan?: string;
  pushgateway?: string;
}

export const registerReport: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('report')
    .description('Render the headroom report of the latest (or a given) forecast run, and optionally email it.')
    .option('--db <path>', 'the capplan database')
    .option('--from-parquet <dir>', 'instead of --db: assemble the report from a shard dataset (capplan forecast --out-parquet DIR), its newest complete run or a run=KEY directory')
    .option('--format <format>', 'md, html, json, csv or pdf (pdf needs Chromium)', oneOf(OUTPUT_FORMATS), 'md')
    .option('--out <file|dir>', 'write to this file, or into this directory as headroom-<date>.<ext> (default: standard output)')
    .option('--tz <zone>', "IANA time zone for dates and quarter boundaries (default: the plan's email.timeZone, else UTC)")
    .option('--plan <file>', "plan file: its email.timeZone, email.to (with --email '') and planning.groupBy become the defaults")
    .option('--quarter <quarter>', 'report period, e.g. 2027-Q1 (default: the current quarter)')
    .option('--from <date>', 'report period start, YYYY-MM-DD (with --to)')
    .option('--to <date>', 'report period end, YYYY-MM-DD inclusive (with --from)')
    .option('--email <to>', 'email the report to these addresses (comma-separated); SMTP settings from CAPPLAN_SMTP_*')
    .option('--group-by <label>', 'label to roll headroom up by (default: cluster, team, env, region or namespace, whichever is present)')
    .option('--charts <n>', 'charts for at most this many resources at risk', nonNegativeInt, 6)
    .option('--run <id>', 'forecast run id (default: the latest successful one)', positiveInt)
    .option('--title <text>', 'report title')
    .option('--pushgateway <url>', "push job metrics as capplan run does (the last step of a sharded run: its success is the run's)")
    .action(async (opts: ReportOptions) => withJobMetrics(ctx, { url: opts.pushgateway, key: groupingKeyFor(opts.plan ?? 'report') }, async (ctx, job) => {
      const plan = opts.plan ? await (await import('../../plan/loadPlan.js')).loadPlan(opts.plan) : null;
      // --tz has no commander default, so an unset one can fall back to the plan's.
      opts.tz = (opts.tz as string | undefined) ?? plan?.email?.timeZone ?? 'UTC';
      if (opts.groupBy === undefined && plan?.planning?.defaults.groupBy) opts.groupBy = plan.planning.defaults.groupBy;
      if (opts.email === '' && plan?.email) opts.email = plan.email.to.join(',');
      checkTimeZoneOption(opts.tz);
      const calendar: QuarterCalendar = { fiscalYearStartMonth: plan?.planning?.defaults.fiscalYearStartMonth ?? 1, timeZone: opts.tz };
      const period = await parsePeriod(opts, calendar);
      const to = opts.email === undefined ? null : (await import('../../email/sendReport.js')).parseRecipients(opts.email, '--email');
      // SMTP settings (server, sender) are checked before the report is built, not after.
      if (to) (await import('../../email/smtpSettings.js')).smtpSettingsFromEnv(ctx.env);
      if (opts.format === 'pdf' && !opts.out) throw new UsageError('--format pdf: also give --out FILE (PDF is not written to standard output)');

      const [{ Store }, { buildReportModel }, { renderReport, writeReport }] = await Promise.all([
        import('../../store/Store.js'),
        import('../../report/buildReportModel.js'),
        import('../../report/writeReport.js'),
      ]);
      if (Boolean(opts.db) === Boolean(opts.fromParquet)) throw new UsageError('give exactly one of --db PATH or --from-parquet DIR');
      const source = opts.fromParquet ? await (await import('../../pipeline/shardRun.js')).openAssembledDataset(opts.fromParquet, { now: ctx.now }) : null;
      for (const w of source?.dataset.warnings ?? []) ctx.stderr.write(`capplan: warning: ${w}\n`);
      const store = source ? source.store : await Store.open(opts.db as string, { readOnly: true, now: ctx.now });
      let model;
      try {
        model = await buildReportModel(store, {
          nowMs: ctx.now(),
          timeZone: opts.tz,
          fiscalYearStartMonth: calendar.fiscalYearStartMonth,
          chartLimit: opts.charts,
          ...(period ? { period } : {}),
          ...(opts.groupBy ? { groupBy: opts.groupBy } : {}),
          ...(opts.run ? { runId: opts.run } : {}),
          ...(opts.title ? { title: opts.title } : {}),
        });
      } finally {
        if (source) source.close();
        else store.close();
      }
      if (opts.run && !model.run) throw new UsageError(`--run ${opts.run}: no such forecast run in ${opts.db ?? opts.fromParquet}`);
      Object.assign(job, {
        seriesForecast: model.run?.seriesCount ?? 0,
        seriesFailed: model.run?.failedCount ?? 0,
        seriesAtRisk: new Set(model.summary.buckets.flatMap((b) => b.items.map((i) => i.seriesId))).size,
      });

      // The report reaches disk (or stdout) before any attempt to mail it.
      let written: string | null = null;
      if (opts.out) {
        written = await writeReport(model, opts.format, opts.out, { env: ctx.env });
        ctx.stderr.write(`capplan: report written to ${written}\n`);
      } else if (!to) {
        // With --email and no --out the mail is the output: the report is not dumped on stdout too.
        ctx.stdout.write(renderReport(model, opts.format as Exclude<OutputFormat, 'pdf'>));
      }
      if (to) {
        const attach = written && (opts.format === 'html' || opts.format === 'pdf') ? [{ content: readFileSync(written), filename: basename(written) }] : [];
        try {
          const { deliverReport } = await import('../../email/sendReport.js');
          const sent = await deliverReport(model, { to, env: ctx.env, attachments: attach });
          ctx.stderr.write(`capplan: emailed "${sent.subject}" to ${sent.accepted.join(', ')} via ${sent.server}\n`);
          if (sent.rejected.length > 0) ctx.stderr.write(`capplan: warning: rejected recipients: ${sent.rejected.join(', ')}\n`);
        } catch (err) {
          if (err instanceof EmailError) {
            throw new EmailError(`${err.message}${written ? ` (the report was written to ${written})` : ''}`, err.code, { cause: err });
          }
          throw err;
        }
      }
    }));
};

async function parsePeriod(opts: ReportOptions, calendar: QuarterCalendar): Promise<ReportPeriod | null> {
  if (!opts.quarter && !opts.from && !opts.to) return null;
  // time/quarters and time/periods bring date-fns: loaded only when a period is asked for.
  const [{ parseQuarter }, { parseRange }] = await Promise.all([import('../../time/quarters.js'), import('../../time/periods.js')]);
  if (opts.quarter && (opts.from || opts.to)) throw new UsageError('--quarter cannot be combined with --from/--to');
  if (opts.quarter) {
    const q = parseQuarter(opts.quarter, calendar);
    if (!q) throw new UsageError(`--quarter: expected YYYY-QN such as 2027-Q1 or FY2027-Q1, got '${opts.quarter}'`);
    return { kind: 'quarter', ...q };
  }
  if (opts.from || opts.to) {
    if (!opts.from || !opts.to) throw new UsageError('--from and --to go together (YYYY-MM-DD, both inclusive)');
    const r = parseRange(opts.from, opts.to, opts.tz);
    if (!r) throw new UsageError(`--from/--to: expected two dates YYYY-MM-DD with --from not after --to, got '${opts.from}' and '${opts.to}'`);
    return r;
  }
  return null;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number, 0 or more');
  return n;
}
