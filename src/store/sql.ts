/** Quotes an SQL identifier (table, column) for DuckDB; values always go in as parameters. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal, for the rare statements that cannot take parameters (e.g. ATTACH, COPY TO paths). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
