/**
 * A small deterministic Nelder–Mead minimiser for the smoothing models'
 * 3–4 parameters. Derivative-free because the SSE of an exponential-smoothing
 * filter has no cheap gradient; deterministic (fixed start and step, no
 * restarts at random) so the same series always gets the same fit. All
 * working storage is allocated once per call: the objective dominates cost
 * (one O(n) pass per evaluation), so the simplex must not add GC pressure.
 */
export interface MinimizeOptions {
  /** Initial simplex edge along each axis. */
  readonly step?: number;
  /** Cap on objective evaluations; the iteration that reaches it still finishes (at most d+2 more). */
  readonly maxEvals?: number;
  /** Stop when the simplex's function values agree to this relative tolerance. */
  readonly ftol?: number;
  /** Stop when the simplex has shrunk below this size along every axis. */
  readonly xtol?: number;
}

export interface MinimizeResult {
  readonly x: Float64Array;
  readonly f: number;
  readonly evaluations: number;
}

/**
 * Minimises `f` from `x0`. `f` must not keep or modify its argument (it is a
 * reused buffer). NaN is treated as +Infinity, so an objective can reject an
 * infeasible point by returning Infinity.
 */
export function nelderMead(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  options: MinimizeOptions = {},
): MinimizeResult {
  const d = x0.length;
  const step = options.step ?? 0.5;
  const maxEvals = options.maxEvals ?? 200 * d;
  const ftol = options.ftol ?? 1e-8;
  const xtol = options.xtol ?? 1e-7;
  const simplex = new Float64Array((d + 1) * d);
  const fv = new Float64Array(d + 1);
  const order = new Int32Array(d + 1);
  const centroid = new Float64Array(d);
  const xr = new Float64Array(d);
  const xe = new Float64Array(d);
  const xc = new Float64Array(d);
  let evaluations = 0;
  const evaluate = (x: Float64Array): number => {
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
  };
  const vertex = (i: number) => simplex.subarray(i * d, (i + 1) * d);

  for (let i = 0; i <= d; i++) {
    const v = vertex(i);
    for (let j = 0; j < d; j++) v[j] = x0[j] + (i === j + 1 ? step : 0);
    fv[i] = evaluate(v);
    order[i] = i;
  }

  while (evaluations < maxEvals) {
    // insertion sort of at most five vertices by value
    for (let i = 1; i <= d; i++) {
      const o = order[i];
      let j = i - 1;
      while (j >= 0 && fv[order[j]] > fv[o]) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = o;
    }
    const best = order[0];
    const worst = order[d];
    const fBest = fv[best];
    const fWorst = fv[worst];
    if (Math.abs(fWorst - fBest) <= ftol * (Math.abs(fBest) + 1e-300) && simplexSize(simplex, d, best) <= 1e3 * xtol) break;
    if (fWorst === fBest && Number.isFinite(fBest)) break; // flat objective (e.g. a constant series)
    if (simplexSize(simplex, d, best) <= xtol) break;

    centroid.fill(0);
    for (let i = 0; i <= d; i++) {
      if (i === worst) continue;
      const v = vertex(i);
      for (let j = 0; j < d; j++) centroid[j] += v[j] / d;
    }
    const xw = vertex(worst);
    for (let j = 0; j < d; j++) xr[j] = centroid[j] + (centroid[j] - xw[j]);
    const fr = evaluate(xr);
    if (fr < fBest) {
      for (let j = 0; j < d; j++) xe[j] = centroid[j] + 2 * (centroid[j] - xw[j]);
      const fe = evaluate(xe);
      if (fe < fr) accept(xw, xe, worst, fe);
      else accept(xw, xr, worst, fr);
      continue;
    }
    if (fr < fv[order[d - 1]]) {
      accept(xw, xr, worst, fr);
      continue;
    }
    const outside = fr < fWorst;
    for (let j = 0; j < d; j++) xc[j] = centroid[j] + 0.5 * ((outside ? xr[j] : xw[j]) - centroid[j]);
    const fc = evaluate(xc);
    if (outside ? fc <= fr : fc < fWorst) {
      accept(xw, xc, worst, fc);
      continue;
    }
    // shrink towards the best vertex
    const xb = vertex(best);
    for (let i = 0; i <= d; i++) {
      if (i === best) continue;
      const v = vertex(i);
      for (let j = 0; j < d; j++) v[j] = xb[j] + 0.5 * (v[j] - xb[j]);
      fv[i] = evaluate(v);
    }
  }

  let bi = 0;
  for (let i = 1; i <= d; i++) if (fv[i] < fv[bi]) bi = i;
  return { x: Float64Array.from(vertex(bi)), f: fv[bi], evaluations };

  function accept(target: Float64Array, source: Float64Array, index: number, value: number): void {
    target.set(source);
    fv[index] = value;
  }
}

/** Largest coordinate distance of any vertex from the best one. */
function simplexSize(simplex: Float64Array, d: number, best: number): number {
  let size = 0;
  for (let i = 0; i <= d; i++) {
    for (let j = 0; j < d; j++) size = Math.max(size, Math.abs(simplex[i * d + j] - simplex[best * d + j]));
  }
  return size;
}
