import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { formatTable, type TableFormat } from '../../report/tabular.js';
import { Store } from '../../store/Store.js';
import type { CliContext } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';
import { oneOf } from '../options.js';

interface SqlOptions {
  db: string;
  file?: string;
  format: TableFormat;
  write?: boolean;
}

export const registerSql: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('sql')
    .description('Run SQL against a capplan database (read-only unless --write).')
    .argument('[query]', "SQL text; or -f FILE; or '-' to read standard input")
    .requiredOption('--db <path>', 'the DuckDB database file')
    .option('-f, --file <file>', 'read the SQL from a file')
    .option('--format <format>', 'table, csv or json', oneOf(['table', 'csv', 'json'] as const), 'table')
    .option('--write', 'allow statements that modify the database')
    .addHelpText('after', `\nExamples:\n  capplan sql --db capplan.duckdb "SELECT count(*) FROM samples"\n  capplan sql --db capplan.duckdb --format csv "SELECT * FROM latest_exhaustion"`)
    .action(async (query: string | undefined, opts: SqlOptions) => {
      const sql = await readSql(query, opts);
      const store = await Store.open(opts.db, { readOnly: !opts.write, now: ctx.now });
      try {
        const result = await store.query(sql).catch((err: unknown) => {
          if (!opts.write && err instanceof Error && /read-only mode/i.test(err.message)) {
            throw new UsageError(`the database is opened read-only; pass --write to run statements that modify it`);
          }
          throw err;
        });
        ctx.stdout.write(formatTable(result, opts.format));
      } finally {
        store.close();
      }
    });
};

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
