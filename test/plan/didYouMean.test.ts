import { expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/loadPlan.js';
it('dym', () => {
  const base = "sources:\n  p: {url: 'http://x', type: prometheus}\nresources:\n  - {name: d, source: p, usage: x, agregate: max}\n";
  expect(() => parsePlan(base)).toThrow(/did you mean "aggregate"/);
  expect(() => parsePlan("sources:\n  p: {url: 'http://x', type: prometheus, timout: 1m}\nresources:\n  - {name: d, source: p, usage: x}\n")).toThrow(/did you mean "timeout"/);
  expect(() => parsePlan(base.replace('agregate: max', 'aggregate: max') + "planing: {}\n")).toThrow(/did you mean "planning"/);
});
