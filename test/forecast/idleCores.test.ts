import { describe, expect, it } from 'vitest';
import { LARGE_INPUT_BYTES, workersFor } from '../../src/forecast/idleCores.js';

describe('workersFor', () => {
  const small = 20 * 2 ** 20;

  it('starts one worker per idle core for a small file, and falls back to this thread on a busy machine', () => {
    expect(workersFor({ cores: 2, load: 0, bytes: small })).toBe(2);
    expect(workersFor({ cores: 2, load: 0.5, bytes: small })).toBe(2); // a core half taken still counts as idle
    expect(workersFor({ cores: 2, load: 1, bytes: small })).toBe(1); // one core busy: this thread alone
    expect(workersFor({ cores: 2, load: 12, bytes: small })).toBe(1);
    expect(workersFor({ cores: 16, load: 10.2, bytes: small })).toBe(6);
    expect(workersFor({ cores: 1, load: 0, bytes: small })).toBe(1);
  });

  it('gives a large file every core, at most 8, whatever the load', () => {
    expect(workersFor({ cores: 2, load: 12, bytes: LARGE_INPUT_BYTES })).toBe(2);
    expect(workersFor({ cores: 16, load: 0, bytes: 10 * LARGE_INPUT_BYTES })).toBe(8);
    expect(workersFor({ cores: 1, load: 0, bytes: LARGE_INPUT_BYTES })).toBe(1);
  });
});
