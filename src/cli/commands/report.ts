import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { renderReport, type ReportFormat } from '../../pipeline/writeReport.js';
import { buildReportModel } from '../../report/buildReportModel.js';
import { checkTimeZone } from '../../report/dates.js';
import { Store } from '../../store/Store.js';
import type { CliContext } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';
import { oneOf, positiveInt } from '../options.js';

interface ReportOptions {
  db: string;
  format: ReportFormat;
  out?: string;
  tz: string;
  run?: number;
  title?: string;
}

export const registerReport: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('report')
    .description('Render the headroom report of the latest (or a given) forecast run.')
    .requiredOption('--db <path>', 'the capplan database')
    .option('--format <format>', 'md, html, json or csv', oneOf(['md', 'html', 'json', 'csv'] as const), 'md')
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--tz <zone>', 'IANA time zone for dates', 'UTC')
    .option('--run <id>', 'forecast run id (default: the latest successful one)', positiveInt)
    .option('--title <text>', 'report title')
    .action(async (opts: ReportOptions) => {
      try {
        checkTimeZone(opts.tz);
      } catch {
        throw new UsageError(`--tz: unknown time zone '${opts.tz}' (expected an IANA name such as UTC or Europe/Berlin)`);
      }
      const store = await Store.open(opts.db, { readOnly: true, now: ctx.now });
      let text: string;
      try {
        const model = await buildReportModel(store, {
          nowMs: ctx.now(),
          timeZone: opts.tz,
          ...(opts.run ? { runId: opts.run } : {}),
          ...(opts.title ? { title: opts.title } : {}),
        });
        if (opts.run && !model.run) throw new UsageError(`--run ${opts.run}: no such forecast run in ${opts.db}`);
        text = renderReport(model, opts.format);
      } finally {
        store.close();
      }
      if (opts.out) {
        mkdirSync(dirname(opts.out), { recursive: true });
        writeFileSync(opts.out, text);
        ctx.stderr.write(`capplan: report written to ${opts.out}\n`);
      } else {
        ctx.stdout.write(text);
      }
    });
};
