import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { processContext } from '../../src/cli/CliContext.js';
import { buildProgram } from '../../src/cli/program.js';
import { ExitCode } from '../../src/errors.js';
import { requireBuiltCli, ROOT } from '../reliability/childCli.js';
import { useTempDir } from '../support/tempDir.js';

const BIN = join(ROOT, 'bin/capplan.js');
const HOOK = fileURLToPath(new URL('../support/loadTrace/register.mjs', import.meta.url));

/** Runs the compiled CLI in a child process and returns the modules it loaded (file URLs). */
function traced(args: readonly string[], dir: string): { code: number | null; stdout: string; stderr: string; loaded: string[] } {
  const trace = join(dir, `trace-${Math.random().toString(36).slice(2)}.txt`);
  const r = spawnSync(process.execPath, ['--import', HOOK, BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: 'UTC', CAPPLAN_LOAD_TRACE: trace },
    encoding: 'utf8',
  });
  let loaded: string[] = [];
  try {
    loaded = readFileSync(trace, 'utf8').trim().split('\n');
  } catch {
    // No trace file means the hook never ran; the assertions below then fail on purpose.
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, loaded };
}

/** npm packages among the loaded modules. */
function packages(loaded: readonly string[]): string[] {
  const names = new Set<string>();
  for (const url of loaded) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m) names.add(m[1]);
  }
  return [...names].sort();
}

/** capplan's own modules among the loaded ones, relative to dist/src. */
function ownModules(loaded: readonly string[]): string[] {
  return loaded.filter((u) => u.includes('/dist/src/')).map((u) => u.slice(u.indexOf('/dist/src/') + '/dist/src/'.length));
}

/** Every command the program registers, so a new one is covered without editing this test. */
const COMMANDS = buildProgram(processContext()).commands.map((c) => c.name());

/**
 * Start-up loads only commander and the command declarations; every command
 * imports DuckDB, charts, PDF, SMTP, the Prometheus client, YAML and zod when it
 * runs (issue 15). These tests fail when an eager import comes back.
 */
describe('capplan start-up loads no heavy module', () => {
  const tempDir = useTempDir();
  beforeAll(() => requireBuiltCli());

  const cases: { name: string; args: string[]; code: number }[] = [
    { name: '--version', args: ['--version'], code: ExitCode.ok },
    { name: '--help', args: ['--help'], code: ExitCode.ok },
    { name: 'an unknown command', args: ['forcast'], code: ExitCode.usage },
    { name: 'a missing required option', args: ['sql', 'select 1'], code: ExitCode.usage },
    { name: "a usage error found by the command's action", args: ['forecast', '--horizon', '90d'], code: ExitCode.usage },
    ...COMMANDS.map((c) => ({ name: `${c} --help`, args: [c, '--help'], code: ExitCode.ok })),
  ];

  for (const c of cases) {
    it(`${c.name}: commander only, no DuckDB, charts, PDF, SMTP, HTTP client, YAML or zod`, () => {
      const r = traced(c.args, tempDir());
      expect(r.code, r.stderr).toBe(c.code);
      expect(r.loaded.length).toBeGreaterThan(0);
      expect(packages(r.loaded)).toEqual(['commander']);
      const own = ownModules(r.loaded);
      expect(own).toContain('cli/main.js');
      // None of the layers that pull heavy packages in: the store, reports, models, sources' clients.
      expect(own.filter((m) => /^(store\/(?!sql\.js)|report\/(?!tabular|units|reportFormats)|models\/|email\/(?!EmailError)|pipeline\/|notebook\/(?!NotebookError)|plan\/loadPlan)/.test(m))).toEqual([]);
    });
  }

  it('covers every command of the program', () => {
    expect(COMMANDS).toEqual(expect.arrayContaining(['demo', 'pull', 'forecast', 'report', 'run', 'sql', 'prune', 'doctor']));
  });

  it('the usage output is what the user sees: --help lists every command', () => {
    const r = traced(['--help'], tempDir());
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
  });

  it('a command that runs loads what it uses, and only that: sql opens DuckDB without charts, SMTP or the HTTP client', () => {
    const dir = tempDir();
    const r = traced(['sql', '--db', join(dir, 'x.duckdb'), '--write', 'select 42 AS answer'], dir);
    expect(r.code, r.stderr).toBe(ExitCode.ok);
    expect(r.stdout).toMatch(/answer[\s\S]*42/);
    const pkgs = packages(r.loaded);
    // The trace sees DuckDB load: the checks above are not vacuous.
    expect(pkgs).toContain('@duckdb/node-api');
    for (const heavy of ['vega', 'vega-lite', '@resvg/resvg-js', 'nodemailer', 'axios', 'zod', 'yaml', 'csv-parse', 'date-fns']) expect(pkgs).not.toContain(heavy);
  });

  it('forecast --input reads a CSV and forecasts without DuckDB, charts, SMTP, the HTTP client or the plan parser', () => {
    const r = traced(['forecast', '--input', join(ROOT, 'datasets/monthly-storage.csv'), '--horizon', '6', '--format', 'csv'], tempDir());
    expect(r.code, r.stderr).toBe(ExitCode.ok);
    expect(r.stdout).toMatch(/^series,timestamp,value,lower,upper/);
    expect(ownModules(r.loaded)).toContain('forecast/forecastSeries.js');
    expect(packages(r.loaded).filter((p) => p !== 'commander' && p !== 'simple-statistics')).toEqual([]);
  });
});
