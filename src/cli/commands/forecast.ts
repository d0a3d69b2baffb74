import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { DataError, UsageError } from '../../errors.js';
import type { ForecastOptions, SeriesForecast } from '../../forecast/forecastSeries.js';
import { planSourceOf } from '../../plan/planSource.js';
import { resolveShard } from '../../shard.js';
import { parseWhatIf } from '../parseWhatIf.js';
import type { Scenario } from '../../forecast/scenario.js';
import { formatTable, toCsv } from '../../report/tabular.js';
import { parseDuration } from '../../time/duration.js';
import type { CliContext } from '../CliContext.js';
import { datedText, reportRisks } from '../reportRisks.js';
import type { RegisterCommand } from '../program.js';
import { collect, oneOf, positiveInt } from '../options.js';

interface ForecastCliOptions {
  input?: string;
  db?: string;
  horizon: string;
  capacity?: number;
  level: number;
  format: 'json' | 'csv' | 'table';
  models?: string;
  aggregation: 'auto' | 'raw' | 'max' | 'p95' | 'p99';
  workers?: number;
  plan?: string;
  scenario: string[];
  whatIf: string[];
  failOnRisk?: boolean;
  shard?: string;
  strict?: boolean;
  outParquet?: string;
  parquetRun?: string;
}

/**
 * ISO text of a time, memoized: series of one file mostly share their forecast
 * steps, and `toISOString` on every point of 100 series × 2,160 steps costs
 * more than the rest of the output. (Only the --input output uses it: a short run.)
 */
const isoText = new Map<number, string>();
const iso = (ms: number | null): string | null => {
  if (ms === null || !Number.isFinite(ms)) return null;
  let text = isoText.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    isoText.set(ms, text);
  }
  return text;
};

