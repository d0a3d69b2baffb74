import { formatDuration } from '../../time/duration.js';

/** How each step's samples are reduced to the one value stored for it. */
export type Aggregate =
  | { readonly kind: 'max' }
  | { readonly kind: 'min' }
  | { readonly kind: 'avg' }
  | { readonly kind: 'last' }
  | { readonly kind: 'quantile'; readonly q: number };

/**
 * Reads `max`, `min`, `avg`, `last` (or `none`), `p95`/`p99.9`, `quantile:0.9`
 * or a bare number in (0, 1); null when it is none of these.
 */
export function parseAggregate(value: string | number): Aggregate | null {
  if (typeof value === 'number') return value > 0 && value < 1 ? { kind: 'quantile', q: value } : null;
  const v = value.trim().toLowerCase();
  if (v === 'max' || v === 'min' || v === 'avg' || v === 'last') return { kind: v };
  if (v === 'none') return { kind: 'last' };
  const p = /^p(\d{1,2}(?:\.\d+)?)$/.exec(v);
  if (p) return quantile(Number(p[1]) / 100);
  const q = /^(?:quantile:)?(0?\.\d+)$/.exec(v);
  if (q) return quantile(Number(q[1]));
  return null;
}

function quantile(q: number): Aggregate | null {
  // Rounded so p99.9 gives 0.999, not 0.9990000000000001.
  const r = Number(q.toPrecision(12));
  return r > 0 && r < 1 ? { kind: 'quantile', q: r } : null;
}

/** `max`, `p95`, `quantile:0.9`, as the plan would write it. */
export function formatAggregate(a: Aggregate): string {
  return a.kind === 'quantile' ? `quantile:${a.q}` : a.kind;
}

/**
 * Wraps a query so each step keeps its peak (or minimum, mean, quantile) over
 * the whole step instead of the one sample nearest the step's instant.
 *
 * A plain selector becomes `max_over_time(sel[STEP])`, which on Thanos reads
 * the `max` aggregate of downsampled blocks, so peaks survive downsampling.
 * Any other expression becomes a subquery, `max_over_time((EXPR)[STEP:])`,
 * evaluated at the server's default resolution; on downsampled data the
 * selectors inside it read window averages, which no wrapping can undo.
 */
export function peakQuery(expr: string, aggregate: Aggregate, stepMs: number): string {
  const e = expr.trim();
  if (aggregate.kind === 'last') return e;
  const range = formatDuration(stepMs);
  const inner = isPlainSelector(e) ? `${e}[${range}]` : `(${e})[${range}:]`;
  switch (aggregate.kind) {
    case 'max':
      return `max_over_time(${inner})`;
    case 'min':
      return `min_over_time(${inner})`;
    case 'avg':
      return `avg_over_time(${inner})`;
    case 'quantile':
      return `quantile_over_time(${aggregate.q}, ${inner})`;
  }
}

/**
 * Sums a query by the given labels, inside any peak wrapping: the stored value
 * is then the peak of the group's total, not a sum of peaks that never
 * happened at the same time.
 */
export function groupQuery(expr: string, groupBy: readonly string[] | undefined): string {
  if (!groupBy || groupBy.length === 0) return expr.trim();
  return `sum by (${groupBy.join(', ')}) (${expr.trim()})`;
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;

/**
 * True for an instant vector selector with nothing around it: `name`,
 * `name{l="v"}` or `{__name__="x"}`. Quoted label values may hold any
 * character, `}` included, so matchers are scanned, not pattern-matched.
 */
export function isPlainSelector(expr: string): boolean {
  const s = expr.trim();
  let i = 0;
  NAME.lastIndex = 0;
  const name = NAME.exec(s);
  if (name) i = NAME.lastIndex;
  while (s[i] === ' ' || s[i] === '\t' || s[i] === '\n') i++;
  if (s[i] === '{') {
    i = skipMatchers(s, i + 1);
    if (i < 0) return false;
  } else if (!name) {
    return false;
  }
  return s.slice(i).trim() === '';
}

/** Index just past the `}` closing a matcher list opened before `i`, or -1. */
function skipMatchers(s: string, i: number): number {
  while (i < s.length) {
    const c = s[i];
    if (c === '}') return i + 1;
    if (c === '{' || c === '(' || c === '[') return -1;
    if (c === '"' || c === "'" || c === '`') {
      i++;
      while (i < s.length && s[i] !== c) i += c !== '`' && s[i] === '\\' ? 2 : 1;
      if (i >= s.length) return -1;
    }
    i++;
  }
  return -1;
}
