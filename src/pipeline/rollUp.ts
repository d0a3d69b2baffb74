import type { HeadroomRow } from './headroomTable.js';

/** Headroom of a group of series of one resource kind: a cluster's disks, a team's CPUs, the whole fleet's. */
export interface Rollup {
  readonly resource: string;
  readonly unit: string | null;
  /** The label value of the group ('(none)' for series without the label); null for the resource total. */
  readonly group: string | null;
  readonly seriesCount: number;
  /** Sum of usage now (7-day peaks, usage terms). */
  readonly used: number;
  readonly capacity: number;
  /** 1 − used / capacity of the sums. */
  readonly headroomRatio: number;
  readonly minHeadroomRatio: number;
  /** Display name of the series with the smallest ratio. */
  readonly tightest: string;
  /** Per quarter label: 1 − Σ conservative peak / Σ capacity, over the series the quarter covers. */
  readonly quarters: ReadonlyMap<string, number>;
  /** Series that reach capacity (p50) within the horizon or already have. */
  readonly atRisk: readonly HeadroomRow[];
}

export const NO_LABEL = '(none)';

/**
 * Rolls headroom rows up per resource kind (and unit) and, with `label`, per
 * value of that label: the same sums as the SQL macro `headroom_by(label)`,
 * with resource totals kept apart from the series that lack the label.
 */
export function rollUp(rows: readonly HeadroomRow[], label: string | null, name: (r: HeadroomRow) => string): { groups: Rollup[]; totals: Rollup[] } {
  const key = (r: HeadroomRow, g: string | null) => JSON.stringify([r.resource, r.unit, g]);
  const make = (g: (r: HeadroomRow) => string | null) => {
    const by = new Map<string, HeadroomRow[]>();
    for (const r of rows) by.set(key(r, g(r)), [...(by.get(key(r, g(r))) ?? []), r]);
    return [...by.values()].map((rs) => summarise(rs, g(rs[0]), name)).sort(compare);
  };
  return { groups: label === null ? [] : make((r) => r.labels[label] ?? NO_LABEL), totals: make(() => null) };
}

function summarise(rs: readonly HeadroomRow[], group: string | null, name: (r: HeadroomRow) => string): Rollup {
  const capacity = rs.reduce((s, r) => s + r.capacity, 0);
  const used = rs.reduce((s, r) => s + r.usedNow, 0);
  const ratio = (r: HeadroomRow) => (r.capacity - r.usedNow) / r.capacity;
  const tightest = rs.reduce((a, b) => (ratio(b) < ratio(a) ? b : a));
  const labels = [...new Set(rs.flatMap((r) => r.quarters.map((q) => q.label)))];
  const quarters = new Map<string, number>();
  for (const label of labels) {
    const qs = rs.flatMap((r) => r.quarters.filter((q) => q.label === label));
    const cap = qs.reduce((s, q) => s + q.capacity, 0);
    quarters.set(label, (cap - qs.reduce((s, q) => s + q.peakConservative, 0)) / cap);
  }
  return {
    resource: rs[0].resource,
    unit: rs[0].unit,
    group,
    seriesCount: rs.length,
    used,
    capacity,
    headroomRatio: (capacity - used) / capacity,
    minHeadroomRatio: ratio(tightest),
    tightest: name(tightest),
    quarters,
    atRisk: rs.filter((r) => r.full?.status === 'past' || r.full?.status === 'within'),
  };
}

function compare(a: Rollup, b: Rollup): number {
  const g = (x: Rollup) => (x.group === null ? '' : x.group === NO_LABEL ? '\uffff' : x.group);
  return g(a).localeCompare(g(b)) || a.resource.localeCompare(b.resource) || String(a.unit).localeCompare(String(b.unit));
}
