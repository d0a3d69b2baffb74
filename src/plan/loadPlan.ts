import { readFile } from 'node:fs/promises';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { PlanError } from '../errors.js';
import { normalizePlan, type Locate } from './normalizePlan.js';
import type { Plan } from './Plan.js';
import { didYouMean } from './didYouMean.js';
import { describeValue, formatPlanPath, valueAt, type PlanPath } from './planPath.js';
import { planSchema } from './planSchema.js';

/** Reads and validates a plan file; every problem is a PlanError naming the YAML path and file:line:col. */
export async function loadPlan(path: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new PlanError('', `${path}: cannot read plan file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parsePlan(text, path);
}

/** Same as `loadPlan`, from text in memory; `file` is used in messages. */
export function parsePlan(text: string, file = 'plan'): Plan {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = lines.linePos(syntax.pos[0]);
    throw new PlanError('', `${file}:${pos.line}:${pos.col}: ${syntax.message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // The yaml library refuses alias bombs (and unresolved aliases) with a ReferenceError.
    throw new PlanError('', `${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (data === null || data === undefined) throw new PlanError('', `${file}: the plan is empty; expected sources and resources`);
  const locate = locator(doc, lines, file);
  const parsed = planSchema.safeParse(data);
  if (!parsed.success) {
    // A misspelt key explains a missing one: report unknown keys first.
    const issue = parsed.error.issues.find((i) => i.code === 'unrecognized_keys') ?? parsed.error.issues[0];
    const { path, detail } = describeIssue(issue, data);
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem${parsed.error.issues.length > 2 ? 's' : ''})` : '';
    throw new PlanError(formatPlanPath(path), detail + locate(path) + more);
  }
  return normalizePlan(parsed.data, locate);
}

const SECRET_KEYS = /^(bearerToken|token|password|secret|apiKey)$/i;

/** One zod issue as a YAML path and a sentence: what was expected, and what was found. */
function describeIssue(issue: z.core.$ZodIssue, data: unknown): { path: PlanPath; detail: string } {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    if (SECRET_KEYS.test(key)) {
      return { path: [...path, key], detail: 'secrets are not written in the plan; name an environment variable or a file (bearerTokenEnv, bearerTokenFile, passwordEnv, passwordFile)' };
    }
    return { path: [...path, key], detail: `unknown key${didYouMean(key, allowedKeys(data, path))}` };
  }
  const found = valueAt(data, path);
  if (found === undefined) return { path, detail: `is required (${issue.message})` };
  return { path, detail: `${issue.message}, got ${describeValue(found)}` };
}

/** Maps a path to ` (at file:line:col)` of the node there, or of its key when the value is absent. */
function locator(doc: Document, lines: LineCounter, file: string): Locate {
  return (path) => {
    for (let n = path.length; n >= 0; n--) {
      const parent = n === 0 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
      let offset: number | undefined;
      if (n === 0) offset = doc.contents?.range?.[0];
      else if (isMap(parent)) {
        // Point at the key: an unknown or misspelt key has no useful value position.
        const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === path[n - 1]);
        offset = (pair?.key as { range?: [number, number] } | undefined)?.range?.[0];
      } else {
        offset = (doc.getIn(path.slice(0, n), true) as { range?: [number, number] } | undefined)?.range?.[0];
      }
      if (offset !== undefined) {
        const pos = lines.linePos(offset);
        return ` (at ${file}:${pos.line}:${pos.col})`;
      }
    }
    return '';
  };
}

/** The keys the schema allows where `key` was found: the keys of a valid sibling shape, read from the zod schema. */
function allowedKeys(_data: unknown, path: PlanPath): string[] {
  let shape: unknown = planSchema;
  for (const seg of path) {
    shape = unwrap(shape);
    const s = shape as { shape?: Record<string, unknown>; element?: unknown; _zod?: { def?: { valueType?: unknown } } };
    if (typeof seg === 'number') shape = s.element;
    else if (s.shape && seg in s.shape) shape = s.shape[seg];
    else shape = s._zod?.def?.valueType;
    if (!shape) return [];
  }
  const final = unwrap(shape) as { shape?: Record<string, unknown> };
  return final.shape ? Object.keys(final.shape) : [];
}

function unwrap(shape: unknown): unknown {
  let s = shape as { unwrap?: () => unknown; _zod?: { def?: { type?: string; innerType?: unknown } } };
  while (s && s._zod?.def?.type === 'optional' && s._zod.def.innerType) s = s._zod.def.innerType as typeof s;
  return s;
}
