import type { AuthConfig } from './prometheus/auth.js';
import type { Aggregate } from './prometheus/peakQuery.js';
import type { ThanosParams, TlsConfig } from './prometheus/PromClient.js';

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

/** One thing to pull and plan for (a disk fleet, a cluster's CPU), defaults filled in. */
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

/** The sources and resources to pull (a plan file's, or an ad-hoc pull's). */
export interface PullTargets {
  readonly sources: Readonly<Record<string, SourceConfig>>;
  readonly resources: readonly ResourceConfig[];
}

/** The plan source type a detected backend corresponds to (Cortex pulls like Mimir); prometheus when unsure. */
export function sourceTypeOf(backend: string): SourceType {
  if (backend === 'cortex') return 'mimir';
  return backend === 'thanos' || backend === 'mimir' || backend === 'victoriametrics' ? backend : 'prometheus';
}
