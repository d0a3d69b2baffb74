import { resolveShard } from '../../shard.js';
import type { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { ExitCode, SourceError, UsageError } from '../../errors.js';
import type { Plan, SourceType } from '../../plan/Plan.js';
import { adHocPlan, type ResolutionChoice } from '../adHocPlan.js';
import { sourceTypeOf } from '../../source/SourceConfig.js';
import type { PullPlanned, PullProgress } from '../../source/prometheus/pullResource.js';
import type { RunPullResult } from '../../pipeline/runPull.js';
import type { CliContext, OutputStream } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';
import { onInterrupt } from '../interrupt.js';
import { collect, oneOf, positiveInt } from '../options.js';

interface PullOptions {
  db: string;
  shard?: string;
  plan?: string;
  resource: string[];
  full?: boolean;
  url?: string;
  query?: string;
  name?: string;
  since?: string;
  start?: string;
  end?: string;
  step?: string;
  resolution?: ResolutionChoice;
  aggregate?: string;
  capacity?: number;
  unit?: string;
  header: string[];
  type?: SourceType;
  maxPoints?: number;
  concurrency?: number;
  timeout?: string;
  strict?: boolean;
}


/** Flags that only mean something for an ad-hoc pull. */
const AD_HOC_ONLY = ['query', 'name', 'since', 'start', 'end', 'step', 'resolution', 'aggregate', 'capacity', 'unit', 'type', 'maxPoints', 'concurrency', 'timeout'] as const;

export const registerPull: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('pull')
    .description('Pull metric history from Prometheus, Thanos, Mimir or VictoriaMetrics into the database: every resource of a plan, or one ad-hoc query.')
    .requiredOption('--db <path>', 'DuckDB database to write (created if missing)')
    .option('--plan <file>', 'plan file (YAML) naming sources and resources')
    .option('--resource <name>', 'with --plan: pull only this resource (repeatable)', collect, [])
    .option('--full', 're-pull the whole lookback instead of resuming after what is stored (never duplicates)')
    .option('--url <url>', 'ad hoc: the server (credentials from CAPPLAN_BEARER_TOKEN(_FILE) or CAPPLAN_BASIC_AUTH_USER + CAPPLAN_BASIC_AUTH_PASSWORD(_FILE))')
    .option('--query <promql>', 'ad hoc: the usage query')
    .option('--name <name>', 'ad hoc: the resource name to store it under')
    .option('--since <duration>', 'ad hoc: how far back, e.g. 180d (default 180d)')
    .option('--start <time>', 'ad hoc: range start (RFC 3339, a date, or unix seconds); pulled whole')
    .option('--end <time>', 'ad hoc: range end (default now)')
    .option('--step <duration>', 'ad hoc: one stored point per step (default 1h)')
    .option('--resolution <res>', 'ad hoc: Thanos max_source_resolution: auto (from the step), raw, 5m or 1h', oneOf(['auto', 'raw', '5m', '1h'] as const))
    .option('--aggregate <agg>', 'ad hoc: what each step keeps: max (default), min, avg, last, p95, p99 or a quantile')
    .option('--capacity <n>', 'ad hoc: a constant capacity in the same unit', parseNumber)
    .option('--unit <unit>', 'ad hoc: unit of the values, e.g. bytes')
    .option('--header <header>', "ad hoc: extra header 'Name: value', e.g. 'X-Scope-OrgID: team' (repeatable)", collect, [])
    .option('--type <type>', 'ad hoc: the server kind (default: detected from its build info)', oneOf(['prometheus', 'thanos', 'mimir', 'victoriametrics'] as const))
    .option('--max-points <n>', 'ad hoc: points per request before splitting (default 11000; 30000 for VictoriaMetrics)', positiveInt)
    .option('--concurrency <n>', 'ad hoc: requests in flight at once (default 4)', positiveInt)
    .option('--timeout <duration>', 'ad hoc: per-request timeout (default 2m)')
    .option('--shard <I/N|auto>', "store only this host's slice of the fleet (stable hash of the series id), e.g. 1/4; auto: index from JOB_COMPLETION_INDEX, N from auto/N or CAPPLAN_SHARD_COUNT")
    .option('--strict', 'a query that returns no series ends with exit 6 (it is always a warning)')
    .addHelpText(
      'after',
      `
Examples:
  capplan pull --db capplan.duckdb --plan plan.yaml
  capplan pull --db capplan.duckdb --plan plan.yaml --resource disk --full
  capplan pull --db capplan.duckdb --url http://prometheus:9090 --name disk \\
      --query 'node_filesystem_size_bytes - node_filesystem_avail_bytes' --since 180d --step 1h --aggregate max

Exit codes: 0 all pulled (partial responses are warnings), 5 a resource failed at its source
(the others are stored), 2 usage or plan error, 4 database locked.`,
    )
    .action(async (opts: PullOptions) => pullCommand(ctx, opts));
};

