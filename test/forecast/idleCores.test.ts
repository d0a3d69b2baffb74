import { describe, expect, it } from 'vitest';
import { workersForIdleCores } from '../../src/forecast/idleCores.js';

describe('workersForIdleCores', () => {
  it('starts one worker per idle core, at most 8, and falls back to this thread on a busy machine', () => {
    expect(workersForIdleCores(2, 0)).toBe(2);
    expect(workersForIdleCores(2, 0.5)).toBe(2); // a core half taken still counts as idle
    expect(workersForIdleCores(2, 1)).toBe(1); // one core busy: this thread alone
    expect(workersForIdleCores(2, 12)).toBe(1);
    expect(workersForIdleCores(16, 0)).toBe(8);
    expect(workersForIdleCores(16, 10.2)).toBe(6);
    expect(workersForIdleCores(1, 0)).toBe(1);
  });
});
