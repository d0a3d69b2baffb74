import { SourceError, UsageError } from '../errors.js';
import type { Plan, SourceConfig } from '../plan/Plan.js';
import type { Store } from '../store/Store.js';
import { clientForSource } from '../source/prometheus/clientForSource.js';
import type { PromClient, PromClientOptions } from '../source/prometheus/PromClient.js';
import { pullResource, type PullPlanned, type PullProgress, type PullSummary } from '../source/prometheus/pullResource.js';
import { Semaphore } from '../source/prometheus/Semaphore.js';
import type { Shard } from '../shard.js';

export interface RunPullOptions {
  /** Resource names to pull; all of the plan's when absent. */
  readonly resources?: readonly string[];
  /** The pulls' end (ms UTC); now when absent. */
  readonly nowMs?: number;
  /** Re-pull each resource's whole lookback instead of resuming from what is stored. */
  readonly full?: boolean;
  readonly overlapSteps?: number;
  /** Store only this host's slice of every resource (`--shard I/N`). */
  readonly shard?: Shard;
  /** Resources pulled at once (each source still caps its own requests). Default 2. */
  readonly parallel?: number;
  /** Builds the client for a source; tests inject one, the CLI normally leaves the default. */
  readonly clientFor?: (source: SourceConfig) => PromClient;
  /** Extra client settings for the default `clientFor` (sleep, random, secret readers). */
  readonly clientOptions?: Partial<PromClientOptions>;
  readonly onProgress?: (event: PullProgress) => void;
  readonly onPlanned?: (event: PullPlanned) => void;
}

/** A resource whose pull failed; its pull row says 'failed' and what it got is kept. */
export interface PullFailure {
  readonly resource: string;
  readonly source: string;
  readonly error: SourceError;
}

export interface RunPullResult {
  /** Finished pulls, in plan order. */
  readonly pulls: readonly PullSummary[];
  readonly failures: readonly PullFailure[];
}

/**
 * Pulls every (or each selected) resource of a plan into the store. One
 * resource failing at its source does not stop the others: the failure is
 * recorded and returned, and the caller picks the exit code. Anything else
 * (a store error, a bug) is thrown once all pulls in flight have settled.
 */
export async function runPull(plan: Plan, store: Store, options: RunPullOptions = {}): Promise<RunPullResult> {
  const selected = selectResources(plan, options.resources);
  const clientFor = options.clientFor ?? ((s: SourceConfig) => clientForSource(s, options.clientOptions));
  const clients = new Map<string, PromClient>();
  const semaphores = new Map<string, Semaphore>();
  for (const r of selected) {
    const source = plan.sources[r.source];
    if (!clients.has(source.name)) {
      clients.set(source.name, clientFor(source));
      semaphores.set(source.name, new Semaphore(source.concurrency));
    }
  }
  const storeLock = new Semaphore(1);
  const slots = new Semaphore(Math.max(1, options.parallel ?? 2));
  const settled = await Promise.allSettled(
    selected.map((r) =>
      slots.run(() =>
        pullResource(store, r, {
          client: clients.get(r.source) as PromClient,
          source: plan.sources[r.source],
          semaphore: semaphores.get(r.source),
          storeLock,
          nowMs: options.nowMs,
          full: options.full,
          overlapSteps: options.overlapSteps,
          ...(options.shard ? { shard: options.shard } : {}),
          onProgress: options.onProgress,
          onPlanned: options.onPlanned,
        }),
      ),
    ),
  );
  // Clients made here are closed here; injected ones belong to the caller.
  if (!options.clientFor) for (const c of clients.values()) c.close();
  const pulls: PullSummary[] = [];
  const failures: PullFailure[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') pulls.push(s.value);
    else if (s.reason instanceof SourceError) failures.push({ resource: selected[i].name, source: selected[i].source, error: s.reason });
  });
  const unexpected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && !(s.reason instanceof SourceError));
  if (unexpected) throw unexpected.reason;
  return { pulls, failures };
}

function selectResources(plan: Plan, names: readonly string[] | undefined) {
  if (!names || names.length === 0) return plan.resources;
  const known = new Map(plan.resources.map((r) => [r.name, r]));
  const missing = names.filter((n) => !known.has(n));
  if (missing.length > 0) {
    throw new UsageError(`no resource named ${missing.map((n) => JSON.stringify(n)).join(', ')} in the plan (resources: ${[...known.keys()].join(', ')})`);
  }
  return [...new Set(names)].map((n) => known.get(n) as (typeof plan.resources)[number]);
}

/**
 * Marks pulls left 'running' by a process that died (killed, crashed) as
 * failed, keeping what they stored. Only call it holding the database for
 * writing: DuckDB's file lock then guarantees no other pull is running.
 * Returns how many were closed.
 */
export async function closeInterruptedPulls(store: Store): Promise<number> {
  const r = await store.connection.run(
    `UPDATE pulls SET status = 'failed',
       error = 'interrupted: the process ended before the pull finished; samples it stored are kept and the next pull resumes after them'
     WHERE status = 'running'`,
  );
  return Number(r.rowsChanged);
}