export const registerForecast: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('forecast')
    .description('Forecast series from a CSV file (--input) or a capplan database (--db).')
    .option('--input <file>', "CSV with header 'timestamp,value' or 'series,timestamp,value'")
    .option('--db <path>', 'forecast every series stored in this database and record the run')
    .requiredOption('--horizon <h>', 'a duration (90d, 12w, 36h) or a count of steps of the series’ own interval')
    .option('--capacity <c>', 'capacity to date exhaustion against (same unit as the values)', parseNumber)
    .option('--level <fraction>', 'interval level for lower/upper, e.g. 0.8', parseLevel, 0.8)
    .option('--format <format>', 'json, csv or table', oneOf(['json', 'csv', 'table'] as const), 'json')
    .option('--models <aliases>', 'comma-separated model aliases to choose from (default: all)')
    .option('--aggregation <kind>', 'auto, raw, max, p95 or p99 (auto forecasts the daily peak for long horizons)', oneOf(['auto', 'raw', 'max', 'p95', 'p99'] as const), 'auto')
    .option('--workers <n>', 'worker threads (default: one per core; with --input and a file under 32 MiB, one per idle core; 1 forecasts in the main thread)', positiveInt)
    .option('--plan <file>', 'with --db: plan file with thresholds, capacity changes, lead times, scenarios and SLOs')
    .option('--scenario <name>', "with --db: also run this scenario of the plan (repeatable; 'all' for every one)", collect, [])
    .option('--what-if <spec>', 'with --db: an inline scenario, e.g. traffic:growth=+30%@2027-01-15/14d (repeatable)', collect, [])
    .option('--fail-on-risk', 'with --db: exit 3 when a critical threshold or an error budget is reached within the warning window')
    .option('--shard <I/N|auto>', "with --db: forecast only this host's slice of the fleet (stable hash of the series id); auto: index from JOB_COMPLETION_INDEX, N from auto/N or CAPPLAN_SHARD_COUNT")
    .option('--out-parquet <dir>', 'with --db: leave the database untouched and write this shard\'s results into a Parquet dataset, DIR/run=KEY/shard=I/ (assemble with capplan report --from-parquet)')
    .option('--parquet-run <key>', 'with --out-parquet: the run key every shard shares (default: the as-of time)')
    .option('--strict', 'with --db: a scenario naming no stored resource, or a horizon longer than 2× the stored history, is an error (exit 2) instead of a warning')
    .addHelpText(
      'after',
      `\nExamples:\n  capplan forecast --input datasets/disk-growth-hourly.csv --horizon 90d --capacity 2e12 --format table\n  capplan forecast --input datasets/monthly-storage.csv --horizon 12 --format csv
  capplan forecast --db capplan-demo.duckdb --horizon 180d --what-if 'traffic:growth=+30%@2027-01-15,resources=requests+cpu' --fail-on-risk`,
    )
    .action(async (opts: ForecastCliOptions) => {
      if (Boolean(opts.input) === Boolean(opts.db)) throw new UsageError('give exactly one of --input FILE or --db PATH');
      const horizon = parseHorizon(opts.horizon);
      const models = opts.models?.split(',').map((m) => m.trim()).filter(Boolean);
      if (models) {
        const { MODELS, findModel } = await import('../../models/registry.js');
        for (const alias of models) {
          if (!findModel(alias)) throw new UsageError(`--models: unknown model '${alias}' (known: ${MODELS.map((m) => m.alias).join(', ')})`);
        }
      }
      const options: ForecastOptions = {
        ...horizon,
        levels: [...new Set([opts.level, 0.8, 0.95])].sort((a, b) => a - b),
        aggregation: opts.aggregation,
        ...(models ? { models } : {}),
      };
      if (opts.db) return forecastDb(ctx, opts, options);
      // Before any model code is compiled, here and in the workers (src/cli/jitForShortRuns.ts).
      (await import('../jitForShortRuns.js')).tuneJitForShortRuns();
      // Series go to the worker pool as the CSV reader finishes them; outcomes come back in the file's order.
      const [{ streamSeriesCsv }, { forecastInOrder }, { exhaustion }, { workersForFile }] = await Promise.all([
        import('../../source/csv/readSeriesCsv.js'),
        import('../../forecast/forecastInOrder.js'),
        // Loaded here, not at start-up: its sampling pulls in simple-statistics (test/cli/lazyLoad.test.ts).
        import('../../forecast/exhaustion.js'),
        import('../../forecast/idleCores.js'),
      ]);
      const series = streamSeriesCsv(opts.input as string);
      // Unless told: every core for a large file, one per idle core for a small one (src/forecast/idleCores.ts).
      const workers = opts.workers ?? workersForFile(statSync(opts.input as string).size);
      const outcomes = await forecastInOrder(series, { forecast: options, workers });
      const results: Result[] = outcomes.map((o) => ('error' in o ? { id: o.id, f: null, error: o.error } : { id: o.id, f: o.result, error: null }));
      const ok = results.filter((r) => r.f !== null);
      for (const r of results) if (r.error) ctx.stderr.write(`capplan: ${r.error.startsWith(r.id) ? '' : `${r.id}: `}${r.error}\n`);
      if (ok.length === 0) throw new DataError(`${opts.input}: no series could be forecast`);
      ctx.stdout.write(render(results, opts, exhaustion));
    });
};

type Result = { id: string; f: SeriesForecast | null; error: string | null };
type Exhaustion = typeof import('../../forecast/exhaustion.js').exhaustion;

function render(results: readonly Result[], opts: ForecastCliOptions, exhaustion: Exhaustion): string {
  const level = opts.level;
  const doc = results.map((r) => (r.f ? seriesJson(r.id, r.f, level, opts.capacity, exhaustion) : { series: r.id, error: r.error }));
  // JSON.stringify writes NaN and ±Infinity as null by itself; a replacer function would only slow it down.
  if (opts.format === 'json') return `${JSON.stringify({ series: doc }, null, 2)}\n`;
  if (opts.format === 'csv') {
    const rows: unknown[][] = [];
    for (const r of results) {
      if (!r.f) continue;
      const band = bandAt(r.f, level);
      r.f.point.forEach((v, k) => rows.push([r.id, iso(r.f!.timestamps[k]), v, band.lower[k], band.upper[k]]));
    }
    return toCsv({ columns: ['series', 'timestamp', 'value', 'lower', 'upper'], rows });
  }
  const rows = doc.map((d) =>
    'error' in d
      ? [d.series, 'failed', null, null, null, null, null, null, d.error]
      : [
          d.series,
          d.model,
          d.backtest.mase === null ? null : d.backtest.mase.toFixed(2),
          percent(d.backtest.coverage.find((c) => Math.abs(c.level - level) < 1e-9)?.achieved),
          d.exhaustion?.p10?.slice(0, 10) ?? (d.exhaustion ? 'never' : ''),
          d.exhaustion?.p50?.slice(0, 10) ?? (d.exhaustion ? 'never' : ''),
          d.exhaustion?.p90?.slice(0, 10) ?? (d.exhaustion ? 'never' : ''),
          d.exhaustion ? d.exhaustion.pNever.toFixed(2) : '',
          d.aggregation,
        ],
  );
  return formatTable({ columns: ['series', 'model', 'mase', `coverage_${Math.round(level * 100)}`, 'full_p10', 'full_p50', 'full_p90', 'full_p_never', 'signal'], rows }, 'table');
}

