/**
 * Standard normal quantile; clamps p away from 0 and 1 so it never returns ±Infinity.
 * Acklam's rational approximation (relative error < 1.2e-9) rather than
 * simple-statistics' probit, whose inverse-erf approximation is off by ~3e-3
 * at p = 0.975: enough to visibly shrink every 95% interval.
 */
export function normalQuantile(p: number): number {
  const q = Math.min(1 - 1e-12, Math.max(1e-12, p));
  if (q < P_LOW) return tailQuantile(Math.sqrt(-2 * Math.log(q)));
  if (q > 1 - P_LOW) return -tailQuantile(Math.sqrt(-2 * Math.log(1 - q)));
  const x = q - 0.5;
  const r = x * x;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * x) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

const P_LOW = 0.02425;
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/** Lower-tail branch of Acklam's approximation, t = sqrt(-2 ln p). */
function tailQuantile(t: number): number {
  return (
    (((((C[0] * t + C[1]) * t + C[2]) * t + C[3]) * t + C[4]) * t + C[5]) /
    ((((D[0] * t + D[1]) * t + D[2]) * t + D[3]) * t + 1)
  );
}

/** Root mean square of `y - fitted` over the points where fitted is defined. */
export function residualSigma(y: Float64Array, fitted: Float64Array, dof = 0): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    const f = fitted[i];
    if (Number.isNaN(f)) continue;
    const e = y[i] - f;
    sum += e * e;
    n++;
  }
  return n - dof > 0 ? Math.sqrt(sum / (n - dof)) : 0;
}

/**
 * Student-t quantile with `dof` degrees of freedom. OLS-type models use it
 * instead of the normal quantile because with few points the estimated sigma
 * is itself uncertain and normal intervals would under-cover.
 */
export function studentTQuantile(p: number, dof: number): number {
  if (!(dof > 0) || !Number.isFinite(dof) || dof > 1e7) return normalQuantile(p);
  const q = Math.min(1 - 1e-12, Math.max(1e-12, p));
  if (q === 0.5) return 0;
  const upper = q > 0.5;
  const tail = upper ? 1 - q : q; // P(T > t) we are looking for, < 0.5
  // Exact closed forms where they exist; they are also what the bisection is checked against.
  if (dof === 1) return (upper ? 1 : -1) * Math.tan(Math.PI * (0.5 - tail));
  if (dof === 2) return (upper ? 1 : -1) * Math.sqrt(2 / (4 * tail * (1 - tail)) - 2);
  // Bisection on the upper tail, which is monotone: robust and only called once per level.
  let lo = 0;
  let hi = 1;
  while (studentTUpperTail(hi, dof) > tail) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTUpperTail(mid, dof) > tail) lo = mid;
    else hi = mid;
  }
  const t = 0.5 * (lo + hi);
  return upper ? t : -t;
}

/** P(T > t) for t >= 0: 0.5 * I_{dof/(dof+t^2)}(dof/2, 1/2). */
function studentTUpperTail(t: number, dof: number): number {
  return 0.5 * regularizedIncompleteBeta(dof / (dof + t * t), dof / 2, 0.5);
}

/** I_x(a, b) by the Lentz continued fraction (Numerical Recipes `betai`/`betacf`). */
function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const front = Math.exp(lnFront);
  // The continued fraction converges fast only below the mean; use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Lanczos log-gamma (g=7, n=9); accurate to ~1e-15 for the positive arguments used here. */
function lnGamma(z: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - lnGamma(1 - z);
  const zz = z - 1;
  let x = c[0];
  for (let i = 1; i < g + 2; i++) x += c[i] / (zz + i);
  const t = zz + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (zz + 0.5) * Math.log(t) - t + Math.log(x);
}

/**
 * The k-th smallest value of `a[0..n)` (0-based), reordering `a` in place.
 * Linear time on average; the pivot is the median of three so sorted input
 * (common: pairwise slopes of a trend) does not degrade it.
 */
export function selectInPlace(a: Float64Array, k: number, n = a.length): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three into a[mid]
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Median of `a[0..n)`, reordering `a` in place (callers pass scratch copies). */
export function medianInPlace(a: Float64Array, n = a.length): number {
  if (n === 0) return NaN;
  const upper = selectInPlace(a, n >>> 1, n);
  if (n % 2 === 1) return upper;
  // after selection everything left of n/2 is <= upper: the lower middle is their max
  let lower = -Infinity;
  for (let i = 0; i < n >>> 1; i++) if (a[i] > lower) lower = a[i];
  return 0.5 * (lower + upper);
}
