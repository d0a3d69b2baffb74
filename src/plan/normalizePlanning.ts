import type { CapacityChange } from '../forecast/capacityTimeline.js';
import type { Scenario, ScenarioChange } from '../forecast/scenario.js';
import { parseTimestamp } from '../source/csv/parseTimestamp.js';
import { parseDuration } from '../time/duration.js';
import { DEFAULT_PLANNING, type PlanningDefaults, type PlanningSpec, type ResourcePlanning, type SloConfig, type Thresholds } from './Planning.js';
import { describeValue, type PlanPath } from './planPath.js';
import type { CapacityChangeSpec, PlanningDefaultsSpec, ResourcePlanningSpec, ScenarioSpec, SloSpec, ThresholdsSpec } from './planningSchema.js';

type Fail = (path: PlanPath, detail: string) => never;

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** The planning sections of a plan, with defaults filled and every value checked. */
export function normalizePlanning(
  spec: { planning?: PlanningDefaultsSpec; resources: readonly (ResourcePlanningSpec & { name: string })[]; scenarios?: readonly ScenarioSpec[]; slos?: readonly SloSpec[] },
  resourceNames: readonly string[],
  sourceNames: readonly string[],
  fail: Fail,
): PlanningSpec {
  const p = spec.planning ?? {};
  const base = resourcePlanning(p, DEFAULT_PLANNING, ['planning'], fail);
  const defaults: PlanningDefaults = {
    ...base,
    horizonMs: p.horizon ? durationAt(p.horizon, ['planning', 'horizon'], fail) : DEFAULT_PLANNING.horizonMs,
    fiscalYearStartMonth: p.fiscalYearStart === undefined ? 1 : month(p.fiscalYearStart, ['planning', 'fiscalYearStart'], fail),
    warningWindowMs: p.warningWindow ? durationAt(p.warningWindow, ['planning', 'warningWindow'], fail) : DEFAULT_PLANNING.warningWindowMs,
    groupBy: p.groupBy ?? null,
  };
  const resources = new Map<string, ResourcePlanning>();
  spec.resources.forEach((r, i) => resources.set(r.name, resourcePlanning(r, defaults, ['resources', i], fail)));
  const seen = new Set<string>();
  const scenarios = (spec.scenarios ?? []).map((s, i) => {
    if (seen.has(s.name)) fail(['scenarios', i, 'name'], `duplicate scenario name ${describeValue(s.name)}`);
    seen.add(s.name);
    return scenario(s, ['scenarios', i], resourceNames, fail);
  });
  const slos = (spec.slos ?? []).map((s, i) => slo(s, ['slos', i], sourceNames, fail));
  return { defaults, resources, scenarios, slos };
}

function resourcePlanning(r: ResourcePlanningSpec, base: ResourcePlanning, at: PlanPath, fail: Fail): ResourcePlanning {
  return {
    thresholds: r.thresholds ? thresholds(r.thresholds, base.thresholds, [...at, 'thresholds'], fail) : base.thresholds,
    capacityChanges: r.capacityChanges ? r.capacityChanges.map((c, i) => capacityChange(c, [...at, 'capacityChanges', i], fail)) : base.capacityChanges,
    leadTimeMs: r.leadTime ? durationAt(r.leadTime, [...at, 'leadTime'], fail) : base.leadTimeMs,
    targetHeadroom: r.targetHeadroom === undefined ? base.targetHeadroom : fractionAt(r.targetHeadroom, [...at, 'targetHeadroom'], fail, { max: 0.95, min: 0 }),
    risk: r.risk ?? base.risk,
  };
}

function thresholds(t: ThresholdsSpec, base: Thresholds, at: PlanPath, fail: Fail): Thresholds {
  const out = {
    warn: t.warn === undefined ? base.warn : fractionAt(t.warn, [...at, 'warn'], fail),
    critical: t.critical === undefined ? base.critical : fractionAt(t.critical, [...at, 'critical'], fail),
    full: t.full === undefined ? base.full : fractionAt(t.full, [...at, 'full'], fail),
  };
  if (!(out.warn <= out.critical && out.critical <= out.full)) {
    fail(at, `thresholds must be in order warn ≤ critical ≤ full, got ${out.warn}, ${out.critical}, ${out.full}`);
  }
  return out;
}

function capacityChange(c: CapacityChangeSpec, at: PlanPath, fail: Fail): CapacityChange {
  if ((c.add === undefined) === (c.set === undefined)) fail(at, 'give exactly one of add (or remove, negative) and set');
  if (c.set !== undefined && !(c.set > 0)) fail([...at, 'set'], `capacity must be above zero, got ${c.set}`);
  const atMs = dateAt(c.date, [...at, 'date'], fail);
  return c.add !== undefined ? { atMs, kind: 'add', amount: c.add, note: c.note } : { atMs, kind: 'set', amount: c.set as number, note: c.note };
}

