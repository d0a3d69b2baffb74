/** A point the search evaluated: where, and what the objective gave there. */
export interface Probe<T> {
  readonly x: number;
  readonly value: T;
}

export interface GoldenSectionOptions {
  readonly maxIterations: number;
  /** Stop when the bracket is narrower than this. */
  readonly tolerance: number;
  /** On equal scores keep the left part of the bracket (else the right). */
  readonly leftOnTie: boolean;
}

/**
 * Golden-section search for the minimum of a unimodal `score` on [a, b]:
 * each step keeps the part of the bracket holding the lower probe and
 * evaluates one new point. Returns the two final probes with their values,
 * so callers pick among them (and any earlier candidate) without evaluating
 * the objective again.
 */
export function goldenSection<T>(a: number, b: number, evaluate: (x: number) => T, score: (value: T) => number, options: GoldenSectionOptions): [Probe<T>, Probe<T>] {
  const g = (Math.sqrt(5) - 1) / 2;
  let lo = a;
  let hi = b;
  let left: Probe<T> = probe(hi - g * (hi - lo), evaluate);
  let right: Probe<T> = probe(lo + g * (hi - lo), evaluate);
  for (let i = 0; i < options.maxIterations && hi - lo > options.tolerance; i++) {
    const sl = score(left.value);
    const sr = score(right.value);
    if (sl < sr || (options.leftOnTie && sl === sr)) {
      hi = right.x;
      right = left;
      left = probe(hi - g * (hi - lo), evaluate);
    } else {
      lo = left.x;
      left = right;
      right = probe(lo + g * (hi - lo), evaluate);
    }
  }
  return [left, right];
}

function probe<T>(x: number, evaluate: (x: number) => T): Probe<T> {
  return { x, value: evaluate(x) };
}
