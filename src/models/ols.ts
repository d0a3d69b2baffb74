/**
 * Ordinary least squares of y on t = 0..n-1 over a slice of a series. Shared
 * by the trend models so they agree on slope, residual sigma and leverage.
 * The design is the index, so x̄ and Sxx have closed forms and the fit is two
 * O(n) passes with no allocation.
 */
export interface LineFit {
  /** Points in the slice. */
  readonly n: number;
  /** Value of the line at local t = 0 (the slice's first point). */
  readonly intercept: number;
  /** Change per step. */
  readonly slope: number;
  /** Mean of local t: (n-1)/2. */
  readonly xbar: number;
  /** Σ(t - x̄)² = n(n²-1)/12. */
  readonly sxx: number;
  /** Residual sum of squares. */
  readonly sse: number;
  /** sqrt(sse / (n - 2)); 0 when n <= 2. */
  readonly sigma: number;
}

/** OLS line through y[start..end), local t = 0 at `start`. */
export function fitLine(y: Float64Array, start = 0, end = y.length): LineFit {
  const n = end - start;
  const xbar = (n - 1) / 2;
  const sxx = (n * (n * n - 1)) / 12;
  let sumY = 0;
  for (let i = start; i < end; i++) sumY += y[i];
  const ybar = sumY / n;
  let sxy = 0;
  for (let i = start; i < end; i++) sxy += (i - start - xbar) * (y[i] - ybar);
  const slope = sxx > 0 ? sxy / sxx : 0;
  const intercept = ybar - slope * xbar;
  let sse = 0;
  for (let i = start; i < end; i++) {
    const e = y[i] - intercept - slope * (i - start);
    sse += e * e;
  }
  return { n, intercept, slope, xbar, sxx, sse, sigma: n > 2 ? Math.sqrt(sse / (n - 2)) : 0 };
}

/**
 * Standard deviation of a new observation at local t = x0 under the OLS
 * model: sigma·sqrt(1 + 1/n + (x0 - x̄)²/Sxx). The leverage term is what makes
 * trend intervals fan out: slope uncertainty grows with distance from x̄.
 */
export function linePredictionSd(fit: LineFit, x0: number): number {
  const d = x0 - fit.xbar;
  return fit.sigma * Math.sqrt(1 + 1 / fit.n + (fit.sxx > 0 ? (d * d) / fit.sxx : 0));
}
