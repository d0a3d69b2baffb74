import type { DuckDBConnection } from '@duckdb/node-api';

const UNITS: Record<string, number> = {
  bytes: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/** DuckDB's `memory_limit` as it prints it ("18.8 GiB", "512.0 MiB") in bytes; null if it is not a size. */
export function parseDuckDbSize(text: string): number | null {
  const m = /^\s*([\d.]+)\s*([a-z]+)\s*$/i.exec(text);
  if (!m) return null;
  const unit = UNITS[m[2].toLowerCase()];
  return unit === undefined ? null : Number(m[1]) * unit;
}

/**
 * Runs `work` with DuckDB's buffer memory capped at `bytes` when the current
 * limit is higher, then puts the earlier limit back. DuckDB's default (80% of
 * RAM) lets its cache of sample blocks grow with every run stored: a 10,000-
 * series forecast peaked at 1.19 GiB with 3 runs in the file and 1.39 GiB
 * with 13; capped at 200 MB the same run peaked at 0.73 GiB in the same time.
 * Data beyond the cap is read again from the file, or spilled next to it.
 * An in-memory database keeps its data in that memory, so it is left alone.
 * Afterwards the database's configured limit applies again.
 */
export async function withMemoryCap<T>(connection: DuckDBConnection, path: string, bytes: number, work: () => Promise<T>): Promise<T> {
  if (path === ':memory:' || path === '') return work();
  const current = parseDuckDbSize(String((await connection.runAndReadAll(`SELECT current_setting('memory_limit')`)).getRows()[0][0]));
  if (current !== null && current <= bytes) return work();
  await connection.run(`SET memory_limit = '${Math.floor(bytes / 2 ** 20)}MiB'`);
  try {
    return await work();
  } finally {
    // RESET, not the printed value: DuckDB prints one decimal, and a limit set back from it shrinks a little each time.
    await connection.run(`RESET memory_limit`);
  }
}
