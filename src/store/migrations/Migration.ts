/** One numbered, forward-only schema change. Applied in a transaction, recorded in `schema_migrations`. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly statements: readonly string[];
}
