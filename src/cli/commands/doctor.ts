import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { SourceConfig, SourceType } from '../../plan/Plan.js';
import { adHocSource } from '../../source/prometheus/adHocPlan.js';
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

Exit codes: 0 every check ok or a warning, 5 a source is unreachable, refuses the credentials or fails the sample query, 2 usage or plan error.`,
    )
    .action(async (opts: DoctorOptions) => {
      const targets = await sourcesFor(ctx, opts);
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
      if (failed.length > 0) ctx.setExitCode(5);
    });
};

async function sourcesFor(ctx: CliContext, opts: DoctorOptions): Promise<{ source: SourceConfig; declared: boolean }[]> {
  if (Boolean(opts.plan) === Boolean(opts.url)) throw new UsageError('give either --url URL or --plan FILE');
  if (opts.url !== undefined) {
    if (opts.source.length > 0) throw new UsageError('--source: only with --plan');
    return [{ source: adHocSource({ url: opts.url, headers: opts.header, type: opts.type, timeout: opts.timeout, env: ctx.env }), declared: false }];
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
  return chosen.map((n) => ({ source: plan.sources[n], declared: true }));
}

function print(ctx: CliContext, r: DoctorReport): void {
  const w = (s: string) => ctx.stdout.write(`${s}\n`);
  w(`source ${r.source}: ${r.url}`);
  const width = Math.max(...r.checks.map((c) => c.label.length));
  for (const c of r.checks) w(`  ${MARK[c.status]}  ${c.label.padEnd(width)}  ${c.detail}`);
}
