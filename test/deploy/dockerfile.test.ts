import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../reliability/childCli.js';

interface Stage {
  name: string | null;
  root: string;
  workdir: string;
  env: Record<string, string>;
  entrypoint: string[];
}

/**
 * Runs the Dockerfile's steps as a shell script, as far as that is possible
 * without a container runtime or base images: each stage gets its own
 * directory standing in for its root filesystem; WORKDIR, ENV, COPY (from the
 * build context or an earlier stage) and RUN do what they say there.
 * Returns the last stage, whose ENTRYPOINT the test then runs.
 */
function runDockerfile(file: string, context: string, work: string): Stage {
  const stages: Stage[] = [];
  const lines = readFileSync(file, 'utf8').replace(/\\\n/g, ' ').split('\n');
  const inStage = (s: Stage, path: string) => join(s.root, path.startsWith('/') ? path : join(s.workdir, path));
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [instruction, ...restWords] = line.split(/\s+/);
    const rest = line.slice(instruction.length).trim();
    const stage = stages[stages.length - 1];
    switch (instruction.toUpperCase()) {
      case 'FROM': {
        const name = /\bAS\s+(\S+)/i.exec(rest)?.[1] ?? null;
        const root = join(work, `stage${stages.length}`);
        mkdirSync(root, { recursive: true });
        stages.push({ name, root, workdir: '/', env: {}, entrypoint: [] });
        break;
      }
      case 'WORKDIR':
        stage.workdir = rest;
        mkdirSync(inStage(stage, rest), { recursive: true });
        break;
      case 'ENV': {
        const [k, v] = rest.split('=');
        stage.env[k] = v;
        break;
      }
      case 'COPY': {
        const from = /^--from=(\S+)$/.exec(restWords[0])?.[1];
        const words = from ? restWords.slice(1) : restWords;
        const dest = words[words.length - 1];
        const sourceRoot = from ? (stages.find((s) => s.name === from) as Stage).root : context;
        const sources = words.slice(0, -1);
        for (const src of sources) {
          // Docker's rules: a directory's contents go into dest; a file goes into dest/ (or several sources), else becomes dest.
          const source = join(sourceRoot, src);
          const intoDir = dest.endsWith('/') || sources.length > 1;
          const target = statSync(source).isDirectory() || !intoDir ? inStage(stage, dest) : join(inStage(stage, dest), basename(src));
          mkdirSync(statSync(source).isDirectory() ? target : dirname(target), { recursive: true });
          cpSync(source, target, { recursive: true });
        }
        break;
      }
      case 'RUN': {
        const r = spawnSync('sh', ['-ec', rest], {
          cwd: inStage(stage, '.'),
          encoding: 'utf8',
          timeout: 600_000,
          // npm's cache stands in for the registry a docker build would reach.
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', ...stage.env },
        });
        if (r.status !== 0) throw new Error(`RUN ${rest} failed (${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
        break;
      }
      case 'ENTRYPOINT':
        stage.entrypoint = JSON.parse(rest) as string[];
        break;
      case 'USER':
      case 'CMD':
        break;
      default:
        throw new Error(`Dockerfile instruction ${instruction} is not understood by this test; extend it`);
    }
  }
  return stages[stages.length - 1];
}

describe('Dockerfile (multi-stage, npm ci --omit=dev, non-root, capplan entrypoint), run as a script', () => {
  const work = mkdtempSync(join(tmpdir(), 'capplan-docker-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('its RUN steps are the README commands', () => {
    const docker = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const runs = [...docker.matchAll(/^RUN (.+)$/gm)].map((m) => m[1].trim());
    expect(runs).toEqual(['npm ci --ignore-scripts', 'npm run build', 'npm ci --omit=dev --ignore-scripts']);
    for (const r of runs) expect(readme).toContain(r);
    expect(docker).toMatch(/^USER 10001:10001$/m);
    expect(docker).toMatch(/^ENTRYPOINT \["node", "\/app\/bin\/capplan\.js"\]$/m);
  });

  it('the image it describes runs capplan: production dependencies only, the demo works', () => {
    const image = runDockerfile(join(ROOT, 'Dockerfile'), ROOT, work);
    const app = join(image.root, image.workdir);
    const modules = readdirSync(join(app, 'node_modules'));
    expect(modules).not.toContain('typescript');
    expect(modules).not.toContain('vitest');
    expect(existsSync(join(app, 'node_modules/@duckdb/node-api'))).toBe(true);
    const [node, script] = image.entrypoint;
    const entry = [script.replace(/^\/app/, app)];
    const run = (args: string[]) =>
      spawnSync(node, [...entry, ...args], { cwd: join(work, 'run'), encoding: 'utf8', timeout: 300_000, env: { PATH: process.env.PATH ?? '', HOME: '/tmp', TZ: 'UTC', ...image.env } });
    mkdirSync(join(work, 'run'));
    const version = run(['--version']);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const demo = run(['demo', '--size', 'small', '--db', join(work, 'run', 'demo.duckdb'), '--out', join(work, 'run', 'reports/'), '--workers', '1']);
    expect(demo.status, demo.stderr).toBe(0);
    expect(readdirSync(join(work, 'run', 'reports')).some((f) => f.endsWith('.html'))).toBe(true);
  }, 900_000);
});
