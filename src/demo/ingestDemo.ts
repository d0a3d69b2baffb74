import { generateFleet, type DemoSeries } from './generateFleet.js';
import { generateSlos } from './generateSlo.js';
import type { Store } from '../store/Store.js';

export interface IngestDemoOptions {
  /** End of the generated history (ms UTC), normally now floored to the hour. */
  readonly endMs: number;
  readonly seed?: number;
  readonly size?: 'full' | 'small';
}

export interface IngestSummary {
  readonly pullId: number;
  readonly series: number;
  readonly inserted: number;
  readonly existing: number;
}

/**
 * The demo's "pull": the bundled fleet generator stands in for a server, and
 * its samples land in the store exactly as a real pull's would, as one
 * recorded pull run.
 */
export async function ingestDemo(store: Store, options: IngestDemoOptions): Promise<IngestSummary> {
  const fleet = generateFleet({ endMs: options.endMs, seed: options.seed, size: options.size ?? 'full' });
  for (const resource of new Set(fleet.map((s) => s.resource))) {
    const first = fleet.find((s) => s.resource === resource) as DemoSeries;
    await store.upsertResource({ resource, unit: first.unit, direction: 'rising', description: null });
  }
  const startMs = Math.min(...fleet.map((s) => s.timestamps[0]));
  const pullId = await store.beginPull({
    source: 'demo',
    query: `bundled demo fleet (seed ${options.seed ?? 'default'}, ${options.size ?? 'full'})`,
    rangeStartMs: startMs,
    rangeEndMs: options.endMs,
    stepMs: 3_600_000,
    resolution: 'raw',
  });
  const result = await store.writeSamples(
    pullId,
    fleet.map((s) => ({
      key: { resource: s.resource, metric: s.metric, labels: s.labels },
      resolutionS: 3600,
      timestamps: s.timestamps,
      values: s.values,
      meta: { unit: s.unit, capacity: s.capacity, description: s.description },
    })),
  );
  // The SLOs' request and error counts, every 5 minutes: stored like any pulled series.
  const slos = generateSlos({ endMs: options.endMs, seed: options.seed });
  for (const slo of slos) await store.upsertResource({ resource: slo.name, kind: 'slo', unit: 'requests', direction: 'rising', description: slo.description });
  const sloResult = await store.writeSamples(
    pullId,
    slos.flatMap((slo) => [
      { key: { resource: slo.name, metric: 'errors', labels: { slo: slo.name } }, resolutionS: 300, timestamps: slo.timestamps, values: slo.errors, meta: { unit: 'requests', description: `${slo.description} Failed requests per 5 minutes.` } },
      { key: { resource: slo.name, metric: 'total', labels: { slo: slo.name } }, resolutionS: 300, timestamps: slo.timestamps, values: slo.totals, meta: { unit: 'requests', description: `${slo.description} Requests per 5 minutes.` } },
    ]),
  );
  const seriesCount = fleet.length + 2 * slos.length;
  const inserted = result.inserted + sloResult.inserted;
  await store.finishPull(pullId, { status: 'ok', seriesCount, sampleCount: inserted });
  return { pullId, series: fleet.length, inserted, existing: result.existing + sloResult.existing };
}
