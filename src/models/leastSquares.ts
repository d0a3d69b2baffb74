/**
 * Dense least squares by Householder QR. QR rather than normal equations
 * because Fourier designs with a trend column and several periods can be
 * ill-conditioned, and forming XᵀX squares the condition number. Cost is
 * O(n·p²) with p small (≈ 2 + 6 per period), one copy of X, no per-row allocation.
 */
export interface LeastSquaresFit {
  readonly n: number;
  readonly p: number;
  readonly coef: Float64Array;
  readonly fitted: Float64Array;
  /** Residual sum of squares. */
  readonly sse: number;
  /** x0ᵀ(XᵀX)⁻¹x0, the leverage of a new design row; grows as x0 leaves the data. */
  leverage(x0: Float64Array): number;
}

/**
 * Fits y ≈ X·coef. `X` is column-major n×p (column j at X[j*n .. j*n+n)) and
 * is not modified. Returns undefined when X is numerically rank deficient, so
 * the caller can explain which design choice caused it.
 */
export function leastSquares(X: Float64Array, n: number, p: number, y: Float64Array): LeastSquaresFit | undefined {
  if (n < p || X.length !== n * p || y.length !== n) return undefined;
  const a = Float64Array.from(X);
  const qty = Float64Array.from(y);
  const rdiag = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const cj = j * n;
    let scale0 = 0;
    for (let i = 0; i < n; i++) scale0 = Math.max(scale0, Math.abs(X[cj + i]));
    let norm = 0;
    for (let i = j; i < n; i++) norm += a[cj + i] * a[cj + i];
    norm = Math.sqrt(norm);
    // what is left of the column after removing earlier ones is noise: collinear design
    if (!(norm > 1e-10 * scale0 * Math.sqrt(n))) return undefined;
    const alpha = a[cj + j] > 0 ? -norm : norm;
    a[cj + j] -= alpha; // v = x - alpha·e1 stored in place
    let vv = 0;
    for (let i = j; i < n; i++) vv += a[cj + i] * a[cj + i];
    for (let k = j + 1; k < p; k++) {
      const ck = k * n;
      let s = 0;
      for (let i = j; i < n; i++) s += a[cj + i] * a[ck + i];
      const f = (2 * s) / vv;
      for (let i = j; i < n; i++) a[ck + i] -= f * a[cj + i];
    }
    let s = 0;
    for (let i = j; i < n; i++) s += a[cj + i] * qty[i];
    const f = (2 * s) / vv;
    for (let i = j; i < n; i++) qty[i] -= f * a[cj + i];
    rdiag[j] = alpha;
  }
  const coef = new Float64Array(p);
  for (let j = p - 1; j >= 0; j--) {
    let s = qty[j];
    for (let k = j + 1; k < p; k++) s -= a[k * n + j] * coef[k];
    coef[j] = s / rdiag[j];
  }
  const fitted = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    const c = coef[j];
    const cj = j * n;
    for (let i = 0; i < n; i++) fitted[i] += c * X[cj + i];
  }
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const e = y[i] - fitted[i];
    sse += e * e;
  }
  const w = new Float64Array(p); // scratch reused by every leverage call
  return {
    n,
    p,
    coef,
    fitted,
    sse,
    leverage(x0: Float64Array): number {
      // solve Rᵀw = x0; then x0ᵀ(RᵀR)⁻¹x0 = |w|²
      let sum = 0;
      for (let j = 0; j < p; j++) {
        let s = x0[j];
        for (let i = 0; i < j; i++) s -= a[j * n + i] * w[i];
        w[j] = s / rdiag[j];
        sum += w[j] * w[j];
      }
      return sum;
    },
  };
}
