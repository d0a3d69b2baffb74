/**
 * Quasi-Newton (BFGS) minimiser with central-difference gradients and a
 * backtracking line search, in the manner of R's optim(method = "BFGS")
 * (Nash 1990, vmmin), which R's arima uses. For smooth likelihoods of a few
 * parameters it needs several times fewer evaluations than Nelder–Mead,
 * which matters when one evaluation is a Kalman filter pass. Deterministic.
 */
export interface BfgsOptions {
  /** Finite-difference step (R's ndeps, 1e-3). */
  readonly eps?: number;
  readonly maxIterations?: number;
  /** Relative change of f below which the search stops (R's reltol, 1e-8). */
  readonly reltol?: number;
  /** Forward instead of central differences: half the evaluations per gradient, less accurate. */
  readonly forward?: boolean;
}

export interface BfgsResult {
  readonly x: Float64Array;
  readonly f: number;
  readonly evaluations: number;
}

/** Minimises f from x0; NaN counts as +Infinity. f must not keep its argument. */
export function bfgs(f: (x: Float64Array) => number, x0: ArrayLike<number>, options: BfgsOptions = {}): BfgsResult {
  const n = x0.length;
  const eps = options.eps ?? 1e-3;
  const maxIt = options.maxIterations ?? 100;
  const reltol = options.reltol ?? 1e-8;
  let evaluations = 0;
  const fx = (x: Float64Array) => {
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
  };
  const probe = new Float64Array(n);
  let fAtX = Number.NaN; // f at the point whose gradient is taken, for forward differences
  const gradient = (x: Float64Array, g: Float64Array): boolean => {
    for (let i = 0; i < n; i++) {
      if (options.forward) {
        probe.set(x);
        probe[i] = x[i] + eps;
        g[i] = (fx(probe) - fAtX) / eps;
        if (!Number.isFinite(g[i])) return false;
        continue;
      }
      probe.set(x);
      probe[i] = x[i] + eps;
      const up = fx(probe);
      probe[i] = x[i] - eps;
      const down = fx(probe);
      g[i] = (up - down) / (2 * eps);
      if (!Number.isFinite(g[i])) return false;
    }
    return true;
  };

  let b = Float64Array.from(x0);
  let fmin = fx(b);
  fAtX = fmin;
  if (!Number.isFinite(fmin) || n === 0) return { x: b, f: fmin, evaluations };
  const g = new Float64Array(n);
  if (!gradient(b, g)) return { x: b, f: fmin, evaluations };
  const B = new Float64Array(n * n);
  const resetB = () => {
    B.fill(0);
    for (let i = 0; i < n; i++) B[i * n + i] = 1;
  };
  resetB();
  const t = new Float64Array(n);
  const c = new Float64Array(n);
  const X = new Float64Array(n);
  const trial = new Float64Array(n);
  let freshB = true;
  for (let iter = 0; iter < maxIt; iter++) {
    let gradproj = 0;
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) v -= B[i * n + j] * g[j];
      t[i] = v;
      gradproj += v * g[i];
    }
    if (!(gradproj < 0)) {
      if (freshB) break; // steepest descent is not downhill: at a minimum (to gradient accuracy)
      resetB();
      freshB = true;
      continue;
    }
    let step = 1;
    let accepted = false;
    let fnew = fmin;
    for (let k = 0; k < 40; k++) {
      let same = 0;
      for (let i = 0; i < n; i++) {
        trial[i] = b[i] + step * t[i];
        if (trial[i] === b[i]) same++;
      }
      if (same === n) break;
      fnew = fx(trial);
      if (Number.isFinite(fnew) && fnew <= fmin + gradproj * step * 1e-4) {
        accepted = true;
        break;
      }
      step *= 0.2;
    }
    if (!accepted) {
      if (freshB) break;
      resetB();
      freshB = true;
      continue;
    }
    const converged = Math.abs(fnew - fmin) <= reltol * (Math.abs(fmin) + reltol);
    for (let i = 0; i < n; i++) {
      X[i] = trial[i] - b[i];
      c[i] = g[i];
    }
    b = Float64Array.from(trial);
    fmin = fnew;
    fAtX = fnew;
    if (converged) break;
    if (!gradient(b, g)) break;
    for (let i = 0; i < n; i++) c[i] = g[i] - c[i];
    let d1 = 0;
    for (let i = 0; i < n; i++) d1 += X[i] * c[i];
    if (d1 > 0) {
      // BFGS update of the inverse Hessian
      const Bc = new Float64Array(n);
      let d2 = 0;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v += B[i * n + j] * c[j];
        Bc[i] = v;
        d2 += c[i] * v;
      }
      d2 = 1 + d2 / d1;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) B[i * n + j] += (d2 * X[i] * X[j] - Bc[i] * X[j] - X[i] * Bc[j]) / d1;
      }
      freshB = false;
    } else {
      resetB();
      freshB = true;
    }
  }
  return { x: b, f: fmin, evaluations };
}