const percent = (v: number | undefined) => (v === undefined ? null : `${Math.round(v * 100)}%`);

function seriesJson(id: string, f: SeriesForecast, level: number, capacity: number | undefined, exhaustion: Exhaustion) {
  const band = bandAt(f, level);
  const ex = capacity === undefined ? null : exhaustion(f, { capacity, threshold: 1, direction: 'rising' });
  return {
    series: id,
    model: f.model,
    fallbackReason: f.fallbackReason,
    level,
    forecast: Array.from(f.point, (v, k) => ({ timestamp: iso(f.timestamps[k]), value: v, lower: band.lower[k], upper: band.upper[k] })),
    exhaustion: ex && { status: ex.status, p10: iso(ex.p10), p50: iso(ex.p50), p90: iso(ex.p90), pNever: ex.pNever, capacity },
    backtest: f.backtest,
    aggregation: f.aggregation.kind === 'raw' ? 'raw' : `${f.aggregation.kind === 'max' ? 'max' : `p${Math.round((f.aggregation.q ?? 0) * 100)}`}/${(f.aggregation.bucketMs ?? 0) / 3_600_000}h`,
    periods: f.periods,
    candidates: f.candidates,
    data: { ...f.data, startMs: undefined, endMs: undefined, start: iso(f.data.startMs), end: iso(f.data.endMs) },
  };
}

function bandAt(f: SeriesForecast, level: number) {
  const band = f.intervals.find((i) => Math.abs(i.level - level) < 1e-9);
  if (!band) throw new Error(`internal: no ${level} interval in forecast`);
  return band;
}

async function forecastDb(ctx: CliContext, opts: ForecastCliOptions, options: ForecastOptions): Promise<void> {
  if (options.horizonMs === undefined) throw new UsageError('--horizon: with --db give a duration such as 180d');
  const plan = opts.plan ? await (await import('../../plan/loadPlan.js')).loadPlan(opts.plan) : null;
  const scenarios = [...pickScenarios(plan?.planning?.scenarios ?? [], opts.scenario, opts.plan), ...opts.whatIf.map(parseWhatIf)];
  const [{ Store }, { planRun }] = await Promise.all([import('../../store/Store.js'), import('../../pipeline/planRun.js')]);
  const shard = opts.shard ? resolveShard(opts.shard, ctx.env, '--shard') : undefined;
  if (opts.parquetRun && !opts.outParquet) throw new UsageError('--parquet-run goes with --out-parquet DIR');
  if (opts.outParquet) return forecastShardToParquet(ctx, opts, options, { plan, scenarios, shard });
  const store = await Store.open(opts.db as string, { now: ctx.now });
  try {
    const { checkBeforeForecast } = await import('../forecastChecks.js');
    const horizonMs = await checkBeforeForecast(store, { scenarios, horizonMs: options.horizonMs, strict: Boolean(opts.strict), horizonFlag: '--horizon', planFile: opts.plan ?? null, warn: (m) => ctx.stderr.write(`capplan: warning: ${m}\n`) });
    const { latestSampleMs } = await import('../../store/runs.js');
    const result = await planRun(store, {
      asOfMs: (await latestSampleMs(store)) || ctx.now(),
      horizonMs,
      planning: plan?.planning ?? null,
      planSource: opts.plan ? planSourceOf(opts.plan) : null,
      scenarios,
      ...(options.models ? { models: options.models } : {}),
      ...(opts.workers ? { workers: opts.workers } : {}),
      ...(shard ? { shard } : {}),
    });
    const run = result.forecast;
    ctx.stdout.write(
      `forecast run #${run.runId}: ${run.seriesCount} series, ${run.failedCount} failed; models ${[...run.models].map(([m, n]) => `${m} × ${n}`).join(', ')}\n`,
    );
    if (run.skipped.length > 0) {
      ctx.stdout.write(`${run.skipped.length} series skipped: no samples stored (${run.skipped.slice(0, 3).map((s) => s.name).join(', ')}${run.skipped.length > 3 ? ', …' : ''})\n`);
    }
    const { capacityWarnings } = await import('../../pipeline/capacityWarnings.js');
    for (const w of capacityWarnings(run.capacityMismatches)) ctx.stderr.write(`capplan: warning: ${w}\n`);
    for (const [name, id] of run.scenarioRuns) ctx.stdout.write(`scenario ${name}: run #${id} (capplan headroom --db ${opts.db} --scenario ${name})\n`);
    for (const b of result.budgets) ctx.stdout.write(`error budget ${b.slo}: ${(b.remaining * 100).toFixed(1)}% left, ${b.status === 'within' ? `runs out ${datedText(b.p50 as number, b.p10, b.p90)}` : b.status === 'past' ? 'spent' : 'lasts the horizon'}\n`);
    reportRisks(ctx, result.risks, Boolean(opts.failOnRisk));
  } finally {
    store.close();
  }
}

