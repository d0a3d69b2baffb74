import { ExitCode } from '../errors.js';
import type { Risk } from '../pipeline/planRun.js';
import type { CliContext } from './CliContext.js';

/** How many risks the commands list before summing up the rest. */
const LISTED = 20;

/** Lists the risks, one line each (`  name: what on YYYY-MM-DD`), the first 20 and then how many more. */
export function writeRiskLines(ctx: CliContext, risks: readonly Risk[]): void {
  for (const r of risks.slice(0, LISTED)) ctx.stdout.write(`  ${r.name}: ${r.what}${r.atMs === null ? '' : ` on ${new Date(r.atMs).toISOString().slice(0, 10)}`}\n`);
  if (risks.length > LISTED) ctx.stdout.write(`  … and ${risks.length - LISTED} more\n`);
}

/** Prints the risks; with --fail-on-risk, ends with exit code 3 when there are any. */
export function reportRisks(ctx: CliContext, risks: readonly Risk[], failOnRisk: boolean): void {
  if (risks.length === 0) {
    ctx.stdout.write('no critical risk within the warning window\n');
    return;
  }
  ctx.stdout.write(`${risks.length} at risk within the warning window:\n`);
  writeRiskLines(ctx, risks);
  if (failOnRisk) ctx.setExitCode(ExitCode.riskFound);
}
