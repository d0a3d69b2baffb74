import { join } from 'node:path';
import { buildReportModel, type BuildReportOptions } from '../../src/report/buildReportModel.js';
import type { ReportModel } from '../../src/report/ReportModel.js';
import { Store } from '../../src/store/Store.js';
import { storeSyntheticRun, type SyntheticSeries } from '../support/syntheticRun.js';

/**
 * A small fleet with two forecast runs a week apart whose numbers are known in
 * closed form (straight lines, see `storeSyntheticRun`), so golden files and
 * escaping tests never depend on model fitting. One series carries every kind
 * of hostile text a label can hold.
 */
export const DAY = 86_400_000;
export const AS_OF = Date.UTC(2026, 10, 24);
export const NOW = AS_OF + 3_600_000;
export const TZ = 'Europe/Berlin';
const TiB = 2 ** 40;
const GiB = 2 ** 30;

export const HOSTILE = `<script>alert("x")</script> | 'q' \\ *b* \n next`;
export const FORMULA_NAME = `=cmd|' /C calc'!A0 ${HOSTILE}`;

const disk = (host: string, cluster: string, level: number, perDay: number, extra: Partial<SyntheticSeries> = {}): SyntheticSeries => ({
  key: { resource: 'disk', metric: 'node_filesystem_used_bytes', labels: { cluster, host, mountpoint: '/data' } },
  capacity: 10 * TiB,
  unit: 'bytes',
  level: level * TiB,
  perDay: perDay * TiB,
  ...extra,
});

const hostile: SyntheticSeries = {
  key: { resource: 'disk', metric: 'node_filesystem_used_bytes', labels: { cluster: 'eu-west', host: HOSTILE, mountpoint: '=cmd|" /C calc', 'weird-key': 'a"b\\c\nd' } },
  name: FORMULA_NAME,
  capacity: 10 * TiB,
  unit: 'bytes',
  level: 6 * TiB,
  perDay: 0.05 * TiB,
  warnings: [`store eu-2 unavailable: <b>partial</b> | "x"`],
};

const cpu: SyntheticSeries = { key: { resource: 'cpu', metric: 'cpu_used_cores', labels: { cluster: 'us-east', host: 'app-01' } }, capacity: 64, unit: 'cores', level: 10, perDay: 0 };
const requests: SyntheticSeries = { key: { resource: 'requests', metric: 'http_requests_per_second', labels: { service: 'checkout' } }, capacity: 5000, unit: 'requests_per_second', level: 1800, perDay: 0 };
const memory = (level: number, perDay: number): SyntheticSeries => ({
  key: { resource: 'memory', metric: 'memory_used_bytes', labels: { cluster: 'us-east', host: 'cache-01' } },
  capacity: 64 * GiB,
  unit: 'bytes',
  level: level * GiB,
  perDay: perDay * GiB,
});

/** The run a week before: db-07 slower, db-08 not yet at risk, cache-01 at risk. */
export const PREVIOUS: SyntheticSeries[] = [
  disk('db-07', 'us-east', 7.44, 0.08),
  disk('db-08', 'eu-west', 4.65, 0.05),
  disk('full-01', 'us-east', 10.5, 0),
  hostile,
  cpu,
  requests,
  memory(50, 0.5),
];

/** The latest run: db-07 full mid-December, db-08 in January, full-01 already full, cache-01 flat again. */
export const CURRENT: SyntheticSeries[] = [
  disk('db-07', 'us-east', 8, 0.1),
  disk('db-08', 'eu-west', 5, 0.1),
  disk('full-01', 'us-east', 11, 0),
  { ...hostile, level: 6.35 * TiB },
  cpu,
  requests,
  memory(40, 0),
];

/** Writes both runs into a new database at `dir/golden.duckdb` and returns its path. */
export async function goldenStore(dir: string): Promise<string> {
  const path = join(dir, 'golden.duckdb');
  const store = await Store.open(path, { now: () => AS_OF });
  try {
    await storeSyntheticRun(store, PREVIOUS, AS_OF - 7 * DAY);
    await storeSyntheticRun(store, CURRENT, AS_OF);
  } finally {
    store.close();
  }
  return path;
}

export async function goldenModel(dbPath: string, options: Partial<BuildReportOptions> = {}): Promise<ReportModel> {
  const store = await Store.open(dbPath, { readOnly: true });
  try {
    return await buildReportModel(store, { nowMs: NOW, timeZone: TZ, title: 'Capacity headroom report — golden fleet', chartLimit: 3, ...options });
  } finally {
    store.close();
  }
}
