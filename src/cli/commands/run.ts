import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { CapplanError, ExitCode, UsageError } from '../../errors.js';
import type { OutputFormat } from '../../report/reportFormats.js';
import { planSourceOf } from '../../plan/planSource.js';
import type { CliContext } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';
import { onInterrupt } from '../interrupt.js';
import { writeRiskLines } from '../reportRisks.js';
import { checkTimeZoneOption, oneOf } from '../options.js';
import { groupingKeyFor, PUSHGATEWAY_ENV, withJobMetrics, type JobRecord } from '../jobMetrics.js';

interface RunOptions {
  plan: string;
  db: string;
  out: string;
  format?: 'md' | 'html' | 'pdf';
  /** A list of addresses; false with --no-email. */
  email?: string | false;
  tz?: string;
  wait: number;
  pull: boolean;
  failOnRisk?: boolean;
  strict?: boolean;
  pushgateway?: string;
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
    .option('--no-email', 'write the report but mail nothing, even when the plan has email.to')
    .option('--tz <zone>', 'IANA time zone for report dates (default: the plan’s, else UTC)')
    .option('--wait <seconds>', 'if another run holds the database, wait this long before giving up (exit 4)', Number, 0)
    .option('--no-pull', 'skip pulling: forecast and report what is stored')
    .option('--fail-on-risk', 'exit 3 when a critical threshold or an error budget is reached within the warning window')
    .option('--strict', 'warnings fail the run: a query returning no series (exit 6), a scenario naming no stored resource or a horizon longer than 2× the history (exit 2)')
    .option('--pushgateway <url>', `push the run's own metrics (last success, duration, series, risks, failures) to this Prometheus Pushgateway (default: ${PUSHGATEWAY_ENV})`)
    .addHelpText('after', '\nCrontab (Mondays 07:00):\n  0 7 * * MON cd /srv/capplan && npx capplan run --plan plan.yaml --db capplan.duckdb --fail-on-risk 2>>capplan.log')
    .action(async (opts: RunOptions) => {
      // --pushgateway, else the plan's `pushgateway:`, else CAPPLAN_PUSHGATEWAY_URL; the plan is read inside the job.
      let planPushgateway: string | undefined;
      const target = {
        get url(): string | undefined {
          return opts.pushgateway ?? planPushgateway ?? ctx.env[PUSHGATEWAY_ENV];
        },
        key: groupingKeyFor(opts.plan),
      };
      return withJobMetrics(ctx, target, async (ctx, job) => {
        const log = logger(ctx);
        // Every line `run` writes on stderr is logfmt, errors included: cron mails it, log shippers parse it.
        const state: JobState = { stage: 'config', disposers: [] };
        try {
          await runJob(ctx, opts, log, state, job, (url) => (planPushgateway = url));
        } catch (err) {
          // Unexpected errors too: cron's log stays parseable (CAPPLAN_DEBUG=1 adds the stack).
          const code = err instanceof CapplanError ? err.exitCode : ExitCode.failure;
          const message = err instanceof CapplanError ? err.message : `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
          log('error', state.stage, message, { exit: code });
          if (!(err instanceof CapplanError) && ctx.env.CAPPLAN_DEBUG && err instanceof Error && err.stack) log('error', state.stage, err.stack);
          ctx.setExitCode(code);
        } finally {
          for (const dispose of state.disposers) dispose();
        }
      });
    });
};

/** Where the job is (named in its log lines and errors), and what to undo when it ends. */
interface JobState {
  stage: string;
  readonly disposers: (() => void)[];
}

type Log = ReturnType<typeof logger>;

async function runJob(ctx: CliContext, opts: RunOptions, log: Log, state: JobState, job: JobRecord, onPushgateway: (url: string | undefined) => void): Promise<void> {
  const { loadPlan } = await import('../../plan/loadPlan.js');
  const plan = await loadPlan(opts.plan);
  onPushgateway(plan.pushgateway);
  const tz = opts.tz ?? plan.email?.timeZone ?? 'UTC';
  checkTimeZoneOption(tz);
  const format = opts.format ?? plan.email?.format ?? 'html';
  // --no-email (opts.email === false) mails nothing, whatever the plan says.
  const to = opts.email === false ? undefined : (opts.email ?? plan.email?.to.join(','));
  // All configuration is checked before any work: a missing SMTP server or sender must not
  // surface after an hour of pulling.
  // The report directory must take the files the run will write at the end.
  try {
    mkdirSync(opts.out, { recursive: true });
    accessSync(opts.out, constants.W_OK);
  } catch (err) {
    throw new UsageError(`--out ${opts.out}: cannot write reports there (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}), checked before any work`);
  }
  if (format === 'pdf') {
    const { chromiumPath } = await import('../../report/renderPdf.js');
    const chromium = chromiumPath({ env: ctx.env });
    if (!existsSync(chromium)) throw new UsageError(`--format pdf: Chromium not found at ${chromium} (install Debian's chromium or set CAPPLAN_CHROMIUM), checked before any work`);
  }
  if (to !== undefined) {
    const [{ parseRecipients }, { smtpSettingsFromEnv }] = await Promise.all([import('../../email/sendReport.js'), import('../../email/smtpSettings.js')]);
    parseRecipients(to, opts.email === undefined ? `${opts.plan}: email.to` : '--email');
    smtpSettingsFromEnv(ctx.env);
  }
  const started = ctx.now();
  const [{ openWaiting }, { planRun }, { buildReportModel }, { writeReport }] = await Promise.all([
    import('../../store/openWaiting.js'),
    import('../../pipeline/planRun.js'),
    import('../../report/buildReportModel.js'),
    import('../../report/writeReport.js'),
  ]);
  state.stage = 'lock';
  const store = await openWaiting(opts.db, { readOnly: false, now: ctx.now }, opts.wait * 1000, '--wait');
  let storeOpen = true;
  state.disposers.push(
    onInterrupt(async (signal, exitCode) => {
      const closed = storeOpen ? await store.markInterrupted(`interrupted by ${signal}`) : { pulls: 0, runs: 0 };
      log('error', state.stage, `interrupted by ${signal}: ${closed.pulls} pull(s) marked interrupted, ${closed.runs} forecast run(s) marked failed; samples stored so far are kept and the next run resumes after them`, { exit: exitCode });
    }),
  );
  let pullFailed = 0;
  let emptyPulls = 0;
  let model;
  let risks;
  try {
    if (opts.pull) {
      state.stage = 'pull';
      // The Prometheus client loads only when this run pulls.
      const [{ sloPullResources }, { closeInterruptedPulls, runPull }] = await Promise.all([import('../../plan/sloResources.js'), import('../../pipeline/runPull.js')]);
      const closed = await closeInterruptedPulls(store);
      if (closed > 0) log('warn', 'pull', `closed ${closed} pull(s) left running by an interrupted run; this pull resumes after what they stored`);
      const withSlos = { ...plan, resources: [...plan.resources, ...sloPullResources(plan)] };
      const pulled = await runPull(withSlos, store, { nowMs: ctx.now(), clientOptions: { secretReaders: { env: ctx.env } } });
      for (const p of pulled.pulls) log(p.status === 'ok' ? 'info' : 'warn', 'pull', `${p.resource}: ${p.series} series, ${p.inserted} new samples, ${p.existing} already stored`, { pull_id: p.pullId, warnings: p.warnings.length });
      for (const p of pulled.pulls.filter((x) => x.series === 0)) log('warn', 'pull', `${p.resource}: the query returned no series: check the metric name, labels and time range (capplan doctor --plan runs every query)`, { pull_id: p.pullId });
      emptyPulls = pulled.pulls.filter((x) => x.series === 0).length;
      for (const f of pulled.failures) log('error', 'pull', `${f.resource} (source ${f.source}): ${f.error.message}`);
      pullFailed = pulled.failures.length;
      job.pullFailures = pullFailed;
    }
    state.stage = 'forecast';
    const { latestSampleMs } = await import('../../store/runs.js');
    const asOfMs = (await latestSampleMs(store)) || ctx.now();
    const planning = plan.planning ?? null;
    const { checkBeforeForecast } = await import('../forecastChecks.js');
    const horizonMs = await checkBeforeForecast(store, {
      scenarios: planning?.scenarios ?? [],
      horizonMs: planning?.defaults.horizonMs ?? 180 * 86_400_000,
      strict: Boolean(opts.strict),
      horizonFlag: `${opts.plan}: planning.horizon`,
      warn: (m) => log('warn', 'forecast', m),
    });
    const result = await planRun(store, { asOfMs, horizonMs, planning, planSource: planSourceOf(opts.plan), scenarios: planning?.scenarios ?? [] });
    log('info', 'forecast', `run #${result.forecast.runId}: ${result.forecast.seriesCount} series, ${result.forecast.failedCount} failed, ${result.forecast.scenarioRuns.size} scenarios, ${result.budgets.length} SLOs`);
    const { capacityWarnings } = await import('../../pipeline/capacityWarnings.js');
    for (const w of capacityWarnings(result.forecast.capacityMismatches)) log('warn', 'forecast', w);
    risks = result.risks;
    Object.assign(job, { seriesForecast: result.forecast.seriesCount, seriesFailed: result.forecast.failedCount, seriesAtRisk: result.risks.length });
    state.stage = 'report';
    model = await buildReportModel(store, { nowMs: ctx.now(), timeZone: tz });
  } finally {
    storeOpen = false;
    store.close();
  }
  const written = await writeReport(model, format as OutputFormat, `${opts.out.replace(/\/+$/, '')}/`, { env: ctx.env });
  const csv = await writeReport(model, 'csv', `${opts.out.replace(/\/+$/, '')}/`);
  log('info', 'report', `written to ${written} and ${csv}`);
  if (to !== undefined) {
    state.stage = 'email';
    const { deliverReport } = await import('../../email/sendReport.js');
    const sent = await deliverReport(model, { to, env: ctx.env, attachments: format === 'md' ? [] : [{ content: readFileSync(written), filename: basename(written) }] });
    log('info', 'email', `sent "${sent.subject}" to ${sent.accepted.join(', ')} via ${sent.server}`);
  }
  ctx.stdout.write(`capplan run: ${risks.length} at risk, report ${written}${to !== undefined ? `, mailed to ${to}` : ''} (${((ctx.now() - started) / 1000).toFixed(1)} s)\n`);
  writeRiskLines(ctx, risks);
  if (pullFailed > 0) ctx.setExitCode(ExitCode.source);
  else if (opts.strict && emptyPulls > 0) ctx.setExitCode(ExitCode.data);
  else if (opts.failOnRisk && risks.length > 0) ctx.setExitCode(ExitCode.riskFound);
}

/** Structured log lines on stderr (logfmt), one per stage event: what cron mails on failure. */
function logger(ctx: CliContext) {
  return (level: 'info' | 'warn' | 'error', stage: string, msg: string, fields: Record<string, string | number> = {}) => {
    const extra = Object.entries(fields).map(([k, v]) => ` ${k}=${typeof v === 'number' ? v : JSON.stringify(v)}`).join('');
    ctx.stderr.write(`ts=${new Date(ctx.now()).toISOString()} level=${level} stage=${stage} msg=${JSON.stringify(msg)}${extra}\n`);
  };
}
