import { CapplanError, ExitCode } from '../errors.js';
import { processContext, type CliContext } from './CliContext.js';
import { buildProgram, CommanderError } from './program.js';

/**
 * Runs the CLI and returns the exit code. The only place errors are turned into
 * messages and codes; nothing below cli/ exits the process.
 */
export async function main(argv: readonly string[], ctx: CliContext & { exitCode?: number } = processContext()): Promise<number> {
  let code: number = ExitCode.ok;
  const context: CliContext = {
    ...ctx,
    setExitCode(c: number) {
      code = c;
    },
  };
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (err) {
    return report(err, context);
  }
}

function report(err: unknown, ctx: CliContext): number {
  if (err instanceof CommanderError) {
    // --help and --version end through here with code 0.
    if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return ExitCode.ok;
    // One line, as every capplan error: commander puts its "(Did you mean …?)" on a second one.
    ctx.stderr.write(`capplan: ${err.message.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')}\n`);
    return ExitCode.usage;
  }
  if (err instanceof CapplanError) {
    ctx.stderr.write(`capplan: ${err.message}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  ctx.stderr.write(`capplan: unexpected error: ${message}\n`);
  if (ctx.env.CAPPLAN_DEBUG && err instanceof Error && err.stack) ctx.stderr.write(`${err.stack}\n`);
  return ExitCode.failure;
}
