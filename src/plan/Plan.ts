import type { PlanningSpec } from './Planning.js';
import type { PullTargets } from '../source/SourceConfig.js';

/** The connection types are the source's; re-exported because a plan file is where users write them. */
export type { CapacitySpec, ResourceConfig, SourceConfig, SourceType } from '../source/SourceConfig.js';

/** A validated plan file: what to pull, from where, and how. */
export interface Plan extends PullTargets {
  /** Thresholds, capacity changes, lead times, scenarios and SLOs; absent in ad-hoc plans (defaults apply). */
  readonly planning?: PlanningSpec;
  /** Where `capplan run` mails the report (SMTP settings come from the environment). */
  readonly email?: { readonly to: readonly string[]; readonly format: 'md' | 'html' | 'pdf'; readonly timeZone: string };
  /** Where `capplan run` pushes its own job metrics (a Prometheus Pushgateway URL); `--pushgateway` overrides it. */
  readonly pushgateway?: string;
}