async function pullCommand(ctx: CliContext, opts: PullOptions): Promise<void> {
  const started = ctx.now();
  const shard = opts.shard ? resolveShard(opts.shard, ctx.env, '--shard') : null;
  const { plan, endMs, full, resources } = await planFor(ctx, opts);
  const [{ Store }, { closeInterruptedPulls, runPull }] = await Promise.all([import('../../store/Store.js'), import('../../pipeline/runPull.js')]);
  const store = await Store.open(opts.db, { now: ctx.now });
  const progress = ctx.stderr.isTTY ? new ProgressBar(ctx.stderr, (await import('cli-progress')).SingleBar) : null;
  let result: RunPullResult;
  const removeInterrupt = onInterrupt(async (signal) => {
    progress?.stop();
    const closed = await store.markInterrupted(`interrupted by ${signal}`);
    ctx.stderr.write(`capplan: interrupted by ${signal}: ${closed.pulls} pull${closed.pulls === 1 ? '' : 's'} marked interrupted; samples stored so far are kept and the next pull resumes after them\n`);
  });
  try {
    await closeInterruptedPulls(store);
    result = await runPull(plan, store, {
      resources,
      nowMs: endMs,
      full,
      ...(shard ? { shard } : {}),
      clientOptions: { secretReaders: { env: ctx.env as NodeJS.ProcessEnv } },
      onPlanned: (e) => progress?.planned(e),
      onProgress: (e) => progress?.progress(e),
    });
  } finally {
    removeInterrupt();
    progress?.stop();
    store.close();
  }
  await report(ctx, plan, result, (ctx.now() - started) / 1000);
  const empty = result.pulls.filter((p) => p.series === 0).length;
  if (result.failures.length > 0) ctx.setExitCode(5);
  else if (opts.strict && empty > 0) ctx.setExitCode(ExitCode.data);
}

/** The plan to run: the plan file's, or the one resource the ad-hoc flags describe. */
async function planFor(ctx: CliContext, opts: PullOptions): Promise<{ plan: Plan; endMs: number; full: boolean; resources?: string[] }> {
  if (opts.plan !== undefined && opts.url !== undefined) throw new UsageError('give either --plan FILE or --url URL with --query and --name, not both');
  if (opts.plan !== undefined) {
    const given = AD_HOC_ONLY.filter((k) => opts[k] !== undefined);
    if (given.length > 0 || opts.header.length > 0) {
      const flags = [...given.map(flagName), ...(opts.header.length ? ['--header'] : [])];
      throw new UsageError(`${flags.join(', ')}: only for ad-hoc pulls (--url); with --plan, set these in the plan file`);
    }
    const { loadPlan } = await import('../../plan/loadPlan.js');
    const plan = await loadPlan(opts.plan);
    return { plan, endMs: ctx.now(), full: Boolean(opts.full), resources: opts.resource };
  }
  if (opts.url === undefined) throw new UsageError('give --plan FILE, or --url URL --query PROMQL --name NAME for an ad-hoc pull');
  if (opts.resource.length > 0) throw new UsageError('--resource: only with --plan (an ad-hoc pull has one resource, named by --name)');
  if (opts.query === undefined) throw new UsageError('--query: required with --url');
  if (opts.name === undefined) throw new UsageError('--name: required with --url (the resource name to store the series under)');
  const spec = {
    url: opts.url,
    headers: opts.header,
    type: opts.type,
    resolution: opts.resolution,
    maxPoints: opts.maxPoints,
    concurrency: opts.concurrency,
    timeout: opts.timeout,
    env: ctx.env,
    query: opts.query,
    name: opts.name,
    since: opts.since,
    start: opts.start,
    end: opts.end,
    step: opts.step,
    aggregate: opts.aggregate,
    capacity: opts.capacity,
    unit: opts.unit,
  };
  let built = adHocPlan(spec, ctx.now());
  if (opts.type === undefined && (opts.resolution === undefined || opts.resolution === 'auto')) {
    // Thanos needs its resolution parameters to read downsampled peaks: ask the server what it is.
    const type = await detectType(ctx, built.plan);
    if (type !== 'prometheus') built = adHocPlan({ ...spec, type }, ctx.now());
  }
  return { plan: built.plan, endMs: built.endMs, full: built.full || Boolean(opts.full) };
}

/** The server's kind from its build info; prometheus when it does not say (a proxy may not serve the endpoint). */
async function detectType(ctx: CliContext, plan: Plan): Promise<SourceType> {
  const source = Object.values(plan.sources)[0];
  const { clientForSource } = await import('../../source/prometheus/clientForSource.js');
  const client = clientForSource(source, { secretReaders: { env: ctx.env as NodeJS.ProcessEnv } });
  try {
    return sourceTypeOf((await client.buildInfo()).backend);
  } catch (err) {
    // Unreachable or refused credentials will fail the pull too: say so now, once.
    if (err instanceof SourceError && (err.status === undefined || err.status === 401 || err.status === 403)) throw err;
    return 'prometheus';
  } finally {
    client.close();
  }
}

