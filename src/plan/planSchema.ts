import { z } from 'zod';
import { planningDefaultsSpec, resourcePlanningFields, scenarioSpec, sloSpec } from './planningSchema.js';

/*
 * The plan file as written (`PlanSpec`): shapes and types only. Defaults,
 * durations and cross-references are settled in `normalizePlan`. Objects are
 * strict so a misspelt key (`agregate:`) is an error, not a silent default.
 * Messages say what was expected; `planIssues` appends what was found.
 */

const text = (what: string) => z.string({ error: what }).trim().min(1, { error: what });
const duration = text('expected a duration like 1h, 30s or 400d');
const labelName = z.string({ error: 'expected a label name' }).regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: 'expected a label name' });

const basicAuth = z.strictObject(
  {
    username: text('expected a user name'),
    passwordEnv: text('expected the name of an environment variable').optional(),
    passwordFile: text('expected a file path').optional(),
  },
  { error: 'expected a mapping with username and passwordEnv or passwordFile' },
);

const auth = z.strictObject(
  {
    bearerTokenEnv: text('expected the name of an environment variable').optional(),
    bearerTokenFile: text('expected a file path').optional(),
    basicAuth: basicAuth.optional(),
  },
  { error: 'expected a mapping with bearerTokenEnv, bearerTokenFile or basicAuth' },
);

const tls = z.strictObject(
  {
    caFile: text('expected a file path').optional(),
    certFile: text('expected a file path').optional(),
    keyFile: text('expected a file path').optional(),
    insecureSkipVerify: z.boolean({ error: 'expected true or false' }).optional(),
  },
  { error: 'expected a mapping with caFile, certFile, keyFile or insecureSkipVerify' },
);

const thanos = z.strictObject(
  {
    maxSourceResolution: z
      .union([z.string(), z.number()], { error: 'expected one of 0, 5m, 1h, auto' })
      .transform((v) => String(v))
      .refine((v) => ['0', '0s', 'raw', '5m', '1h', 'auto'].includes(v), { error: 'expected one of 0, 5m, 1h, auto' })
      .optional(),
    dedup: z.boolean({ error: 'expected true or false' }).optional(),
    replicaLabels: z.array(labelName, { error: 'expected a list of label names' }).optional(),
    partialResponse: z.enum(['warn', 'abort'], { error: 'expected warn or abort' }).optional(),
  },
  { error: 'expected a mapping of Thanos options' },
);

const capacityError = 'expected a positive number or a PromQL query';

const positiveInt = (what: string) => z.number({ error: what }).int({ error: what }).positive({ error: what });

const source = z.strictObject(
  {
    url: text('expected an http(s) URL'),
    type: z.enum(['prometheus', 'thanos', 'victoriametrics', 'mimir'], { error: 'expected one of prometheus, thanos, victoriametrics, mimir' }),
    auth: auth.optional(),
    headers: z.record(z.string(), z.string({ error: 'expected a string header value' }), { error: 'expected a mapping of header names to values' }).optional(),
    tls: tls.optional(),
    thanos: thanos.optional(),
    timeout: duration.optional(),
    compression: z.boolean({ error: 'expected true or false' }).optional(),
    maxPoints: positiveInt('expected a positive whole number of points').optional(),
    concurrency: positiveInt('expected a positive whole number').optional(),
  },
  { error: 'expected a mapping with url and type' },
);

const resource = z.strictObject(
  {
    name: text('expected a resource name'),
    source: text('expected the name of a source'),
    usage: text('expected a PromQL query'),
    capacity: z
      .union([z.number().positive({ error: capacityError }).finite({ error: capacityError }), z.string().trim().min(1, { error: capacityError })], {
        error: capacityError,
      })
      .optional(),
    aggregate: z
      .union([z.string(), z.number()], { error: 'expected max, min, avg, last, p95, p99 or a quantile between 0 and 1' })
      .optional(),
    step: duration.optional(),
    lookback: duration.optional(),
    groupBy: z.array(labelName, { error: 'expected a list of label names' }).optional(),
    unit: text('expected a unit such as bytes or cores').optional(),
    direction: z.enum(['rising', 'falling'], { error: 'expected rising or falling' }).optional(),
    description: z.string({ error: 'expected text' }).optional(),
    ...resourcePlanningFields,
  },
  { error: 'expected a mapping with name, source and usage' },
);

export const planSchema = z.strictObject(
  {
    sources: z.record(z.string(), source, { error: 'expected a mapping of source names to sources' }),
    resources: z.array(resource, { error: 'expected a list of resources' }).min(1, { error: 'expected at least one resource' }),
    planning: planningDefaultsSpec.optional(),
    scenarios: z.array(scenarioSpec, { error: 'expected a list of scenarios' }).optional(),
    slos: z.array(sloSpec, { error: 'expected a list of SLOs' }).optional(),
    email: z
      .strictObject(
        {
          to: z.union([z.string(), z.array(z.string())], { error: 'expected an address or a list of addresses' }),
          format: z.enum(['md', 'html', 'pdf'], { error: 'expected md, html or pdf' }).optional(),
          timeZone: z.string({ error: 'expected an IANA time zone such as Europe/Berlin' }).optional(),
        },
        { error: 'expected a mapping with to (and format, timeZone)' },
      )
      .optional(),
    pushgateway: z
      .string({ error: 'expected an http(s) URL of a Prometheus Pushgateway' })
      .trim()
      .regex(/^https?:\/\/\S+$/, { error: 'expected an http(s) URL of a Prometheus Pushgateway' })
      .optional(),
  },
  { error: 'expected a mapping with sources and resources' },
);

export type PlanSpec = z.infer<typeof planSchema>;
export type SourceSpec = z.infer<typeof source>;
export type ResourceSpec = z.infer<typeof resource>;
