import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { ExitCode, UsageError } from '../../errors.js';
import { formatTable, type TableFormat } from '../../report/tabular.js';
import { quoteLiteral } from '../../store/sql.js';
import type { CliContext } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';
import { oneOf } from '../options.js';

type SqlFormat = TableFormat | 'parquet';

interface SqlOptions {
  db: string;
  file?: string;
  format: SqlFormat;
  out?: string;
  write?: boolean;
  wait: number;
}

export const registerSql: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('sql')
    .description('Run SQL against a capplan database (read-only unless --write).')
    .argument('[query]', "SQL text; or -f FILE; or '-' to read standard input")
    .requiredOption('--db <path>', 'the DuckDB database file')
    .option('-f, --file <file>', 'read the SQL from a file')
    .option('--format <format>', 'table, csv, json or parquet (parquet needs --out)', oneOf(['table', 'csv', 'json', 'parquet'] as const), 'table')
    .option('--out <file>', 'write the result to FILE instead of standard output')
    .option('--write', 'allow statements that modify the database')
    .option('--wait <seconds>', 'how long to keep retrying while another process holds the database', seconds, 10)
    .addHelpText(
      'after',
      `
Several statements may be given; the last one's result is printed.

Locking: DuckDB lets one process write a database file, or any number read it, not both.
capplan sql opens the file only for the query; while another process writes it (a cron
'capplan pull', or a DuckDB session opened read-write) it retries for --wait seconds,
then gives up with exit code ${ExitCode.locked}.

Examples:
  capplan sql --db capplan.duckdb "SELECT count(*) FROM samples"
  capplan sql --db capplan.duckdb --format csv "SELECT * FROM latest_exhaustion"
  capplan sql --db capplan.duckdb --format parquet --out peaks.parquet "SELECT * FROM daily_peaks"`,
    )
    .action(async (query: string | undefined, opts: SqlOptions) => {
      if (opts.format === 'parquet' && !opts.out) throw new UsageError('--format parquet writes a file: give it with --out FILE');
      const sql = await readSql(query, opts);
      const [{ openWaiting }, { runScript }] = await Promise.all([import('../../store/openWaiting.js'), import('../../notebook/sqlScript.js')]);
      const store = await openWaiting(opts.db, { readOnly: !opts.write, now: ctx.now }, opts.wait * 1000, '--wait');
      try {
        const source = opts.file ? opts.file : undefined;
        if (opts.format === 'parquet') {
          const out = resolve(ctx.cwd, opts.out as string);
          const result = await runScript(store.connection, sql, {
            source,
            rewriteLast: (text) => `COPY (${text}\n) TO ${quoteLiteral(out)} (FORMAT parquet)`,
          }).catch(readOnlyHint(opts));
          const rows = Number(result.rows[0]?.[0] ?? 0);
          ctx.stdout.write(`wrote ${rows} row${rows === 1 ? '' : 's'} to ${opts.out}\n`);
          return;
        }
        // The last statement's rows are streamed to the output, so any number of them fits
        // (561,054 demo samples print without holding them all).
        const { streamQuery } = await import('../../store/runQuery.js');
        const { writeTableStream } = await import('../../report/tableStream.js');
        const fd = opts.out ? openSync(resolve(ctx.cwd, opts.out), 'w') : null;
        const write = fd === null ? (text: string) => ctx.stdout.write(text) : (text: string) => void writeSync(fd, text);
        let streamed = false;
        try {
          const result = await runScript(store.connection, sql, {
            source,
            executeLast: async (text) => {
              const q = await streamQuery(store.connection, text);
              const afterBatch = async () => {
                if (fd !== null) return;
                await ctx.stdout.ready?.();
                // The reader has gone: reading the rest of the rows would only burn time.
                if (ctx.stdout.closed) throw READER_GONE;
              };
              try {
                await writeTableStream(q.columns, withDates(q.types, q.batches), opts.format as TableFormat, write, afterBatch);
              } catch (err) {
                if (err !== READER_GONE) throw err;
              }
              streamed = true;
            },
          }).catch(readOnlyHint(opts));
          // A script DuckDB and the splitter read differently runs as one batch, not streamed.
          if (!streamed) {
            const rows: (readonly unknown[])[] = [];
            for await (const batch of withDates(result.types, [result.rows])) rows.push(...batch);
            write(formatTable({ columns: result.columns, rows }, opts.format as TableFormat));
          }
        } finally {
          if (fd !== null) closeSync(fd);
        }
      } finally {
        store.close();
      }
    });
};

/** Thrown from the output's back-pressure wait when the reader closed the pipe; ends the command quietly. */
const READER_GONE = new Error('the reader closed the output');

/** DATE values as YYYY-MM-DD: a calendar day, not the midnight instant the driver hands back. */
async function* withDates(types: readonly string[], batches: AsyncIterable<readonly (readonly unknown[])[]> | Iterable<readonly (readonly unknown[])[]>): AsyncGenerator<readonly (readonly unknown[])[]> {
  const dates = types.map((t) => t === 'DATE');
  for await (const rows of batches) {
    yield dates.some(Boolean) ? rows.map((row) => row.map((v, i) => (dates[i] && typeof v === 'string' ? v.slice(0, 10) : v))) : rows;
  }
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of seconds, 0 or more');
  return n;
}

/** Turns DuckDB's read-only refusal into the flag to pass. */
function readOnlyHint(opts: SqlOptions): (err: unknown) => never {
  return (err: unknown) => {
    if (!opts.write && err instanceof Error) {
      const m = /Cannot execute statement of type "(\w+)".*read-only mode/i.exec(err.message);
      if (m || /read-only mode/i.test(err.message)) {
        const what = m ? ` (the SQL has a ${m[1]} statement)` : '';
        throw new UsageError(`the database is opened read-only; pass --write to run statements that modify it${what}`);
      }
    }
    throw err;
  };
}

async function readSql(query: string | undefined, opts: SqlOptions): Promise<string> {
  if (opts.file && query) throw new UsageError('give the SQL either as an argument or with -f FILE, not both');
  if (opts.file) {
    try {
      return readFileSync(opts.file, 'utf8');
    } catch (err) {
      throw new UsageError(`-f ${opts.file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err)}`);
    }
  }
  if (query === '-') return readStdin();
  if (!query || query.trim() === '') throw new UsageError("no SQL given: pass a query, -f FILE, or '-' for standard input");
  return query;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
