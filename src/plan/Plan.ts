import type { PlanningSpec } from './Planning.js';
import type { AuthConfig } from '../source/prometheus/auth.js';
import type { Aggregate } from '../source/prometheus/peakQuery.js';
import type { ThanosParams, TlsConfig } from '../source/prometheus/PromClient.js';

export type SourceType = 'prometheus' | 'thanos' | 'victoriametrics' | 'mimir';

/** A metrics server, defaults filled in. */
export interface SourceConfig {
  readonly name: string;
  readonly url: string;
  readonly type: SourceType;
  readonly auth?: AuthConfig;
  readonly headers: Readonly<Record<string, string>>;
  readonly tls?: TlsConfig;
  /** Present exactly when `type` is thanos (empty object = resolution chosen per step, server defaults otherwise). */
  readonly thanos?: ThanosParams;
  readonly timeoutMs: number;
  /** Ask the server for gzip (slow links only; off by default). */
  readonly compression?: boolean;
  /** Points per query_range call before splitting. */
  readonly maxPoints: number;
  /** Requests in flight to this source at once. */
  readonly concurrency: number;
}

/** Where a resource's capacity comes from: its own query, a constant, or nowhere. */
export type CapacitySpec = { readonly query: string } | { readonly value: number } | null;

/** One thing to plan for (a disk fleet, a cluster's CPU), defaults filled in. */
export interface ResourceConfig {
  readonly name: string;
  readonly source: string;
  readonly usage: string;
  readonly capacity: CapacitySpec;
  readonly aggregate: Aggregate;
  readonly stepMs: number;
  readonly lookbackMs: number;
  readonly groupBy: readonly string[];
  readonly unit: string | null;
  readonly direction: 'rising' | 'falling';
  readonly description: string | null;
}

/** A validated plan file: what to pull, from where, and how. */
export interface Plan {
  readonly sources: Readonly<Record<string, SourceConfig>>;
  readonly resources: readonly ResourceConfig[];
  /** Thresholds, capacity changes, lead times, scenarios and SLOs; absent in ad-hoc plans (defaults apply). */
  readonly planning?: PlanningSpec;
  /** Where `capplan run` mails the report (SMTP settings come from the environment). */
  readonly email?: { readonly to: readonly string[]; readonly format: 'md' | 'html' | 'pdf'; readonly timeZone: string };
  /** Where `capplan run` pushes its own job metrics (a Prometheus Pushgateway URL); `--pushgateway` overrides it. */
  readonly pushgateway?: string;
}
