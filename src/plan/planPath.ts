/** A position in the plan document: mapping keys and list indices. */
export type PlanPath = readonly (string | number)[];

/**
 * Writes a path the way a reader finds it in the file: `resources[2].step`,
 * `sources.thanos-eu.url`, `sources["eu west"].url`.
 */
export function formatPlanPath(path: PlanPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Shows a found value briefly, quoted when a string: `"1 hour"`, `42`, `a list`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  return String(v);
}

/** The value at `path` in plain parsed data, or undefined. */
export function valueAt(data: unknown, path: PlanPath): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}