/** Why a pull of nothing is worth a warning, and what to do about it. */
const NO_SERIES = 'the query returned no series: check the metric name, labels and time range (capplan doctor --plan runs every query of a plan)';

async function report(ctx: CliContext, plan: Plan, result: RunPullResult, seconds: number): Promise<void> {
  const { PullQueryError } = await import('../../source/prometheus/pullResource.js');
  const out = (s: string) => ctx.stdout.write(`${s}\n`);
  const err = (s: string) => ctx.stderr.write(`${s}\n`);
  const n = (x: number) => x.toLocaleString('en-US');
  const byName = new Map(plan.resources.map((r) => [r.name, r]));
  for (const p of result.pulls) {
    const source = byName.get(p.resource)?.source ?? '';
    out(
      `pull #${p.pullId} ${p.resource} (source ${source}): ${p.status}, ${n(p.series)} series, ${n(p.inserted)} new samples, ${n(p.existing)} already stored, ` +
        `${n(p.updated)} updated, ${n(p.dropped)} NaN/stale dropped` +
        (p.warnings.length ? `, ${p.warnings.length} warning${p.warnings.length > 1 ? 's' : ''}` : ''),
    );
    if (p.queryChanged) err(`capplan: note: ${p.resource}: the queries changed since the last pull; every series was re-read over the whole lookback`);
    if (p.backfilled > 0) err(`capplan: note: ${p.resource}: ${n(p.backfilled)} series new to the query or back after a gap had their earlier history read`);
    for (const w of p.warnings) err(`capplan: warning: ${p.resource} (source ${source}): ${w}`);
    if (p.series === 0) err(`capplan: warning: ${p.resource} (source ${source}): ${NO_SERIES}`);
  }
  for (const f of result.failures) {
    err(`capplan: ${f.resource} (source ${f.source}) failed: ${f.error.message}`);
    if (f.error instanceof PullQueryError) err(`  query: ${f.error.query.replace(/\s+/g, ' ').trim()}`);
  }
  const series = result.pulls.reduce((a, p) => a + p.series, 0);
  const inserted = result.pulls.reduce((a, p) => a + p.inserted, 0);
  const existing = result.pulls.reduce((a, p) => a + p.existing, 0);
  const updated = result.pulls.reduce((a, p) => a + p.updated, 0);
  const dropped = result.pulls.reduce((a, p) => a + p.dropped, 0);
  const warnings = result.pulls.reduce((a, p) => a + p.warnings.length, 0);
  const resources = result.pulls.length + result.failures.length;
  out(
    `capplan pull: ${resources} resource${resources === 1 ? '' : 's'}, ${n(series)} series, ${n(inserted)} new samples, ${n(existing)} already stored, ` +
      `${n(updated)} updated, ${n(dropped)} NaN/stale dropped, ${warnings} warning${warnings === 1 ? '' : 's'}${result.failures.length ? `, ${result.failures.length} failed` : ''}, ${seconds.toFixed(1)} s`,
  );
}

/**
 * A progress bar on a terminal: windows done of those planned so far (the
 * total grows as each resource is planned), with series, points and
 * requests. Drawn on the injected stderr, so tests can capture it.
 */
class ProgressBar {
  private readonly bar: SingleBar;
  private total = 0;
  private done = 0;
  private points = 0;
  private requests = 0;
  private readonly series = new Map<string, number>();
  private started = false;

  constructor(stream: OutputStream, Bar: typeof SingleBar) {
    const tty = { write: (s: string) => (stream.write(s), true), isTTY: true, get columns() { return stream.columns ?? 80; } };
    this.bar = new Bar({
      stream: tty as unknown as NodeJS.WritableStream,
      format: 'pulling [{bar}] {value}/{total} windows | {series} series | {points} points | {requests} requests | ETA {eta_formatted}',
      barsize: 24,
      // The cursor stays visible: a Ctrl-C (which ends the process without cleanup) must not leave it hidden.
      hideCursor: false,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 5,
    });
  }

  planned(e: PullPlanned): void {
    this.total += e.windowCount;
    if (!this.started) {
      this.bar.start(this.total, 0, this.payload());
      this.started = true;
    } else {
      this.bar.setTotal(this.total);
    }
  }

  progress(e: PullProgress): void {
    this.done++;
    this.points += e.points;
    this.requests += e.requests;
    const key = `${e.resource}\u0000${e.metric}`;
    this.series.set(key, Math.max(this.series.get(key) ?? 0, e.series));
    if (this.started) this.bar.update(this.done, this.payload());
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }

  private payload() {
    let series = 0;
    for (const v of this.series.values()) series += v;
    return { series: series.toLocaleString('en-US'), points: this.points.toLocaleString('en-US'), requests: this.requests.toLocaleString('en-US') };
  }
}

function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function parseNumber(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n)) throw new UsageError(`--capacity: '${text}' is not a number`);
  return n;
}
