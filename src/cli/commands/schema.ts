import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';
import { oneOf } from '../options.js';

export const registerSchema: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('schema')
    .description("Print the database schema reference: every table, view and column with its meaning.")
    .option('--db <path>', 'describe this database (default: the schema this capplan writes)')
    .option('--format <format>', 'md or json', oneOf(['md', 'json'] as const), 'md')
    .action(async (opts: { db?: string; format: 'md' | 'json' }) => {
      const [{ Store }, { describeSchema, schemaMarkdown }, { SCHEMA_VERSION }] = await Promise.all([
        import('../../store/Store.js'),
        import('../../store/describeSchema.js'),
        import('../../store/migrations/index.js'),
      ]);
      const scratch = opts.db ? null : mkdtempSync(join(tmpdir(), 'capplan-schema-'));
      const store = await Store.open(opts.db ?? join(scratch as string, 'schema.duckdb'), { readOnly: Boolean(opts.db), now: ctx.now });
      try {
        const relations = await describeSchema(store);
        ctx.stdout.write(opts.format === 'json' ? `${JSON.stringify(relations, null, 2)}\n` : `${schemaMarkdown(relations, SCHEMA_VERSION)}\n`);
      } finally {
        store.close();
        if (scratch) rmSync(scratch, { recursive: true, force: true });
      }
    });
};
