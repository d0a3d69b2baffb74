import { initialSchema } from './001_initial.js';
import type { Migration } from './Migration.js';

/** All migrations in order; the last one's version is the schema this build writes. */
export const MIGRATIONS: readonly Migration[] = [initialSchema];

export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1].version;

export type { Migration };
