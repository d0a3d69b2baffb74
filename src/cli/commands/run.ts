import { latestSampleMs } from '../../store/runs.js';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { deliverReport } from '../../email/sendReport.js';
import { ExitCode } from '../../errors.js';
import { loadPlan } from '../../plan/loadPlan.js';
import { sloPullResources } from '../../plan/sloResources.js';
import { planRun } from '../../pipeline/planRun.js';
import { writeReport, type OutputFormat } from '../../report/writeReport.js';
import { buildReportModel } from '../../report/buildReportModel.js';
import { closeInterruptedPulls, runPull } from '../../source/prometheus/runPull.js';
import { openWaiting } from '../../store/openWaiting.js';
import type { CliContext } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';
import { checkTimeZoneOption, oneOf } from '../options.js';

interface RunOptions {
  plan: string;
  db: string;
  out: string;
  format?: 'md' | 'html' | 'pdf';
  email?: string;
  tz?: string;
  wait: number;
  pull: boolean;
  failOnRisk?: boolean;
}

export const registerRun: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('run')
    .description('The cron job: pull → forecast (with the plan’s scenarios and SLOs) → report → email, as one locked run.')
    .requiredOption('--plan <file>', 'plan file: sources, resources, planning, scenarios, SLOs, email')
    .requiredOption('--db <path>', 'capplan database (created if missing; runs are appended)')
    .option('--out <dir>', 'directory for the report files', 'reports')
    .option('--format <format>', 'report format to mail: md, html or pdf (default: the plan’s, else html)', oneOf(['md', 'html', 'pdf'] as const))
    .option('--email <to>', 'mail the report to these addresses (default: the plan’s email.to); SMTP settings from CAPPLAN_SMTP_*')
    .option('--tz <zone>', 'IANA time zone for report dates (default: the plan’s, else UTC)')
    .option('--wait <seconds>', 'if another run holds the database, wait this long before giving up (exit 4)', Number, 0)
    .option('--no-pull', 'skip pulling: forecast and report what is stored')
    .option('--fail-on-risk', 'exit 3 when a critical threshold or an error budget is reached within the warning window')
    .addHelpText('after', '\nCrontab (Mondays 07:00):\n  0 7 * * MON cd /srv/capplan && npx capplan run --plan plan.yaml --db capplan.duckdb --fail-on-risk 2>>capplan.log')
    .action(async (opts: RunOptions) => {
      const log = logger(ctx);
      const plan = await loadPlan(opts.plan);
      const tz = opts.tz ?? plan.email?.timeZone ?? 'UTC';
      checkTimeZoneOption(tz);
      const format = opts.format ?? plan.email?.format ?? 'html';
      const to = opts.email ?? plan.email?.to.join(',');
      const started = ctx.now();
      const store = await openWaiting(opts.db, { readOnly: false, now: ctx.now }, opts.wait * 1000, '--wait');
      let pullFailed = 0;
      let model;
      let risks;
      try {
        if (opts.pull) {
          const interrupted = await closeInterruptedPulls(store);
          if (interrupted > 0) log('warn', 'pull', `closed ${interrupted} pull(s) left running by an interrupted run; this pull resumes after what they stored`);
          const withSlos = { ...plan, resources: [...plan.resources, ...sloPullResources(plan)] };
          const pulled = await runPull(withSlos, store, { nowMs: ctx.now(), clientOptions: { secretReaders: { env: ctx.env } } });
          for (const p of pulled.pulls) log(p.status === 'ok' ? 'info' : 'warn', 'pull', `${p.resource}: ${p.series} series, ${p.inserted} new samples, ${p.existing} already stored`, { pull_id: p.pullId, warnings: p.warnings.length });
          for (const f of pulled.failures) log('error', 'pull', `${f.resource} (source ${f.source}): ${f.error.message}`);
          pullFailed = pulled.failures.length;
        }
        const asOfMs = (await latestSampleMs(store)) || ctx.now();
        const planning = plan.planning ?? null;
        const result = await planRun(store, { asOfMs, horizonMs: planning?.defaults.horizonMs ?? 180 * 86_400_000, planning, scenarios: planning?.scenarios ?? [] });
        log('info', 'forecast', `run #${result.forecast.runId}: ${result.forecast.seriesCount} series, ${result.forecast.failedCount} failed, ${result.forecast.scenarioRuns.size} scenarios, ${result.budgets.length} SLOs`);
        risks = result.risks;
        model = await buildReportModel(store, { nowMs: ctx.now(), timeZone: tz });
      } finally {
        store.close();
      }
      const written = await writeReport(model, format as OutputFormat, `${opts.out.replace(/\/+$/, '')}/`, { env: ctx.env });
      const csv = await writeReport(model, 'csv', `${opts.out.replace(/\/+$/, '')}/`);
      log('info', 'report', `written to ${written} and ${csv}`);
      if (to) {
        const sent = await deliverReport(model, { to, env: ctx.env, attachments: format === 'md' ? [] : [{ content: readFileSync(written), filename: basename(written) }] });
        log('info', 'email', `sent "${sent.subject}" to ${sent.accepted.join(', ')} via ${sent.server}`);
      }
      ctx.stdout.write(`capplan run: ${risks.length} at risk, report ${written}${to ? `, mailed to ${to}` : ''} (${((ctx.now() - started) / 1000).toFixed(1)} s)\n`);
      for (const r of risks.slice(0, 20)) ctx.stdout.write(`  ${r.name}: ${r.what}${r.atMs === null ? '' : ` on ${new Date(r.atMs).toISOString().slice(0, 10)}`}\n`);
      if (pullFailed > 0) ctx.setExitCode(ExitCode.source);
      else if (opts.failOnRisk && risks.length > 0) ctx.setExitCode(ExitCode.riskFound);
    });
};

/** Structured log lines on stderr (logfmt), one per stage event: what cron mails on failure. */
function logger(ctx: CliContext) {
  return (level: 'info' | 'warn' | 'error', stage: string, msg: string, fields: Record<string, string | number> = {}) => {
    const extra = Object.entries(fields).map(([k, v]) => ` ${k}=${typeof v === 'number' ? v : JSON.stringify(v)}`).join('');
    ctx.stderr.write(`ts=${new Date(ctx.now()).toISOString()} level=${level} stage=${stage} msg=${JSON.stringify(msg)}${extra}\n`);
  };
}
