import { DEFAULT_PLANNING, type PlanningSpec } from '../../plan/Planning.js';
import { DAY } from '../../time/constants.js';


/**
 * The demo's planning settings, as a plan file would give them: disks warn
 * at 80% and need 45 days to procure; two what-if scenarios dated relative
 * to the end of the demo history (so they always fall within the horizon);
 * and the two demo SLOs.
 */
export function demoPlanning(endMs: number): PlanningSpec {
  const day = (n: number) => Math.floor(endMs / DAY) * DAY + n * DAY;
  return {
    defaults: DEFAULT_PLANNING,
    resources: new Map([
      ['disk', { ...DEFAULT_PLANNING, leadTimeMs: 45 * DAY }],
      ['cpu', { ...DEFAULT_PLANNING, thresholds: { warn: 0.7, critical: 0.85, full: 1 }, leadTimeMs: 21 * DAY }],
    ]),
    scenarios: [
      {
        name: 'traffic-plus-30',
        description: `Traffic +30% from ${new Date(day(30)).toISOString().slice(0, 10)} (a marketing launch), phased in over 2 weeks`,
        resources: ['requests', 'cpu'],
        changes: [{ kind: 'growth', factor: 1.3, fromMs: day(30), rampMs: 14 * DAY }],
      },
      {
        name: 'big-tenant',
        description: `A large tenant onboarded on ${new Date(day(20)).toISOString().slice(0, 10)}: +150 GB on every disk`,
        resources: ['disk'],
        changes: [{ kind: 'step', amount: 150e9, atMs: day(20) }],
      },
    ],
    slos: [
      { name: 'checkout-availability', source: null, errors: null, good: null, total: null, objective: 0.999, windowMs: 30 * DAY, stepMs: 300_000 },
      { name: 'search-availability', source: null, errors: null, good: null, total: null, objective: 0.995, windowMs: 30 * DAY, stepMs: 300_000 },
    ],
  };
}
