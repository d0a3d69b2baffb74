import { mkdirSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { Command } from 'commander';
import { NotebookError } from '../../notebook/NotebookError.js';
import type { CliContext } from '../CliContext.js';
import type { RegisterCommand } from '../program.js';

interface RunOptions {
  db: string;
  check?: boolean;
  out?: string;
}

export const registerNotebook: RegisterCommand = (program: Command, ctx: CliContext) => {
  const notebook = program.command('notebook').description('Run the SQL notebooks (Jupyter .ipynb with SQL cells) against a database.');
  notebook
    .command('run')
    .description('Execute every SQL cell of each notebook (read-only) and write the results into it as outputs.')
    .argument('<files...>', 'notebooks (.ipynb) whose code cells are DuckDB SQL')
    .requiredOption('--db <path>', 'the DuckDB database to run them against')
    .option('--check', 'do not write: fail if any output differs from the one in the file (outputs have rotted)')
    .option('--out <dir>', 'write the executed notebooks into this directory (same file names) instead of over the originals')
    .addHelpText(
      'after',
      `
Examples:
  capplan notebook run notebooks/*.ipynb --db capplan.duckdb --out my-notebooks/
  capplan notebook run notebooks/*.ipynb --db capplan-demo.duckdb        # refreshes the outputs in place
  capplan notebook run notebooks/forecast-accuracy.ipynb --db capplan.duckdb --check`,
    )
    .exitOverride()
    .action(async (files: string[], opts: RunOptions) => {
      if (opts.check && opts.out) throw new UsageError('--check writes nothing; --out has no use with it');
      const outDir = opts.out === undefined ? null : resolve(ctx.cwd, opts.out);
      if (outDir) {
        const targets = files.map((f) => join(outDir, basename(f)));
        const clash = files.find((f) => targets.includes(resolve(ctx.cwd, f)));
        if (clash) throw new UsageError(`--out ${opts.out}: would overwrite ${clash} itself; choose another directory (or leave out --out to refresh in place)`);
        if (new Set(targets).size < targets.length) throw new UsageError(`--out ${opts.out}: two notebooks have the same file name`);
        mkdirSync(outDir, { recursive: true });
      }
      const [{ writeNotebook }, { runNotebook }] = await Promise.all([import('../../notebook/Notebook.js'), import('../../notebook/runNotebook.js')]);
      const rotted: string[] = [];
      for (const file of files) {
        const path = resolve(ctx.cwd, file);
        const run = await runNotebook(path, resolve(ctx.cwd, opts.db));
        const shown = relative(ctx.cwd, path) || file;
        if (opts.check) {
          if (run.changed.length > 0) rotted.push(`${shown} (cell${run.changed.length === 1 ? '' : 's'} ${run.changed.join(', ')})`);
          ctx.stdout.write(`${shown}: ${run.executed} cells run, ${run.changed.length === 0 ? 'outputs as committed' : `outputs differ in cells ${run.changed.join(', ')}`}\n`);
        } else if (outDir) {
          const target = join(outDir, basename(path));
          writeNotebook(target, run.notebook);
          ctx.stdout.write(`${shown}: ${run.executed} cells run, written to ${relative(ctx.cwd, target) || target}\n`);
        } else {
          writeNotebook(path, run.notebook);
          ctx.stdout.write(`${shown}: ${run.executed} cells run, ${run.changed.length === 0 ? 'outputs unchanged' : `outputs of ${run.changed.length} cells updated`}\n`);
        }
      }
      if (rotted.length > 0) {
        throw new NotebookError(
          rotted.join('; '),
          null,
          `outputs differ from the ones in the file. Re-run without --check to refresh them, and review the diff`,
        );
      }
    });
};
