import { describe, it, expect } from 'vitest';
import { nelderMead } from '../../src/models/optimize.js';

describe('nelderMead', () => {
  it('finds the minimum of a shifted quadratic', () => {
    const r = nelderMead((x) => (x[0] - 3) ** 2 + 2 * (x[1] + 1) ** 2 + 5, [0, 0]);
    expect(r.x[0]).toBeCloseTo(3, 4);
    expect(r.x[1]).toBeCloseTo(-1, 4);
    expect(r.f).toBeCloseTo(5, 8);
  });

  it('solves Rosenbrock from the classic start (-1.2, 1) to (1, 1)', () => {
    const r = nelderMead((x) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2, [-1.2, 1], {
      maxEvals: 2000,
      ftol: 1e-14,
      xtol: 1e-10,
    });
    expect(r.x[0]).toBeCloseTo(1, 3);
    expect(r.x[1]).toBeCloseTo(1, 3);
  });

  it('treats NaN/Infinity as infeasible and respects maxEvals', () => {
    const r = nelderMead((x) => (x[0] < 0 ? NaN : (x[0] - 2) ** 2), [1], { maxEvals: 500 });
    expect(r.x[0]).toBeCloseTo(2, 4);
    let calls = 0;
    nelderMead(
      (x) => {
        calls++;
        return Math.sin(x[0] * 1000) + x[1] * 1e-9;
      },
      [0, 0],
      { maxEvals: 37 },
    );
    expect(calls).toBeLessThanOrEqual(37 + 3); // one iteration may finish its evaluations
  });

  it('is deterministic', () => {
    const f = (x: Float64Array) => Math.abs(x[0] - 1) + Math.abs(x[1] - 2) + x[2] ** 2;
    expect(nelderMead(f, [0, 0, 0])).toEqual(nelderMead(f, [0, 0, 0]));
  });
});
