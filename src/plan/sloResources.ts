import type { Plan, ResourceConfig } from './Plan.js';

/** The resource name an SLO's count query is pulled under: `checkout:errors`, `checkout:total`. */
export const sloResourceName = (slo: string, metric: 'errors' | 'good' | 'total') => `${slo}:${metric}`;

/**
 * An SLO's count queries as resources to pull: each stored as-is (counts per
 * step, no peak wrapping) over its window plus a week, so the window can be
 * replayed from the first day.
 */
export function sloPullResources(plan: Plan): ResourceConfig[] {
  const out: ResourceConfig[] = [];
  for (const slo of plan.planning?.slos ?? []) {
    if (!slo.source || !slo.total) continue;
    const queries: ['errors' | 'good' | 'total', string | null][] = [['errors', slo.errors], ['good', slo.good], ['total', slo.total]];
    for (const [metric, query] of queries) {
      if (!query) continue;
      out.push({
        name: sloResourceName(slo.name, metric),
        source: slo.source,
        usage: query,
        capacity: null,
        aggregate: { kind: 'last' },
        stepMs: slo.stepMs,
        lookbackMs: slo.windowMs + 7 * 86_400_000,
        groupBy: [],
        unit: 'requests',
        direction: 'rising',
        description: `SLO ${slo.name}: ${metric} per ${slo.stepMs / 60_000} min`,
      });
    }
  }
  return out;
}
