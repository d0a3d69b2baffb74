import type { DuckDBConnection } from '@duckdb/node-api';
import { CapplanError, ExitCode } from '../errors.js';

/**
 * A query's result as plain JSON-safe values: integers as numbers when exact
 * (else decimal strings), timestamps as ISO-8601 UTC strings, MAPs as objects.
 */
export interface QueryResult {
  readonly columns: readonly string[];
  readonly types: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

/** SQL the database rejected: carries DuckDB's own message, which names the position. */
export class SqlError extends CapplanError {
  constructor(message: string) {
    super(message, ExitCode.failure);
  }
}

/** Runs one or more statements and returns the last one's result. */
export async function runQuery(connection: DuckDBConnection, sql: string): Promise<QueryResult> {
  try {
    const reader = await connection.runAndReadAll(sql);
    const types = reader.columnTypes().map((t) => t.toString());
    const rows = reader.getRowsJS().map((row) => row.map((v, i) => plain(v, types[i])));
    return { columns: reader.columnNames(), types, rows };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new SqlError(`SQL error: ${message}`);
  }
}

/** A query's columns and its rows in batches (one DuckDB chunk each), never all in memory at once. */
export interface QueryStream {
  readonly columns: readonly string[];
  readonly types: readonly string[];
  readonly batches: AsyncIterable<readonly (readonly unknown[])[]>;
}

/** Runs one statement and streams its result, values converted as by `runQuery`. */
export async function streamQuery(connection: DuckDBConnection, sql: string): Promise<QueryStream> {
  let result;
  try {
    result = await connection.stream(sql);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new SqlError(`SQL error: ${message}`);
  }
  const types = result.columnTypes().map((t) => t.toString());
  const source = result;
  async function* batches(): AsyncGenerator<unknown[][]> {
    try {
      for await (const rows of source.yieldRowsJs()) yield rows.map((row) => row.map((v, i) => plain(v, types[i])));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new SqlError(`SQL error: ${message}`);
    }
  }
  return { columns: result.columnNames(), types, batches: batches() };
}

function plain(v: unknown, type: string | undefined): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Array.isArray(v)) {
    if (type?.startsWith('MAP(')) {
      return Object.fromEntries((v as { key: unknown; value: unknown }[]).map((e) => [String(e.key), plain(e.value, undefined)]));
    }
    return v.map((x) => plain(x, undefined));
  }
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x, undefined)]));
  }
  return v;
}
