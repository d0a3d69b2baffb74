import { z } from 'zod';

/*
 * The planning parts of a plan file as written: plan-wide `planning`
 * defaults, per-resource overrides, `scenarios` and `slos`. Shapes only;
 * `normalizePlanning` settles units, dates and cross-checks.
 */

const text = (what: string) => z.string({ error: what }).trim().min(1, { error: what });
const duration = text('expected a duration like 30d or 12w');
const date = z.union([z.string(), z.date()], { error: 'expected a date like 2027-02-01' });
/** A fraction, or a percentage string (`20%`). */
const fraction = z.union([z.number(), z.string()], { error: 'expected a fraction like 0.2 or a percentage like 20%' });
const amount = z.number({ error: 'expected a number in the resource unit' }).finite({ error: 'expected a finite number' });

export const thresholdsSpec = z.strictObject(
  { warn: fraction.optional(), critical: fraction.optional(), full: fraction.optional() },
  { error: 'expected a mapping with warn, critical and/or full (fractions of capacity)' },
);

export const capacityChangeSpec = z.strictObject(
  { date, add: amount.optional(), set: amount.optional(), note: z.string().optional() },
  { error: 'expected a mapping with date and add or set' },
);

/** Per-resource planning overrides (merged into each resource's mapping). */
export const resourcePlanningFields = {
  thresholds: thresholdsSpec.optional(),
  capacityChanges: z.array(capacityChangeSpec, { error: 'expected a list of capacity changes' }).optional(),
  leadTime: duration.optional(),
  targetHeadroom: fraction.optional(),
  risk: z.enum(['conservative', 'expected'], { error: 'expected conservative or expected' }).optional(),
};

export const planningDefaultsSpec = z.strictObject(
  {
    ...resourcePlanningFields,
    horizon: duration.optional(),
    fiscalYearStart: z.union([z.number(), z.string()], { error: 'expected a month: 1 to 12 or a name such as April' }).optional(),
    warningWindow: duration.optional(),
    groupBy: z.string({ error: 'expected a label name' }).optional(),
  },
  { error: 'expected a mapping of planning settings' },
);

const scenarioChangeSpec = z.strictObject(
  {
    growth: z.union([z.number(), z.string()], { error: 'expected a factor like 1.3 or a change like +30%' }).optional(),
    from: date.optional(),
    ramp: duration.optional(),
    step: amount.optional(),
    at: date.optional(),
    addCapacity: amount.optional(),
    setCapacity: amount.optional(),
  },
  { error: 'expected a mapping with growth+from, step+at, addCapacity+at or setCapacity+at' },
);

export const scenarioSpec = z.strictObject(
  {
    name: text('expected a scenario name'),
    description: z.string().optional(),
    resources: z.array(text('expected a resource name'), { error: 'expected a list of resource names' }).optional(),
    changes: z.array(scenarioChangeSpec, { error: 'expected a list of changes' }).min(1, { error: 'expected at least one change' }),
  },
  { error: 'expected a mapping with name and changes' },
);

export const sloSpec = z.strictObject(
  {
    name: text('expected an SLO name'),
    source: text('expected the name of a source').optional(),
    errors: text('expected a PromQL query for error counts').optional(),
    good: text('expected a PromQL query for good counts').optional(),
    total: text('expected a PromQL query for total counts').optional(),
    objective: z.union([z.number(), z.string()], { error: 'expected an objective like 0.999 or 99.9%' }),
    window: duration.optional(),
    step: duration.optional(),
  },
  { error: 'expected a mapping with name, objective and queries' },
);

export type ThresholdsSpec = z.infer<typeof thresholdsSpec>;
export type CapacityChangeSpec = z.infer<typeof capacityChangeSpec>;
export type PlanningDefaultsSpec = z.infer<typeof planningDefaultsSpec>;
export type ScenarioSpec = z.infer<typeof scenarioSpec>;
export type SloSpec = z.infer<typeof sloSpec>;
export type ResourcePlanningSpec = { [K in keyof typeof resourcePlanningFields]?: z.infer<(typeof resourcePlanningFields)[K]> };
