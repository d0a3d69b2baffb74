import { initialSchema } from './001_initial.js';
import { analystViews } from './002_analyst_views.js';
import { planningTables } from './003_planning.js';
import { headroomViews } from './007_headroom_views.js';
import type { Migration } from './Migration.js';

/** All migrations in order; the last one's version is the schema this build writes. */
export const MIGRATIONS: readonly Migration[] = [initialSchema, analystViews, planningTables, headroomViews];

export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1].version;

export type { Migration };
