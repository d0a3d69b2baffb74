import { listValue, type DuckDBValue } from '@duckdb/node-api';

/**
 * A list parameter. DuckDB cannot infer the item type of an empty list, so an
 * empty list is sent as NULL: statements take these through
 * `coalesce($n::T[], [])` (or treat NULL as "none").
 */
export function listParam(values: readonly DuckDBValue[]): DuckDBValue {
  return values.length === 0 ? null : listValue([...values]);
}

/** A cell read back from DuckDB as a number; null for SQL NULL. */
export function numberOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
