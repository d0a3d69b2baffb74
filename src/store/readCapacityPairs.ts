import type { DuckDBConnection } from '@duckdb/node-api';

/** How a usage series and a capacity series of one resource pair up (the `capacity_pairs` view). */
export interface CapacityPair {
  readonly resource: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly usageSeriesId: string | null;
  readonly capacitySeriesId: string | null;
  /** Latest value of the capacity series; null without one. */
  readonly capacity: number | null;
  readonly status: 'paired' | 'no_capacity' | 'no_usage';
}

/**
 * Every row of `capacity_pairs`, the one definition of which capacity series
 * belongs to which usage series (same resource, identical labels).
 */
export async function readCapacityPairs(connection: DuckDBConnection): Promise<CapacityPair[]> {
  const reader = await connection.runAndReadAll(
    `SELECT resource, map_keys(labels), map_values(labels), usage_series_id, capacity_series_id, capacity, status
     FROM capacity_pairs ORDER BY resource, status, CAST(labels AS VARCHAR), coalesce(usage_series_id, capacity_series_id)`,
  );
  return reader.getRowsJS().map(([resource, keys, values, usage, capacity, value, status]) => {
    const k = keys as string[];
    const v = values as string[];
    return {
      resource: String(resource),
      labels: Object.fromEntries(k.map((key, i) => [key, v[i]])),
      usageSeriesId: usage === null ? null : String(usage),
      capacitySeriesId: capacity === null ? null : String(capacity),
      capacity: value === null ? null : Number(value),
      status: status as CapacityPair['status'],
    };
  });
}
