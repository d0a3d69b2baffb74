import { ExitCode } from '../errors.js';
import { formatDate } from '../time/dates.js';
import type { Risk } from '../pipeline/planRun.js';
import type { CliContext } from './CliContext.js';

/** How many risks the commands list before summing up the rest. */
const LISTED = 20;

/** A UTC calendar day, as the lines say. */
const day = (ms: number) => formatDate(ms, 'UTC');

/** The p50 day with its 80% interval: `2026-12-09 (80%: 2026-12-05 – 2026-12-14, UTC)`; no interval without a p10. */
export function datedText(p50Ms: number, p10Ms: number | null, p90Ms: number | null): string {
  const interval = p10Ms === null ? '' : ` (80%: ${day(p10Ms)} – ${p90Ms === null ? 'beyond the horizon' : day(p90Ms)}, UTC)`;
  return `${day(p50Ms)}${interval}`;
}

/**
 * Lists the risks, one line each, the first 20 and then how many more: the p50
 * day with its 80% interval and the model that dated it, never a bare date.
 */
export function writeRiskLines(ctx: CliContext, risks: readonly Risk[]): void {
  for (const r of risks.slice(0, LISTED)) {
    const when = r.atMs === null ? '' : ` on ${datedText(r.atMs, r.p10Ms, r.p90Ms)}`;
    const model = r.model === null ? '' : `  [${r.model}]`;
    ctx.stdout.write(`  ${r.name}: ${r.what}${when}${model}\n`);
  }
  if (risks.length > LISTED) ctx.stdout.write(`  … and ${risks.length - LISTED} more\n`);
}

/** Prints the risks; with --fail-on-risk, ends with exit code 3 when there are any. */
export function reportRisks(ctx: CliContext, risks: readonly Risk[], failOnRisk: boolean): void {
  if (risks.length === 0) {
    ctx.stdout.write('no critical risk within the warning window\n');
    return;
  }
  ctx.stdout.write(`${risks.length} at risk within the warning window (p50 day with its 80% interval p10 – p90):\n`);
  writeRiskLines(ctx, risks);
  if (failOnRisk) ctx.setExitCode(ExitCode.riskFound);
}
