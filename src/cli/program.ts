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
import { registerPrune } from './commands/prune.js';
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
  registerPrune,
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
  for (const cmd of descendants(program)) checkRequiredAfterUnknown(cmd);
  return program;
}

function descendants(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...descendants(c)]);
}

/**
 * Commander checks required options before unknown ones, so a typo such as
 * `headroom --dbb x` would be reported as "required option '--db' not
 * specified". Checking required options just before the action (after the
 * unknown-option check) names the flag that is actually wrong.
 */
function checkRequiredAfterUnknown(cmd: Command): void {
  const required = cmd.options.filter((o) => o.mandatory);
  if (required.length === 0) return;
  for (const o of required) o.mandatory = false;
  cmd.hook('preAction', (_hooked, actionCommand) => {
    if (actionCommand !== cmd) return;
    for (const o of required) {
      if (cmd.getOptionValue(o.attributeName()) === undefined) cmd.error(`error: required option '${o.flags}' not specified`, { code: 'commander.missingMandatoryOptionValue' });
    }
  });
}

export { CommanderError };
