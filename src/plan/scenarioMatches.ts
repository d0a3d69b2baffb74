import type { Scenario } from '../forecast/scenario.js';

/** A scenario naming resources that are not stored: it changes less than it says, or nothing. */
export interface ScenarioMismatch {
  readonly scenario: string;
  /** Named resources with no stored series. */
  readonly unknown: readonly string[];
  /** True when none of its resources exists: the scenario run equals the baseline. */
  readonly matchesNothing: boolean;
}

/** Scenarios whose `resources` name resources absent from `stored` (a scenario without `resources` applies to all). */
export function scenarioMismatches(scenarios: readonly Scenario[], stored: ReadonlySet<string>): ScenarioMismatch[] {
  return scenarios.flatMap((s) => {
    if (!s.resources) return stored.size === 0 ? [{ scenario: s.name, unknown: [], matchesNothing: true }] : [];
    const unknown = s.resources.filter((r) => !stored.has(r));
    return unknown.length === 0 ? [] : [{ scenario: s.name, unknown, matchesNothing: unknown.length === s.resources.length }];
  });
}

/** One line for a warning or an error: `scenario 'x' matches no resource: 'dsik' is not stored (stored: cpu, disk)`. */
export function describeMismatch(m: ScenarioMismatch, stored: ReadonlySet<string>): string {
  const names = m.unknown.map((r) => `'${r}'`).join(', ');
  const what = m.unknown.length === 0 ? 'no resource is stored' : `${names} ${m.unknown.length === 1 ? 'is' : 'are'} not stored`;
  return `scenario '${m.scenario}' ${m.matchesNothing ? 'matches no resource' : 'misses some resources'}: ${what} (stored: ${[...stored].sort().join(', ') || 'none'})`;
}
