import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import type { CliContext } from './CliContext.js';
import { registerBudget } from './commands/budget.js';
import { registerDemo } from './commands/demo.js';
import { registerDiff } from './commands/diff.js';
import { registerDoctor } from './commands/doctor.js';
import { registerExport } from './commands/export.js';
import { registerForecast } from './commands/forecast.js';
import { registerHeadroom } from './commands/headroom.js';
import { registerNotebook } from './commands/notebook.js';
import { registerPull } from './commands/pull.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerSchema } from './commands/schema.js';
import { registerSql } from './commands/sql.js';

/** A command module adds one subcommand to the program. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

const COMMANDS: readonly RegisterCommand[] = [
  registerDemo,
  registerPull,
  registerForecast,
  registerHeadroom,
  registerBudget,
  registerDiff,
  registerReport,
  registerRun,
  registerExport,
  registerSql,
  registerNotebook,
  registerSchema,
  registerDoctor,
];

/** Builds the commander program; errors surface as exceptions, never process.exit. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command()
    .name('capplan')
    .description('Capacity planning: pull metrics, forecast with intervals, report when resources run out.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      // Errors are printed once, by main, in capplan's own one-line format.
      outputError: () => undefined,
    })
    .exitOverride();
  for (const register of COMMANDS) register(program, ctx);
  for (const cmd of program.commands) cmd.exitOverride().showSuggestionAfterError(true);
  return program;
}

export { CommanderError };