function scenario(s: ScenarioSpec, at: PlanPath, resourceNames: readonly string[], fail: Fail): Scenario {
  s.resources?.forEach((r, i) => {
    if (!resourceNames.includes(r)) fail([...at, 'resources', i], `unknown resource ${describeValue(r)} (defined: ${resourceNames.join(', ')})`);
  });
  const changes = s.changes.map((c, i): ScenarioChange => {
    const here = [...at, 'changes', i];
    const kinds = [c.growth !== undefined, c.step !== undefined, c.addCapacity !== undefined, c.setCapacity !== undefined].filter(Boolean).length;
    if (kinds !== 1) fail(here, 'give exactly one of growth, step, addCapacity or setCapacity');
    if (c.growth !== undefined) {
      if (c.from === undefined) fail([...here, 'from'], 'is required with growth (the date it starts)');
      const factor = growthFactor(c.growth, [...here, 'growth'], fail);
      return { kind: 'growth', factor, fromMs: dateAt(c.from, [...here, 'from'], fail), ...(c.ramp ? { rampMs: durationAt(c.ramp, [...here, 'ramp'], fail) } : {}) };
    }
    if (c.at === undefined) fail([...here, 'at'], 'is required (the date of the change)');
    const atMs = dateAt(c.at, [...here, 'at'], fail);
    if (c.step !== undefined) return { kind: 'step', amount: c.step, atMs };
    if (c.addCapacity !== undefined) return { kind: 'capacity', change: { atMs, kind: 'add', amount: c.addCapacity } };
    if (!((c.setCapacity as number) > 0)) fail([...here, 'setCapacity'], `capacity must be above zero, got ${c.setCapacity}`);
    return { kind: 'capacity', change: { atMs, kind: 'set', amount: c.setCapacity as number } };
  });
  return { name: s.name, ...(s.description ? { description: s.description } : {}), ...(s.resources ? { resources: s.resources } : {}), changes };
}

function slo(s: SloSpec, at: PlanPath, sourceNames: readonly string[], fail: Fail): SloConfig {
  const objective = fractionAt(s.objective, [...at, 'objective'], fail);
  if (!(objective > 0 && objective < 1)) fail([...at, 'objective'], `must be below 1 (100% leaves no error budget), got ${describeValue(s.objective)}`);
  if (s.source && !sourceNames.includes(s.source)) fail([...at, 'source'], `unknown source ${describeValue(s.source)} (defined: ${sourceNames.join(', ')})`);
  if (s.source && !s.total) fail([...at, 'total'], 'is required: a PromQL query counting all requests per step');
  if (s.source && Boolean(s.errors) === Boolean(s.good)) fail(at, 'give exactly one of errors and good');
  return {
    name: s.name,
    source: s.source ?? null,
    errors: s.errors ?? null,
    good: s.good ?? null,
    total: s.total ?? null,
    objective,
    windowMs: s.window ? durationAt(s.window, [...at, 'window'], fail) : 30 * 86_400_000,
    stepMs: s.step ? durationAt(s.step, [...at, 'step'], fail) : 300_000,
  };
}

function fractionAt(v: number | string, at: PlanPath, fail: Fail, range = { min: 0, max: 1 }): number {
  const n = typeof v === 'number' ? v : /^\s*-?[\d.]+\s*%\s*$/.test(v) ? Number.parseFloat(v) / 100 : Number(v);
  if (!Number.isFinite(n) || n <= range.min || n > range.max) fail(at, `expected a fraction in (${range.min}, ${range.max}] such as 0.9 or 90%, got ${describeValue(v)}`);
  return n;
}

function growthFactor(v: number | string, at: PlanPath, fail: Fail): number {
  let f: number;
  if (typeof v === 'number') f = v;
  else {
    const m = /^\s*([+-]\d+(?:\.\d+)?)\s*%\s*$/.exec(v);
    f = m ? 1 + Number(m[1]) / 100 : Number(v);
  }
  if (!Number.isFinite(f) || f <= 0) fail(at, `expected a factor above 0 (1.3) or a change like +30%, got ${describeValue(v)}`);
  return f;
}

function durationAt(v: string, at: PlanPath, fail: Fail): number {
  try {
    return parseDuration(v, 'value');
  } catch {
    return fail(at, `expected a duration like 30d or 12w, got ${describeValue(v)}`);
  }
}

function dateAt(v: string | Date, at: PlanPath, fail: Fail): number {
  const ms = v instanceof Date ? v.getTime() : parseTimestamp(String(v));
  if (ms === null || !Number.isFinite(ms)) return fail(at, `expected a date like 2027-02-01, got ${describeValue(v)}`);
  return ms;
}

function month(v: number | string, at: PlanPath, fail: Fail): number {
  const n = typeof v === 'number' ? v : MONTHS.findIndex((m) => m.startsWith(String(v).trim().toLowerCase().slice(0, 3))) + 1;
  if (!Number.isInteger(n) || n < 1 || n > 12) fail(at, `expected a month: 1 to 12 or a name such as April, got ${describeValue(v)}`);
  return n;
}

/** Scenario dates must fall within the forecast horizon, or the scenario changes nothing. */
export function checkScenarioDates(scenarios: readonly Scenario[], fromMs: number, toMs: number, fail: Fail): void {
  scenarios.forEach((s, i) =>
    s.changes.forEach((c, j) => {
      const t = c.kind === 'growth' ? c.fromMs : c.kind === 'step' ? c.atMs : c.change.atMs;
      if (t < fromMs || t > toMs) {
        fail(['scenarios', i, 'changes', j, c.kind === 'growth' ? 'from' : 'at'], `date ${new Date(t).toISOString().slice(0, 10)} is outside the forecast horizon (${new Date(fromMs).toISOString().slice(0, 10)} to ${new Date(toMs).toISOString().slice(0, 10)})`);
      }
    }),
  );
}
