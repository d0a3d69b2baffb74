import type { DuckDBConnection } from '@duckdb/node-api';
import { runQuery, SqlError, type QueryResult } from '../store/runQuery.js';

/** One statement of a script: its text (up to, not including, the `;`) and the 1-based line it starts on. */
export interface SqlStatement {
  readonly text: string;
  readonly line: number;
}

/**
 * Splits SQL at top-level semicolons, respecting strings ('…', E'…'), quoted
 * identifiers, dollar quotes and comments. Pieces holding only whitespace and
 * comments are dropped. Each piece keeps its leading whitespace so line
 * numbers inside it stay relative to `line`.
 */
export function splitStatements(sql: string): SqlStatement[] {
  const out: SqlStatement[] = [];
  let start = 0;
  let line = 1;
  let startLine = 1;
  let hasCode = false;
  let i = 0;
  const push = (end: number) => {
    if (hasCode) out.push({ text: sql.slice(start, end), line: startLine });
    hasCode = false;
  };
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === '-' && next === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      line += countLines(sql, i, stop);
      i = stop;
    } else if (c === "'" || c === '"') {
      hasCode = true;
      const backslash = c === "'" && i > 0 && /[eE]/.test(sql[i - 1]) && (i < 2 || !/\w/.test(sql[i - 2]));
      let j = i + 1;
      while (j < sql.length) {
        if (backslash && sql[j] === '\\') j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      const stop = Math.min(sql.length, j + 1);
      line += countLines(sql, i, stop);
      i = stop;
    } else if (c === '$' && /^\$[A-Za-z_]*\$/.test(sql.slice(i, i + 64)) && !(i > 0 && /\w/.test(sql[i - 1]))) {
      hasCode = true;
      const tag = (/^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64)) as RegExpExecArray)[0];
      const end = sql.indexOf(tag, i + tag.length);
      const stop = end < 0 ? sql.length : end + tag.length;
      line += countLines(sql, i, stop);
      i = stop;
    } else if (c === ';') {
      push(i);
      i++;
      start = i;
      startLine = line;
    } else {
      if (!/\s/.test(c)) hasCode = true;
      i++;
    }
  }
  push(sql.length);
  return out;
}

function countLines(s: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) if (s[k] === '\n') n++;
  return n;
}

export interface RunScriptOptions {
  /** Names the script in errors, e.g. `q.sql` or `notebook.ipynb cell 3`. */
  readonly source?: string;
  /** Rewrites the last statement before it runs (e.g. to wrap it in COPY … TO). */
  readonly rewriteLast?: (text: string) => string;
  /**
   * Runs the last statement itself (e.g. streaming its rows to the output);
   * `runScript` then returns an empty result. Its SQL errors are placed in the
   * script like any other statement's.
   */
  readonly executeLast?: (text: string) => Promise<void>;
}

/**
 * Runs a script statement by statement and returns the last statement's
 * result. Running them one at a time keeps DuckDB's `LINE n:` position in every
 * error (DuckDB drops it for all but the first statement of a batch); it is
 * shifted here to the line in the whole script.
 */
export async function runScript(connection: DuckDBConnection, sql: string, options: RunScriptOptions = {}): Promise<QueryResult> {
  const where = options.source ? ` in ${options.source}` : '';
  let count: number;
  try {
    count = (await connection.extractStatements(sql)).count;
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).replace(/^Failed to extract statements: /, '');
    throw new SqlError(`SQL error${where}: ${message}`);
  }
  const statements = splitStatements(sql);
  if (count === 0 || statements.length === 0) throw new SqlError(`SQL error${where}: no statement to run`);
  if (statements.length !== count) {
    // The splitter and DuckDB disagree (an exotic quoting form): let DuckDB run the batch itself.
    if (options.rewriteLast) throw new SqlError(`SQL error${where}: cannot find the last statement of the script; give that query on its own`);
    return runQuery(connection, sql).catch((err: unknown) => {
      throw relabel(err, where);
    });
  }
  let result: QueryResult | null = null;
  for (const [i, s] of statements.entries()) {
    const last = i === statements.length - 1;
    const text = last && options.rewriteLast ? options.rewriteLast(s.text) : s.text;
    try {
      if (last && options.executeLast) {
        await options.executeLast(text);
        result = { columns: [], types: [], rows: [] };
      } else result = await runQuery(connection, text);
    } catch (err) {
      const at = statements.length > 1 ? ` (statement ${i + 1} of ${statements.length}, from line ${s.line})` : '';
      throw relabel(err, `${where}${at}`, s.line - 1);
    }
  }
  return result as QueryResult;
}

/** Adds where the failing statement was and moves DuckDB's `LINE n:` to the line in the whole script. */
function relabel(err: unknown, where: string, lineOffset = 0): unknown {
  if (!(err instanceof SqlError)) return err;
  let message = err.message.replace(/^SQL error: /, '');
  if (lineOffset > 0) {
    message = message.replace(/^LINE (\d+): (.*)\n( *)\^/m, (_m, n: string, text: string, pad: string) => {
      const label = `LINE ${Number(n) + lineOffset}: `;
      const shift = label.length - `LINE ${n}: `.length;
      return `${label}${text}\n${' '.repeat(Math.max(0, pad.length + shift))}^`;
    });
  }
  return new SqlError(`SQL error${where}: ${message}`);
}
