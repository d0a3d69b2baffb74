import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../reliability/childCli.js';
import { startPushgateway } from '../support/liveServers.js';
import { runCli } from '../support/runCli.js';
import { useTempDir } from '../support/tempDir.js';

// Rendered manifests are untyped YAML; the schema check is what types them.
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `kubectl kustomize DIR` (Debian kubectl, offline), as parsed objects. */
function render(dir: string): Obj[] {
  const out = execFileSync('kubectl', ['kustomize', join(ROOT, dir)], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJS() as Obj);
}

/** Validates one object against its OpenAPI schema offline: kubernetes-models, and the Prometheus Operator's CRDs. */
async function validate(o: Obj): Promise<void> {
  const [group, version] = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/') : ['', String(o.apiVersion)];
  const mod = (
    group === 'monitoring.coreos.com'
      ? await import(`@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}`)
      : await import(`kubernetes-models/${group ? `${group}/` : ''}${version}`)
  ) as Record<string, new (o: Obj) => { validate(): void }>;
  const Model = mod[o.kind];
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  new Model(o).validate();
}

const podSpecs = (objs: Obj[]) =>
  objs.filter((o) => o.kind === 'CronJob').map((o) => ({ name: o.metadata.name as string, job: o.spec.jobTemplate.spec as Obj, pod: o.spec.jobTemplate.spec.template.spec as Obj }));

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  const tempDir = useTempDir();

  for (const dir of ['deploy/kubernetes', 'deploy/kubernetes/sharded']) {
    it(`kubectl kustomize ${dir} renders objects that pass their OpenAPI schemas`, async () => {
      const objs = render(dir);
      expect(objs.length).toBeGreaterThan(5);
      for (const o of objs) await expect(validate(o), `${o.kind} ${o.metadata?.name}`).resolves.toBeUndefined();
      const kinds = objs.map((o) => o.kind).sort();
      expect(kinds).toEqual(expect.arrayContaining(['ConfigMap', 'CronJob', 'Deployment', 'Namespace', 'PersistentVolumeClaim', 'PrometheusRule', 'Service', 'ServiceMonitor']));
      for (const o of objs.filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe('capplan');

      for (const { name, pod } of podSpecs(objs)) {
        expect(pod.securityContext.runAsNonRoot, name).toBe(true);
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
          expect(c.securityContext.readOnlyRootFilesystem, `${name}/${c.name}`).toBe(true);
          expect(c.securityContext.allowPrivilegeEscalation, `${name}/${c.name}`).toBe(false);
          expect(c.resources.requests.memory, `${name}/${c.name}`).toMatch(/Mi|Gi/);
          expect(c.resources.limits.memory, `${name}/${c.name}`).toMatch(/Mi|Gi/);
          expect(c.volumeMounts.map((m: Obj) => m.mountPath)).toContain('/tmp');
          expect(c.volumeMounts.find((m: Obj) => m.mountPath === '/etc/capplan/plan.yaml')?.subPath).toBe('plan.yaml');
        }
        const plan = pod.volumes.find((v: Obj) => v.name === 'plan');
        expect(objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === plan.configMap.name)?.data['plan.yaml']).toBe(readFileSync(join(ROOT, 'deploy/kubernetes/common/plan.yaml'), 'utf8'));
      }
      const cronJobs = objs.filter((o) => o.kind === 'CronJob');
      for (const c of cronJobs) expect(c.spec.concurrencyPolicy).toBe('Forbid');

      const dashboard = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'capplan-dashboard');
      expect(dashboard?.metadata.labels.grafana_dashboard).toBe('1');
      expect(dashboard?.data['capplan-dashboard.json']).toBe(readFileSync(join(ROOT, 'deploy/kubernetes/common/grafana/capplan-dashboard.json'), 'utf8'));
      const monitor = objs.find((o) => o.kind === 'ServiceMonitor');
      expect(monitor?.spec.endpoints[0].honorLabels).toBe(true);
      const service = objs.find((o) => o.kind === 'Service' && o.metadata.name === 'capplan-pushgateway');
      expect(monitor?.spec.selector.matchLabels).toEqual(service?.spec.selector);
    });
  }

  it('the validator rejects what it should (so passing means something)', async () => {
    const cron = render('deploy/kubernetes').find((o) => o.kind === 'CronJob') as Obj;
    const broken = structuredClone(cron);
    broken.spec.concurrencyPolicy = 'Sometimes';
    await expect(validate(broken)).rejects.toThrow(/concurrencyPolicy/);
    const noName = structuredClone(cron);
    delete noName.spec.jobTemplate.spec.template.spec.containers[0].name;
    await expect(validate(noName)).rejects.toThrow(/required property/);
  });

  it('the nightly CronJob runs capplan run with the Secret through *_FILE, the PVC and the Pushgateway', () => {
    const objs = render('deploy/kubernetes');
    const [{ pod }] = podSpecs(objs);
    const c = pod.containers[0];
    expect(c.args.slice(0, 3)).toEqual(['run', '--plan=/etc/capplan/plan.yaml', '--db=/var/lib/capplan/capplan.duckdb']);
    const env = Object.fromEntries(c.env.map((e: Obj) => [e.name, e.value]));
    expect(env.CAPPLAN_BEARER_TOKEN_FILE).toBe('/etc/capplan/secrets/bearer-token');
    expect(env.CAPPLAN_PUSHGATEWAY_URL).toBe('http://capplan-pushgateway:9091');
    expect(pod.volumes.find((v: Obj) => v.name === 'credentials').secret.secretName).toBe('capplan-credentials');
    const claim = pod.volumes.find((v: Obj) => v.name === 'data').persistentVolumeClaim.claimName;
    expect(objs.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === claim)).toBe(true);
    // The plan file names the token by file too.
    expect(readFileSync(join(ROOT, 'deploy/kubernetes/common/plan.yaml'), 'utf8')).toContain('bearerTokenFile: /etc/capplan/secrets/bearer-token');
  });

  it('prometheus-rule.yaml is what capplan export --format prometheus-rule writes', async () => {
    const r = await runCli(['export', '--format', 'prometheus-rule', '--name', 'capplan', '--label', 'release=prometheus', '--group-by', 'cluster']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(ROOT, 'deploy/kubernetes/common/prometheus-rule.yaml'), 'utf8')).toBe(r.stdout);
  });

  it('the sharded Job: its pods’ commands, run locally with the index Kubernetes sets, give the report from the dataset', async () => {
    const objs = render('deploy/kubernetes/sharded');
    const shards = podSpecs(objs).find((p) => p.name === 'capplan-shards') as { job: Obj; pod: Obj };
    const report = podSpecs(objs).find((p) => p.name === 'capplan-report') as { pod: Obj };
    expect(shards.job.completionMode).toBe('Indexed');
    const forecast = shards.pod.containers[0];
    const env = Object.fromEntries(forecast.env.map((e: Obj) => [e.name, e.value]));
    expect(Number(env.CAPPLAN_SHARD_COUNT)).toBe(shards.job.completions);
    expect(forecast.env.find((e: Obj) => e.name === 'CAPPLAN_RUN').valueFrom.fieldRef.fieldPath).toBe("metadata.labels['job-name']");
    expect(shards.pod.initContainers[0].args).toEqual(['pull', '--plan=/etc/capplan/plan.yaml', '--db=/var/lib/capplan/shard-$(JOB_COMPLETION_INDEX).duckdb', '--shard=auto']);

    // Stand in for the cluster: the volumes become directories, each pod's pulled database a copy of one
    // demo database, and Kubernetes' $(VAR) expansion is done here with the values it would set.
    const dir = tempDir();
    const data = join(dir, 'var-lib-capplan');
    const etc = join(dir, 'etc-capplan');
    mkdirSync(data);
    mkdirSync(etc);
    copyFileSync(join(ROOT, 'deploy/kubernetes/common/plan.yaml'), join(etc, 'plan.yaml'));
    const demo = join(dir, 'demo.duckdb');
    expect((await runCli(['demo', '--size', 'small', '--db', demo, '--out', join(dir, 'demo/'), '--workers', '1'], { cwd: dir })).code).toBe(0);
    const local = (arg: string, vars: Record<string, string>) =>
      arg.replace(/\$\(([A-Z_]+)\)/g, (_m, v: string) => vars[v]).replace('/var/lib/capplan', data).replace('/etc/capplan', etc);
    for (let index = 0; index < shards.job.completions; index++) {
      const vars = { JOB_COMPLETION_INDEX: String(index), CAPPLAN_RUN: 'capplan-shards-29400000', CAPPLAN_SHARD_COUNT: env.CAPPLAN_SHARD_COUNT };
      copyFileSync(demo, join(data, `shard-${index}.duckdb`));
      const r = await runCli([...forecast.args.map((a: string) => local(a, vars)), '--workers', '1'], { env: vars, cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^shard ${index + 1}/${shards.job.completions}: `));
    }
    expect(readdirSync(join(data, 'dataset', 'run=capplan-shards-29400000')).sort()).toEqual(['shard=1', 'shard=2', 'shard=3', 'shard=4']);
    // The report step pushes the run's job metrics: to a real Pushgateway standing in for the Service.
    const pgw = await startPushgateway();
    try {
      const args = report.pod.containers[0].args.map((a: string) => local(a, {}).replace('http://capplan-pushgateway:9091', pgw.url));
      expect(args).toContain(`--pushgateway=${pgw.url}`);
      const r = await runCli(args, { cwd: dir, nowMs: Date.UTC(2026, 10, 30, 6) });
      expect(r.code, r.stderr).toBe(0);
      const metrics = await (await fetch(`${pgw.url}/metrics`)).text();
      expect(metrics).toMatch(/^capplan_last_success_timestamp_seconds\{instance="plan",job="capplan"\} 1\.7960184e\+09$/m);
      const series = Number(/capplan_last_run_series_forecast\{instance="plan",job="capplan"\} (\d+)/.exec(metrics)?.[1]);
      expect(series).toBeGreaterThan(0);
    } finally {
      await pgw.stop();
    }
    const written = readdirSync(join(data, 'reports'));
    expect(written.some((f) => f.endsWith('.html'))).toBe(true);
  }, 120_000);
});
