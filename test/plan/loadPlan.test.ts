import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PlanError } from '../../src/errors.js';
import { loadPlan, parsePlan } from '../../src/plan/loadPlan.js';
import { useTempDir } from '../support/tempDir.js';

const EXAMPLE = fileURLToPath(new URL('../../src/plan/example-plan.yaml', import.meta.url));
const H = 3_600_000;
const D = 24 * H;

const base = `sources:
  prom:
    url: http://prom:9090
    type: prometheus
resources:
  - name: disk
    source: prom
    usage: disk_used_bytes
`;

function planError(text: string): PlanError {
  try {
    parsePlan(text, 'plan.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(PlanError);
    return err as PlanError;
  }
  throw new Error('expected a PlanError');
}

describe('loadPlan', () => {
  const tmp = useTempDir();

  it('validates the bundled example and fills defaults', async () => {
    const plan = await loadPlan(EXAMPLE);
    expect(Object.keys(plan.sources)).toEqual(['thanos', 'mimir']);
    expect(plan.sources.thanos).toMatchObject({
      type: 'thanos',
      auth: { bearerTokenEnv: 'THANOS_TOKEN' },
      headers: { 'THANOS-TENANT': 'platform' },
      thanos: { dedup: true, replicaLabels: ['replica', 'prometheus_replica'], partialResponse: true, maxSourceResolution: undefined },
      timeoutMs: 120_000,
      maxPoints: 11_000,
      concurrency: 4,
    });
    expect(plan.sources.mimir.auth).toEqual({ basicAuth: { username: 'capplan', passwordFile: '/run/secrets/mimir-password', passwordEnv: undefined } });
    expect(plan.sources.mimir.thanos).toBeUndefined();
    const [disk, cpu, free] = plan.resources;
    expect(disk).toMatchObject({ name: 'disk', aggregate: { kind: 'max' }, stepMs: H, lookbackMs: 400 * D, unit: 'bytes', direction: 'rising', groupBy: [] });
    expect(disk.capacity).toEqual({ query: expect.stringContaining('node_filesystem_size_bytes') as string });
    expect(cpu).toMatchObject({ capacity: { value: 512 }, aggregate: { kind: 'quantile', q: 0.95 }, stepMs: 6 * H, lookbackMs: 730 * D });
    expect(free).toMatchObject({ capacity: null, aggregate: { kind: 'min' }, direction: 'falling', groupBy: ['region'], stepMs: D });
  });

  it('applies defaults for a minimal plan', () => {
    const plan = parsePlan(base);
    expect(plan.resources[0]).toMatchObject({ aggregate: { kind: 'max' }, stepMs: H, lookbackMs: 400 * D, capacity: null, unit: null, description: null });
    expect(plan.sources.prom).toMatchObject({ thanos: undefined, maxPoints: 11_000, headers: {} });
  });

  it('gives VictoriaMetrics its own point limit and maps Thanos options', () => {
    const plan = parsePlan(`sources:
  vm: {url: "http://vm:8428/", type: victoriametrics}
  th:
    url: http://thanos:10902
    type: thanos
    thanos: {maxSourceResolution: raw, partialResponse: abort}
resources:
  - {name: a, source: vm, usage: x}
`);
    expect(plan.sources.vm).toMatchObject({ maxPoints: 30_000, url: 'http://vm:8428' });
    expect(plan.sources.th.thanos).toMatchObject({ maxSourceResolution: '0', partialResponse: false });
  });

  it.each([
    [base.replace('usage: disk_used_bytes', 'usage: disk_used_bytes\n    step: 1 hour'), 'resources[0].step: expected a duration like 1h, got "1 hour" (at plan.yaml:9:5)'],
    [base + '    agregate: max\n', 'resources[0].agregate: unknown key (did you mean "aggregate"?) (at plan.yaml:9:5)'],
    [base.replace('source: prom', 'source: thanos'), 'resources[0].source: unknown source "thanos" (defined: prom) (at plan.yaml:7:5)'],
    [base.replace('type: prometheus', 'type: cortex'), 'sources.prom.type: expected one of prometheus, thanos, victoriametrics, mimir, got "cortex" (at plan.yaml:4:5)'],
    [base.replace('    usage: disk_used_bytes\n', ''), 'resources[0].usage: is required (expected a PromQL query) (at plan.yaml:6:5)'],
    [base + '    capacity: -5\n', 'resources[0].capacity: expected a positive number or a PromQL query, got -5 (at plan.yaml:9:5)'],
    [base + '    aggregate: peak\n', 'resources[0].aggregate: expected max, min, avg, last, p95, p99 or a quantile between 0 and 1, got "peak" (at plan.yaml:9:5)'],
    [base + '    groupBy: [cluster, "bad-label"]\n', 'resources[0].groupBy[1]: expected a label name, got "bad-label" (at plan.yaml:9:24)'],
    [base + '  - name: disk\n    source: prom\n    usage: y\n', 'resources[1].name: duplicate resource name "disk" (at plan.yaml:9:5)'],
    [base + '    lookback: 30m\n', 'resources[0].lookback: must span at least two steps (step is 1h) (at plan.yaml:9:5)'],
    [base.replace('url: http://prom:9090', 'url: http://bob:pw@prom:9090'), 'sources.prom.url: credentials in the URL are not allowed; use auth.basicAuth with passwordEnv or passwordFile (at plan.yaml:3:5)'],
    [base.replace('type: prometheus', 'type: prometheus\n    auth: {bearerToken: abc123}'), 'sources.prom.auth.bearerToken: secrets are not written in the plan; name an environment variable or a file (bearerTokenEnv, bearerTokenFile, passwordEnv, passwordFile) (at plan.yaml:5:12)'],
    [base.replace('type: prometheus', 'type: prometheus\n    auth: {bearerTokenEnv: A, bearerTokenFile: /b}'), 'sources.prom.auth: expected exactly one of bearerTokenEnv, bearerTokenFile, basicAuth, got bearerTokenEnv and bearerTokenFile (at plan.yaml:5:5)'],
    [base.replace('type: prometheus', 'type: prometheus\n    headers: {Authorization: Bearer xyz}'), 'sources.prom.headers.Authorization: secrets are not written in the plan; use auth with bearerTokenEnv, bearerTokenFile or basicAuth (at plan.yaml:5:15)'],
    [base.replace('type: prometheus', 'type: prometheus\n    thanos: {dedup: true}'), 'sources.prom.thanos: Thanos options need type: thanos (this source is type: prometheus) (at plan.yaml:5:5)'],
    [base.replace('type: prometheus', 'type: thanos\n    thanos: {maxSourceResolution: 10m}'), 'sources.prom.thanos.maxSourceResolution: expected one of 0, 5m, 1h, auto, got "10m" (at plan.yaml:5:14)'],
    [base.replace('type: prometheus', 'type: prometheus\n    maxPoints: 1.5'), 'sources.prom.maxPoints: expected a positive whole number of points, got 1.5 (at plan.yaml:5:5)'],
    ['sources: {}\nresources: []\n', 'resources: expected at least one resource, got a list (at plan.yaml:2:1)'],
    ['- a\n- b\n', ': expected a mapping with sources and resources, got a list (at plan.yaml:1:1)'],
  ])('names the YAML path: %#', (text, message) => {
    expect(planError(text).message).toBe(message.replace(/^: /, ''));
  });

  it('reports YAML syntax errors with file:line:col', () => {
    const err = planError('sources:\n  prom:\n    url: "http://x\n    type: prometheus\n');
    expect(err.message).toMatch(/^plan\.yaml:\d+:\d+: Missing closing "quote/);
    expect(planError('sources: {}\nsources: {}\n').message).toMatch(/^plan\.yaml:2:1: .*[Mm]ap keys must be unique/);
    expect(planError('').message).toBe('plan.yaml: the plan is empty; expected sources and resources');
  });

  it('names an unreadable file', async () => {
    await expect(loadPlan(join(tmp(), 'missing.yaml'))).rejects.toThrow(/missing\.yaml: cannot read plan file \(ENOENT\)/);
    const p = join(tmp(), 'p.yaml');
    writeFileSync(p, base);
    expect((await loadPlan(p)).resources).toHaveLength(1);
  });
});
