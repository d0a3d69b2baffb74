import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePlan } from '../plan/loadPlan.js';
import type { PlanningSpec } from '../plan/Planning.js';
import type { Scenario } from '../forecast/scenario.js';
import { DAY } from '../time/constants.js';

/**
 * The demo's plan file, `datasets/demo-plan.yaml`, found from this module
 * whether it runs from `src/` (tests) or the compiled `dist/src/`.
 */
export function demoPlanPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'datasets', 'demo-plan.yaml');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('internal: datasets/demo-plan.yaml not found beside capplan');
}

/**
 * The demo's planning settings: those of `datasets/demo-plan.yaml` (disks
 * need 45 days to procure, CPU warns at 70%, the two demo SLOs), plus two
 * what-if scenarios dated relative to the end of the demo history, so they
 * always fall within the horizon.
 */
export function demoPlanning(endMs: number): PlanningSpec {
  const path = demoPlanPath();
  const planning = parsePlan(readFileSync(path, 'utf8'), path).planning;
  if (!planning) throw new Error(`internal: ${path} has no planning section`);
  return { ...planning, scenarios: [...planning.scenarios, ...demoScenarios(endMs)] };
}

function demoScenarios(endMs: number): Scenario[] {
  const day = (n: number) => Math.floor(endMs / DAY) * DAY + n * DAY;
  return [
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
  ];
}
