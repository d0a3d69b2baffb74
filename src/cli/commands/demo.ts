import { relative } from 'node:path';
import type { Command } from 'commander';
import { formatDate } from '../../time/dates.js';
import { planSourceOf } from '../../plan/planSource.js';
import { reportRisks } from '../reportRisks.js';
import type { Store } from '../../store/Store.js';
import { parseDuration } from '../../time/duration.js';
import type { CliContext } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';
import { checkTimeZoneOption, oneOf, positiveInt } from '../options.js';
import { HOUR } from '../../time/constants.js';

interface DemoOptions {
  db: string;
  out: string;
  size: 'full' | 'small';
  seed: number;
  horizon: string;
  tz: string;
  workers?: number;
  failOnRisk?: boolean;
}


export const registerDemo: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('demo')
    .description('Run the whole job (pull → store → forecast → report) on the bundled demo fleet; no server needed.')
    .option('--db <path>', 'DuckDB database to write (created if missing; runs are appended)', 'capplan-demo.duckdb')
    .option('--out <dir>', 'directory for the report files', 'reports')
    .option('--size <size>', 'full (50+ series) or small (8 series)', oneOf(['full', 'small'] as const), 'full')
    .option('--seed <n>', 'seed of the demo fleet generator', positiveInt, 42)
    .option('--horizon <duration>', 'how far ahead to forecast, e.g. 180d, 26w', '180d')
    .option('--tz <zone>', 'IANA time zone for dates in the report', 'UTC')
    .option('--workers <n>', 'worker threads for forecasting (default: one per core)', positiveInt)
    .option('--fail-on-risk', 'exit 3 when a critical threshold or an error budget is reached within the warning window')
    .action(async (opts: DemoOptions) => {
      const horizonMs = parseDuration(opts.horizon, '--horizon');
      checkTimeZoneOption(opts.tz);
      const [{ Store }, { ingestDemo }, { demoPlanning, demoPlanPath }, { planRun }, { buildReportModel }, { headlineExhaustion }, { fullText, intervalText }, { writeReportFiles }] = await Promise.all([
        import('../../store/Store.js'),
        import('../../demo/ingestDemo.js'),
        import('../../demo/demoPlanning.js'),
        import('../../pipeline/planRun.js'),
        import('../../report/buildReportModel.js'),
        import('../../report/ReportModel.js'),
        import('../../report/riskRows.js'),
        import('../../report/writeReport.js'),
      ]);
      const started = ctx.now();
      const endMs = Math.floor(started / HOUR) * HOUR;
      const store = await Store.open(opts.db, { now: ctx.now });
      try {
        const ingest = await ingestDemo(store, { endMs, seed: opts.seed, size: opts.size });
        const t1 = ctx.now();
        const planning = demoPlanning(endMs);
        const { checkBeforeForecast } = await import('../forecastChecks.js');
        const horizon = await checkBeforeForecast(store, { scenarios: [], horizonMs, strict: false, horizonFlag: '--horizon', warn: (m) => ctx.stderr.write(`capplan: warning: ${m}\n`) });
        const result = await planRun(store, {
          asOfMs: endMs,
          horizonMs: horizon,
          planning,
          scenarios: planning.scenarios,
          planSource: planSourceOf(demoPlanPath()),
          ...(opts.workers ? { workers: opts.workers } : {}),
        });
        const run = result.forecast;
        const t2 = ctx.now();
        const model = await buildReportModel(store, { nowMs: ctx.now(), timeZone: opts.tz, title: 'Capacity headroom report — demo fleet' });
        const files = writeReportFiles(model, opts.out, ['md', 'html', 'json', 'csv']);
        const w = (s: string) => ctx.stdout.write(`${s}\n`);
        const models = [...run.models].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} × ${n}`).join(', ');
        w(`capplan demo: ${ingest.series} series of hourly history up to ${formatDate(endMs, opts.tz)} (seed ${opts.seed})`);
        w(`  stored    ${ingest.inserted.toLocaleString('en-US')} new samples (${ingest.existing.toLocaleString('en-US')} already stored) in ${opts.db}, pull #${ingest.pullId}`);
        w(`  forecast  ${run.seriesCount} series in ${((t2 - t1) / 1000).toFixed(1)} s, horizon ${horizon === horizonMs ? opts.horizon : `${Math.round(horizon / 86_400_000)}d (capped)`}, run #${run.runId}${run.failedCount ? `, ${run.failedCount} failed` : ''}`);
        w(`  models    ${models}`);
        w(`  top risks (full at p50; 80% interval p10 – p90, dates ${opts.tz}):`);
        const top = model.resources.filter((r) => headlineExhaustion(r)?.status !== 'beyond_horizon').slice(0, 5);
        if (top.length === 0) w('    none within the horizon');
        top.forEach((r, i) => {
          const e = headlineExhaustion(r);
          const interval = e && e.status === 'within' ? `  (${intervalText(e, model.run?.horizonEndMs ?? null, opts.tz)})` : '';
          w(`    ${i + 1}. ${r.name}: ${fullText(e, endMs, model.run?.horizonEndMs ?? null, opts.tz, r.error)}${interval}  [${r.model ?? '–'}]`);
        });
        for (const [name, id] of run.scenarioRuns) {
          const moved = await scenarioEffect(store, run.runId, id);
          w(`  scenario  ${name} (run #${id}): ${moved}`);
        }
        for (const b of result.budgets) {
          const firing = b.alerts.filter((a) => a.firing).map((a) => `${a.severity} ${a.factor}×`).join(', ');
          const out = b.status === 'within' ? `runs out ${formatDate(b.p50, opts.tz)} (${formatDate(b.p10, opts.tz)} – ${b.p90 === null ? 'later' : formatDate(b.p90, opts.tz)})` : b.status === 'past' ? 'spent' : 'lasts the horizon';
          w(`  budget    ${b.slo} (${(b.objective * 100).toFixed(1)}%): ${(b.remaining * 100).toFixed(0)}% left, ${out}${firing ? `; alerts firing: ${firing}` : ''}`);
        }
        w(`  report    ${files.map((f) => relative(ctx.cwd, f) || f).join(', ')}`);
        w(`  next      npx capplan sql --db ${opts.db} "SELECT name, status, p10, p50, p90 FROM latest_exhaustion WHERE threshold = 1 ORDER BY p50"`);
        w(`  more      npx capplan headroom --db ${opts.db}   ·   npx capplan budget --db ${opts.db}   ·   npx capplan diff --db ${opts.db}`);
        w(`  done in ${((ctx.now() - started) / 1000).toFixed(1)} s`);
        reportRisks(ctx, result.risks, Boolean(opts.failOnRisk));
      } finally {
        store.close();
      }
    });
};

/** How a scenario run moved the full (100%) dates against the baseline (store/scenarioEffects.ts, as in the report). */
async function scenarioEffect(store: Store, baseline: number, scenario: number): Promise<string> {
  const { scenarioEffects } = await import('../../store/scenarioEffects.js');
  const effects = await scenarioEffects(store, baseline, scenario);
  const newly = effects.filter((e) => e.baselineStatus === 'beyond_horizon' && e.scenarioStatus === 'within').length;
  const earlier = effects.filter((e) => e.days !== null && e.days < 0);
  const days = Math.max(0, ...earlier.map((e) => -(e.days as number)));
  return `${newly} more series full within the horizon, ${earlier.length} full earlier${days >= 1 ? ` (by up to ${days} days)` : ''}`;
}
