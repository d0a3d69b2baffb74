import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { TextSink } from '../../export/openmetrics.js';
import type { PrometheusRuleOptions } from '../../export/prometheusRule.js';
import { parseDuration } from '../../time/duration.js';
import type { CliContext } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';
import { collect, oneOf, positiveInt } from '../options.js';

/**
 * The export formats. To add one (e.g. `parquet` from `src/export/parquet.ts`),
 * add its name here and a case to `runExport` below.
 */
export const EXPORT_FORMATS = ['openmetrics', 'prometheus-rule', 'rules', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

interface ExportOptions {
  format: ExportFormat;
  db?: string;
  out?: string;
  run?: number;
  warningWindow: string;
  criticalWindow: string;
  lookback: string;
  name?: string;
  namespace?: string;
  label: string[];
  groupBy: string[];
  jobStaleAfter: string;
}

export const registerExport: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('export')
    .description('Export for other tools: OpenMetrics for promtool backfill, exhaustion and job alerts as a PrometheusRule (Prometheus Operator) or a plain rules file (rule_files), or Parquet for distributed engines.')
    .requiredOption('--format <format>', EXPORT_FORMATS.join(' or '), oneOf(EXPORT_FORMATS))
    .option('--db <path>', 'the capplan database (needed for openmetrics)')
    .option('--out <file|dir>', 'write to this file instead of standard output (parquet: a directory, partitioned by resource and month)')
    .option('--run <id>', 'openmetrics: forecast run id (default: the latest successful one)', positiveInt)
    .option('--warning-window <duration>', 'prometheus-rule, rules: warn when the earliest plausible exhaustion (p10) is this close', '30d')
    .option('--critical-window <duration>', 'prometheus-rule, rules: page when the median exhaustion (p50) is this close', '7d')
    .option('--lookback <duration>', 'prometheus-rule, rules: how far back to find the last export (longer than the export interval)', '8d')
    .option('--name <name>', 'prometheus-rule: metadata.name', 'capplan-capacity')
    .option('--namespace <ns>', 'prometheus-rule: metadata.namespace')
    .option('--label <key=value>', 'prometheus-rule: metadata label, repeatable (e.g. release=prometheus)', collect, [])
    .option('--group-by <label>', 'prometheus-rule, rules: label the headroom roll-up keeps besides resource, repeatable', collect, [])
    .option('--job-stale-after <duration>', "prometheus-rule, rules: alert when capplan's own job has not succeeded for this long", '2d')
    .action(async (opts: ExportOptions) => {
      // Check every flag before the output file is created.
      if ((opts.format === 'openmetrics' || opts.format === 'parquet') && !opts.db) throw new UsageError(`--format ${opts.format}: --db is required`);
      if (opts.format === 'prometheus-rule' || opts.format === 'rules') ruleOptions(opts);
      if (opts.format === 'parquet') {
        // A directory of partitioned files, not a stream.
        if (!opts.out) throw new UsageError('--format parquet: --out DIR is required (a directory of Parquet files)');
        const [{ Store }, { exportParquet }] = await Promise.all([import('../../store/Store.js'), import('../../export/parquet.js')]);
        const store = await Store.open(opts.db as string, { readOnly: true, now: ctx.now });
        try {
          const result = await exportParquet(store, opts.out);
          const rows = Object.entries(result.rows).map(([t, n]) => `${t} ${n}`).join(', ');
          ctx.stderr.write(`capplan: parquet written to ${opts.out} (${result.files.length} files; rows: ${rows})\n`);
        } finally {
          store.close();
        }
        return;
      }
      const target = openTarget(opts.out, ctx);
      try {
        await runExport(opts, target.sink, ctx);
      } finally {
        target.close();
      }
      if (opts.out) ctx.stderr.write(`capplan: ${opts.format} written to ${opts.out}\n`);
    });
};

async function runExport(opts: ExportOptions, sink: TextSink, ctx: CliContext): Promise<void> {
  switch (opts.format) {
    case 'openmetrics': {
      const [{ Store }, { exportOpenMetrics }] = await Promise.all([import('../../store/Store.js'), import('../../export/openmetrics.js')]);
      const store = await Store.open(opts.db as string, { readOnly: true, now: ctx.now });
      try {
        const stats = await exportOpenMetrics(store, sink, opts.run ? { runId: opts.run } : {});
        if (opts.run && stats.runId === null) throw new UsageError(`--run ${opts.run}: no such forecast run in ${opts.db}`);
        if (stats.runId === null) ctx.stderr.write(`capplan: warning: no forecast run in ${opts.db}; wrote an empty exposition\n`);
      } finally {
        store.close();
      }
      return;
    }
    case 'prometheus-rule': {
      const { exportPrometheusRule } = await import('../../export/prometheusRule.js');
      sink.write(exportPrometheusRule(ruleOptions(opts)));
      return;
    }
    case 'rules': {
      const { exportRulesFile } = await import('../../export/prometheusRule.js');
      sink.write(exportRulesFile(ruleOptions(opts)));
      return;
    }
    case 'parquet':
      throw new Error('internal: parquet is written by the action, not as a stream');
  }
}

function ruleOptions(opts: ExportOptions): PrometheusRuleOptions {
  return {
    name: opts.name ?? 'capplan-capacity',
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    labels: parseLabels(opts.label),
    warningWindowMs: parseDuration(opts.warningWindow, '--warning-window'),
    criticalWindowMs: parseDuration(opts.criticalWindow, '--critical-window'),
    lookbackMs: parseDuration(opts.lookback, '--lookback'),
    groupBy: opts.groupBy,
    jobStaleAfterMs: parseDuration(opts.jobStaleAfter, '--job-stale-after'),
  };
}

function openTarget(out: string | undefined, ctx: CliContext): { sink: TextSink; close(): void } {
  if (!out) return { sink: ctx.stdout, close: () => undefined };
  mkdirSync(dirname(out), { recursive: true });
  const fd = openSync(out, 'w');
  return { sink: { write: (text: string) => void writeSync(fd, text) }, close: () => closeSync(fd) };
}


function parseLabels(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`--label: expected key=value, got '${p}'`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}
