import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { Plan, SourceConfig, SourceType } from '../../plan/Plan.js';
import { adHocSource } from '../adHocPlan.js';
import type { CheckStatus, DoctorReport } from '../../source/prometheus/doctor.js';
import type { CliContext } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';
import { collect, oneOf } from '../options.js';

interface DoctorOptions {
  url?: string;
  header: string[];
  type?: SourceType;
  timeout?: string;
  plan?: string;
  source: string[];
}


const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: '--  ' };

export const registerDoctor: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('doctor')
    .description('Check a metrics source before pulling: reachable, backend and version, auth, a sample query, clock skew, Thanos parameters.')
    .option('--url <url>', 'the server (credentials from CAPPLAN_BEARER_TOKEN(_FILE) or CAPPLAN_BASIC_AUTH_USER + CAPPLAN_BASIC_AUTH_PASSWORD(_FILE))')
    .option('--header <header>', "with --url: extra header 'Name: value', e.g. 'THANOS-TENANT: team' (repeatable)", collect, [])
    .option('--type <type>', 'with --url: treat the server as this kind (sends Thanos parameters for thanos)', oneOf(['prometheus', 'thanos', 'mimir', 'victoriametrics'] as const))
    .option('--timeout <duration>', 'with --url: per-request timeout (default 2m)')
    .option('--plan <file>', "check the plan's sources, with their auth, headers, TLS and Thanos options")
    .option('--source <name>', 'with --plan: check only this source (repeatable)', collect, [])
    .addHelpText(
      'after',
      `
Examples:
  capplan doctor --url http://prometheus:9090
  CAPPLAN_BEARER_TOKEN_FILE=/run/secrets/thanos capplan doctor --url https://thanos.example --header 'THANOS-TENANT: platform'
  capplan doctor --plan plan.yaml --source thanos

With --plan, every resource's usage and capacity queries are run too (over the lookback, at
most 1,000 points per series): series count, history span, and whether every usage series has
a capacity series with the same labels.

Exit codes: 0 every check ok or a warning, 5 a source is unreachable, refuses the credentials or
fails the sample query or a plan query, 2 usage or plan error.`,
    )
    .action(async (opts: DoctorOptions) => {
      const { targets, plan } = await sourcesFor(ctx, opts);
      const { checkSource } = await import('../../source/prometheus/doctor.js');
      const reports: DoctorReport[] = [];
      for (const { source, declared } of targets) {
        const report = await checkSource(source, {
          now: () => ctx.now(),
          typeDeclared: declared,
          clientOptions: { secretReaders: { env: ctx.env as NodeJS.ProcessEnv } },
        });
        reports.push(report);
        print(ctx, report);
      }
      const failed = reports.filter((r) => r.failed);
      const warned = reports.reduce((n, r) => n + r.checks.filter((c) => c.status === 'warn').length, 0);
      ctx.stdout.write(
        `capplan doctor: ${reports.length} source${reports.length === 1 ? '' : 's'} checked, ${failed.length} failed, ${warned} warning${warned === 1 ? '' : 's'}\n`,
      );
      for (const r of failed) {
        const first = r.checks.find((c) => c.status === 'fail');
        ctx.stderr.write(`capplan: source ${r.source} (${r.url}): ${first?.label}: ${first?.detail}\n`);
      }
      let queriesFailed = 0;
      if (plan) {
        // With a plan, run every resource's own queries: a source that answers vector(1) may still hold none of the plan's metrics.
        const { checkPlanQueries } = await import('../../source/prometheus/checkPlanQueries.js');
        const usable = targets.map((t) => t.source.name).filter((n) => !failed.some((r) => r.source === n));
        const checks = usable.length === 0 ? [] : await checkPlanQueries(plan, { nowMs: ctx.now(), sources: usable, clientOptions: { secretReaders: { env: ctx.env as NodeJS.ProcessEnv } } });
        for (const c of checks) {
          ctx.stdout.write(`resource ${c.resource} (source ${c.source}):\n`);
          ctx.stdout.write(`  ${MARK[c.usage.status]}  usage     ${c.usage.detail}\n`);
          ctx.stdout.write(`  ${MARK[c.capacity.status]}  capacity  ${c.capacity.detail}\n`);
        }
        const all = checks.flatMap((c) => [c.usage, c.capacity]);
        queriesFailed = all.filter((c) => c.status === 'fail').length;
        const queriesWarned = all.filter((c) => c.status === 'warn').length;
        ctx.stdout.write(
          `capplan doctor: ${checks.length} resource${checks.length === 1 ? '' : 's'} queried, ${queriesFailed} quer${queriesFailed === 1 ? 'y' : 'ies'} failed, ${queriesWarned} warning${queriesWarned === 1 ? '' : 's'}\n`,
        );
        for (const c of checks) {
          for (const [what, q] of [['usage', c.usage], ['capacity', c.capacity]] as const) {
            if (q.status === 'fail') ctx.stderr.write(`capplan: resource ${c.resource} (source ${c.source}): ${what} query: ${q.detail}\n`);
          }
        }
      }
      if (failed.length > 0 || queriesFailed > 0) ctx.setExitCode(5);
    });
};

async function sourcesFor(ctx: CliContext, opts: DoctorOptions): Promise<{ targets: { source: SourceConfig; declared: boolean }[]; plan: Plan | null }> {
  if (Boolean(opts.plan) === Boolean(opts.url)) throw new UsageError('give either --url URL or --plan FILE');
  if (opts.url !== undefined) {
    if (opts.source.length > 0) throw new UsageError('--source: only with --plan');
    return { targets: [{ source: adHocSource({ url: opts.url, headers: opts.header, type: opts.type, timeout: opts.timeout, env: ctx.env }), declared: false }], plan: null };
  }
  if (opts.header.length > 0 || opts.type !== undefined || opts.timeout !== undefined) {
    throw new UsageError('--header, --type and --timeout: only with --url; with --plan they come from the plan file');
  }
  const { loadPlan } = await import('../../plan/loadPlan.js');
  const plan = await loadPlan(opts.plan as string);
  const names = Object.keys(plan.sources);
  const missing = opts.source.filter((n) => !(n in plan.sources));
  if (missing.length > 0) throw new UsageError(`no source named ${missing.map((n) => JSON.stringify(n)).join(', ')} in the plan (sources: ${names.join(', ')})`);
  const chosen = opts.source.length > 0 ? [...new Set(opts.source)] : names;
  return { targets: chosen.map((n) => ({ source: plan.sources[n], declared: true })), plan };
}

function print(ctx: CliContext, r: DoctorReport): void {
  const w = (s: string) => ctx.stdout.write(`${s}\n`);
  w(`source ${r.source}: ${r.url}`);
  const width = Math.max(...r.checks.map((c) => c.label.length));
  for (const c of r.checks) w(`  ${MARK[c.status]}  ${c.label.padEnd(width)}  ${c.detail}`);
}
