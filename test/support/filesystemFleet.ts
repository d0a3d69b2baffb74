import type { SyntheticSeries } from './prometheus.js';

const DAY = 86_400_000;

/**
 * `n` filesystems (4 mounts per host) for a real Prometheus: used bytes growing
 * 0.1–2 GB a day from 100–300 GB with a weekly cycle, and a constant size
 * (every tenth 400 GB, so some run out within a quarter, the rest 1 TB).
 * Integer-valued, so stored values compare exactly.
 */
export function filesystemFleet(n: number, fromMs: number): SyntheticSeries[] {
  const labels = Array.from({ length: n }, (_, i) => ({ host: `db-${String(Math.floor(i / 4)).padStart(3, '0')}`, mount: `/data${i % 4}` }));
  return [
    ...labels.map((l, i) => ({
      metric: 'capplan_fs_used_bytes',
      labels: l,
      value: (t: number) =>
        1e11 + (i % 200) * 1e9 + Math.round(((t - fromMs) / DAY) * (1e8 + (i % 20) * 1e8) + 5e8 * Math.sin((2 * Math.PI * (t - fromMs)) / (7 * DAY))),
    })),
    ...labels.map((l, i) => ({ metric: 'capplan_fs_size_bytes', labels: l, value: () => (i % 10 === 0 ? 4e11 : 1e12) })),
  ];
}

/** A plan pulling that fleet daily (usage and capacity) from `url`, planning 90 days ahead. */
export function filesystemFleetPlan(url: string, lookbackDays: number): string {
  return [
    'sources:',
    `  prom: {url: "${url}", type: prometheus}`,
    'resources:',
    `  - {name: disk, source: prom, usage: capplan_fs_used_bytes, capacity: capplan_fs_size_bytes, step: 1d, lookback: ${lookbackDays}d, unit: bytes}`,
    'planning:',
    '  horizon: 90d',
    '  groupBy: host',
    '',
  ].join('\n');
}