/**
 * `--out-parquet`: this shard's forecast into the dataset, the database only
 * read (N processes share it), with the same checks (horizon cap, scenario
 * resources) and plan provenance as an ordinary run, so shards and an
 * unsharded run forecast alike.
 */
async function forecastShardToParquet(
  ctx: CliContext,
  opts: ForecastCliOptions,
  options: ForecastOptions,
  o: { plan: Awaited<ReturnType<typeof import('../../plan/loadPlan.js').loadPlan>> | null; scenarios: Scenario[]; shard: import('../../shard.js').Shard | undefined },
): Promise<void> {
  const [{ Store }, { runShardToDataset }, { checkBeforeForecast }] = await Promise.all([
    import('../../store/Store.js'),
    import('../../pipeline/shardRun.js'),
    import('../forecastChecks.js'),
  ]);
  const source = await Store.open(opts.db as string, { readOnly: true, now: ctx.now });
  let horizonMs: number;
  try {
    horizonMs = await checkBeforeForecast(source, { scenarios: o.scenarios, horizonMs: options.horizonMs as number, strict: Boolean(opts.strict), horizonFlag: '--horizon', warn: (m) => ctx.stderr.write(`capplan: warning: ${m}\n`) });
  } finally {
    source.close();
  }
  const result = await runShardToDataset(opts.db as string, {
    shard: o.shard ?? { index: 1, count: 1 },
    outDir: opts.outParquet as string,
    ...(opts.parquetRun ? { run: opts.parquetRun } : {}),
    horizonMs,
    planning: o.plan?.planning ?? null,
    planSource: opts.plan ? planSourceOf(opts.plan) : null,
    scenarios: o.scenarios,
    ...(options.models ? { models: options.models } : {}),
    ...(opts.workers ? { workers: opts.workers } : {}),
    now: ctx.now,
  });
  const m = result.manifest;
  ctx.stdout.write(`shard ${m.shard}/${m.count}: ${m.seriesForecast} series, ${m.seriesFailed} failed; written to ${result.path}\n`);
  reportRisks(ctx, result.risks, Boolean(opts.failOnRisk));
}

function pickScenarios(all: readonly Scenario[], names: readonly string[], planPath: string | undefined): Scenario[] {
  if (names.length === 0) return [];
  if (!planPath) throw new UsageError('--scenario: named scenarios come from a plan file; give --plan FILE (or use --what-if for an inline one)');
  if (names.includes('all')) return [...all];
  return names.map((n) => {
    const s = all.find((x) => x.name === n);
    if (!s) throw new UsageError(`--scenario: unknown scenario '${n}' (${planPath} defines: ${all.map((x) => x.name).join(', ') || 'none'})`);
    return s;
  });
}


/** A duration (`90d`) or a bare count of steps (`12`). */
function parseHorizon(text: string): { horizonMs: number } | { horizonSteps: number } {
  if (/^\d+$/.test(text.trim())) {
    const n = Number(text);
    if (n <= 0 || n > 100_000) throw new UsageError(`--horizon: ${text} steps is out of range (1 to 100000)`);
    return { horizonSteps: n };
  }
  return { horizonMs: parseDuration(text, '--horizon') };
}

function parseNumber(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n)) throw new UsageError(`--capacity: '${text}' is not a number`);
  return n;
}

function parseLevel(text: string): number {
  const n = Number(text);
  if (!(n > 0 && n < 1)) throw new UsageError(`--level: '${text}' must be a fraction between 0 and 1, e.g. 0.8`);
  return n;
}
