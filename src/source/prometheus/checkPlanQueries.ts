import type { PullTargets, ResourceConfig } from '../SourceConfig.js';
import type { CheckStatus } from './doctor.js';
import { labelKey, type RangeSeries } from './matrix.js';
import { groupQuery } from './peakQuery.js';
import type { PromClient, PromClientOptions } from './PromClient.js';
import { clientForSource } from './clientForSource.js';
import { DAY } from '../../time/constants.js';

/** One query of a resource, run as a pull would run it. */
export interface QueryCheck {
  readonly status: CheckStatus;
  readonly detail: string;
}

/** What a plan's resource query returns today: series count, history span, and whether capacity labels line up. */
export interface ResourceQueryCheck {
  readonly resource: string;
  readonly source: string;
  readonly usage: QueryCheck;
  readonly capacity: QueryCheck;
}

/** At most this many points per series: enough to see the history's extent, cheap on any server. */
const MAX_POINTS = 1000;

/**
 * Runs every resource's usage query over its lookback (at a coarse step: at
 * most 1,000 points per series) and its capacity query over the last day,
 * and reports what a pull would get: how many series, how far back the
 * history reaches, and how many usage series have no capacity series with
 * the same labels (their capacity would stay unknown). A query the server
 * refuses fails; a query returning nothing, or capacities that do not line
 * up, warns. Nothing is stored.
 */
export async function checkPlanQueries(
  plan: PullTargets,
  options: { nowMs: number; sources?: readonly string[]; clientOptions?: Partial<PromClientOptions> },
): Promise<ResourceQueryCheck[]> {
  const clients = new Map<string, PromClient>();
  const clientFor = (name: string) => {
    let c = clients.get(name);
    if (!c) clients.set(name, (c = clientForSource(plan.sources[name], { ...options.clientOptions, backoff: { retries: 0 } })));
    return c;
  };
  const out: ResourceQueryCheck[] = [];
  try {
    for (const r of plan.resources) {
      if (options.sources && options.sources.length > 0 && !options.sources.includes(r.source)) continue;
      out.push(await checkResource(r, clientFor(r.source), options.nowMs));
    }
  } finally {
    for (const c of clients.values()) c.close();
  }
  return out;
}

async function checkResource(r: ResourceConfig, client: PromClient, nowMs: number): Promise<ResourceQueryCheck> {
  const endMs = Math.floor(nowMs / 60_000) * 60_000;
  const stepMs = Math.max(r.stepMs, Math.ceil(r.lookbackMs / MAX_POINTS / 60_000) * 60_000);
  let usageSeries: readonly RangeSeries[] | null = null;
  let usage: QueryCheck;
  try {
    const res = await client.queryRange({ query: groupQuery(r.usage, r.groupBy), startMs: endMs - r.lookbackMs, endMs, stepMs });
    usageSeries = res.series.filter((s) => s.timestamps.length > 0);
    usage = describeUsage(usageSeries, r, stepMs);
  } catch (err) {
    usage = { status: 'fail', detail: (err as Error).message };
  }
  return { resource: r.name, source: r.source, usage, capacity: await checkCapacity(r, client, endMs, usageSeries) };
}

function describeUsage(series: readonly RangeSeries[], r: ResourceConfig, stepMs: number): QueryCheck {
  if (series.length === 0) {
    return { status: 'warn', detail: `no series over the last ${days(r.lookbackMs)}: check the metric name and labels (a pull would store nothing)` };
  }
  let first = Infinity;
  let last = -Infinity;
  for (const s of series) {
    first = Math.min(first, s.timestamps[0]);
    last = Math.max(last, s.timestamps[s.timestamps.length - 1]);
  }
  const span = last - first;
  const short = span < r.lookbackMs / 2;
  return {
    status: 'ok',
    detail: `${series.length} series; history ${days(span)} (${iso(first)} → ${iso(last)}, read at ${days(stepMs)} steps) of the ${days(r.lookbackMs)} lookback${short ? '; less than half of it' : ''}`,
  };
}

async function checkCapacity(r: ResourceConfig, client: PromClient, endMs: number, usage: readonly RangeSeries[] | null): Promise<QueryCheck> {
  if (r.capacity === null) return { status: 'warn', detail: 'none in the plan: exhaustion cannot be dated (add capacity: a query or a number)' };
  if ('value' in r.capacity) return { status: 'ok', detail: `constant ${r.capacity.value}` };
  let series: readonly RangeSeries[];
  try {
    const res = await client.queryRange({ query: groupQuery(r.capacity.query, r.groupBy), startMs: endMs - DAY, endMs, stepMs: Math.max(r.stepMs, 3_600_000) });
    series = res.series.filter((s) => s.timestamps.length > 0);
  } catch (err) {
    return { status: 'fail', detail: (err as Error).message };
  }
  if (series.length === 0) return { status: 'warn', detail: 'no series over the last day: capacities would stay unknown' };
  if (usage === null || usage.length === 0) return { status: 'ok', detail: `${series.length} series (no usage series to match them with)` };
  const capacityKeys = new Set(series.map((s) => labelKey(withoutName(s.labels))));
  const unmatched = usage.filter((s) => !capacityKeys.has(labelKey(withoutName(s.labels))));
  if (unmatched.length === 0) return { status: 'ok', detail: `${series.length} series; labels match all ${usage.length} usage series` };
  const example = Object.entries(withoutName(unmatched[0].labels)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',');
  return {
    status: 'warn',
    detail: `${series.length} series; ${unmatched.length} of ${usage.length} usage series have no capacity series with the same labels (e.g. {${example}}): give both queries the same labels (sum by or groupBy)`,
  };
}

function withoutName(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => k !== '__name__'));
}

function days(ms: number): string {
  if (ms >= DAY) return `${Math.round(ms / DAY)}d`;
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
