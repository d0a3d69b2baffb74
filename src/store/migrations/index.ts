import { initialSchema } from './001_initial.js';
import { analystViews } from './002_analyst_views.js';
import { planningTables } from './003_planning.js';
import { runCountsCapacityPairs } from './004_run_counts_capacity_pairs.js';
import { pullRefresh } from './005_pull_refresh.js';
import { runProvenance } from './006_run_provenance.js';
import { headroomViews } from './007_headroom_views.js';
import { deterministicMeans } from './008_deterministic_means.js';
import { exhaustionPNever } from './009_exhaustion_p_never.js';
import { exhaustionHistoryPNever } from './010_exhaustion_history_p_never.js';
import type { Migration } from './Migration.js';

/** All migrations in order; the last one's version is the schema this build writes. */
export const MIGRATIONS: readonly Migration[] = [
  initialSchema,
  analystViews,
  planningTables,
  runCountsCapacityPairs,
  pullRefresh,
  runProvenance,
  headroomViews,
  deterministicMeans,
  exhaustionPNever,
  exhaustionHistoryPNever,
];

export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1].version;

export type { Migration };
