import { describe, it, expect } from 'vitest';
import { leastSquares } from '../../src/models/leastSquares.js';

/** Column-major design from row arrays. */
function design(rows: number[][]): Float64Array {
  const n = rows.length;
  const p = rows[0].length;
  const X = new Float64Array(n * p);
  rows.forEach((r, i) => r.forEach((v, j) => (X[j * n + i] = v)));
  return X;
}

describe('leastSquares', () => {
  it('solves an exactly determined quadratic', () => {
    // y = 2 - 3t + 0.5t² at t = 0..3 exactly (4 rows, 3 columns): coefficients recovered, SSE 0
    const t = [0, 1, 2, 3];
    const X = design(t.map((v) => [1, v, v * v]));
    const y = Float64Array.from(t, (v) => 2 - 3 * v + 0.5 * v * v);
    const fit = leastSquares(X, 4, 3, y)!;
    expect(fit.coef[0]).toBeCloseTo(2, 12);
    expect(fit.coef[1]).toBeCloseTo(-3, 12);
    expect(fit.coef[2]).toBeCloseTo(0.5, 12);
    expect(fit.sse).toBeCloseTo(0, 20);
  });

  it('leverage of a line design equals 1/n + (x0-x̄)²/Sxx (textbook OLS)', () => {
    // t = 0..9: x̄ = 4.5, Sxx = 82.5; at x0 = 14 leverage = 0.1 + 90.25/82.5 = 1.193939...
    const X = design(Array.from({ length: 10 }, (_, i) => [1, i]));
    const y = Float64Array.from({ length: 10 }, (_, i) => (i * 7) % 5);
    const fit = leastSquares(X, 10, 2, y)!;
    expect(fit.leverage(new Float64Array([1, 14]))).toBeCloseTo(0.1 + 90.25 / 82.5, 12);
    // and the normal-equations solution: slope = Sxy/Sxx
    const ybar = y.reduce((a, b) => a + b) / 10;
    const sxy = y.reduce((a, v, i) => a + (i - 4.5) * (v - ybar), 0);
    expect(fit.coef[1]).toBeCloseTo(sxy / 82.5, 12);
    expect(fit.coef[0]).toBeCloseTo(ybar - (sxy / 82.5) * 4.5, 12);
  });

  it('reports rank deficiency instead of returning garbage', () => {
    const X = design(Array.from({ length: 6 }, (_, i) => [1, i, 2 * i + 1]));
    expect(leastSquares(X, 6, 3, new Float64Array(6))).toBeUndefined();
  });

  it('does not modify X or y', () => {
    const X = design(Array.from({ length: 5 }, (_, i) => [1, i]));
    const y = new Float64Array([1, 2, 4, 3, 5]);
    const [Xc, yc] = [Float64Array.from(X), Float64Array.from(y)];
    leastSquares(X, 5, 2, y);
    expect(X).toEqual(Xc);
    expect(y).toEqual(yc);
  });
});
