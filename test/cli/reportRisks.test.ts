import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/CliContext.js';
import { reportRisks, writeRiskLines } from '../../src/cli/reportRisks.js';
import { ExitCode } from '../../src/errors.js';
import { FROZEN_NOW } from '../support/clock.js';

/** A context that keeps what is written and the exit code set. */
function captured(): CliContext & { out: () => string; code: () => number } {
  let out = '';
  let code = 0;
  return {
    stdout: { write: (s) => void (out += s), isTTY: false },
    stderr: { write: () => undefined, isTTY: false },
    env: {},
    now: () => FROZEN_NOW,
    cwd: process.cwd(),
    setExitCode: (c) => void (code = c),
    out: () => out,
    code: () => code,
  };
}

const risk = (i: number) => ({
  name: `disk-${i}`,
  what: 'full at p50',
  atMs: i % 2 === 0 ? Date.UTC(2027, 0, 1 + i) : null,
  p10Ms: i % 2 === 0 ? Date.UTC(2026, 11, 20 + i) : null,
  p90Ms: i % 4 === 0 ? Date.UTC(2027, 1, 1 + i) : null,
  model: i % 2 === 0 ? 'theta' : null,
});

describe('reportRisks (the one risk listing of forecast, demo and run)', () => {
  it('says there is no risk, and leaves the exit code alone even with --fail-on-risk', () => {
    const ctx = captured();
    reportRisks(ctx, [], true);
    expect(ctx.out()).toBe('no critical risk within the warning window\n');
    expect(ctx.code()).toBe(0);
  });

  it('lists each risk with its date (when it has one) and exits 3 only with --fail-on-risk', () => {
    const ctx = captured();
    reportRisks(ctx, [risk(0), risk(1), risk(2)], false);
    expect(ctx.out()).toBe(
      '3 at risk within the warning window (p50 day with its 80% interval p10 – p90):\n' +
        '  disk-0: full at p50 on 2027-01-01 (80%: 2026-12-20 – 2027-02-01, UTC)  [theta]\n' +
        '  disk-1: full at p50\n' +
        '  disk-2: full at p50 on 2027-01-03 (80%: 2026-12-22 – beyond the horizon, UTC)  [theta]\n',
    );
    expect(ctx.code()).toBe(0);
    const failing = captured();
    reportRisks(failing, [risk(0)], true);
    expect(failing.code()).toBe(ExitCode.riskFound);
  });

  it('lists the first 20 and counts the rest, so the lines add up to the total', () => {
    const ctx = captured();
    writeRiskLines(ctx, Array.from({ length: 23 }, (_, i) => risk(i)));
    const lines = ctx.out().trimEnd().split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[19]).toBe('  disk-19: full at p50');
    expect(lines[20]).toBe('  … and 3 more');
  });
});
