import { describe, expect, it } from 'vitest';
import { envelope } from '../../src/forecast/envelope.js';
import { regularize } from '../../src/forecast/regularize.js';

const H = 3_600_000;
const DAY = 24 * H;

describe('envelope', () => {
  // Three full days starting at 00:00 plus 3 hours of a fourth: the partial day is dropped.
  const t0 = Date.UTC(2026, 5, 1);
  const n = 3 * 24 + 3;
  const ts = Float64Array.from({ length: n }, (_, i) => t0 + i * H);
  const vs = Float64Array.from({ length: n }, (_, i) => (i % 24) + 100 * Math.floor(i / 24));
  const r = regularize(ts, vs);

  it('keeps the daily peak and drops a partial trailing day', () => {
    const e = envelope(r, { kind: 'max', bucketMs: DAY });
    expect(Array.from(e.timestamps)).toEqual([t0, t0 + DAY, t0 + 2 * DAY]);
    expect(Array.from(e.values)).toEqual([23, 123, 223]);
  });

  it('takes a high quantile per day', () => {
    const e = envelope(r, { kind: 'quantile', q: 0.5, bucketMs: DAY });
    expect(e.values[0]).toBeCloseTo(11.5, 9);
  });
});
