import { describe, expect, it } from 'vitest';
import { DEMO_HISTORY_DAYS, generateFleet } from '../../src/demo/generateFleet.js';

const END = Date.UTC(2026, 10, 24, 9);
const DAY = 86_400_000;

describe('demo fleet', () => {
  const fleet = generateFleet({ endMs: END, seed: 42 });

  it('has at least 50 series with 13 months of hourly history, each with a capacity', () => {
    expect(fleet.length).toBeGreaterThanOrEqual(50);
    for (const s of fleet) {
      expect(s.capacity).toBeGreaterThan(0);
      expect(s.timestamps[s.timestamps.length - 1]).toBe(END);
      expect(END - s.timestamps[0]).toBeGreaterThanOrEqual(DEMO_HISTORY_DAYS * DAY - 3_600_000);
      expect(DEMO_HISTORY_DAYS).toBeGreaterThanOrEqual(395);
      for (let i = 1; i < s.timestamps.length; i++) expect(s.timestamps[i] - s.timestamps[i - 1]).toBeGreaterThanOrEqual(3_600_000);
    }
  });

  it('covers every scenario and a few gaps', () => {
    const kinds = new Set(fleet.map((s) => s.scenario));
    for (const k of ['disk_growth', 'disk_cleanup', 'cpu_cycles', 'memory_step', 'requests_cycles', 'saturating', 'flat', 'shrinking']) expect(kinds).toContain(k);
    const gappy = fleet.filter((s) => s.timestamps.length < DEMO_HISTORY_DAYS * 24);
    expect(gappy.length).toBeGreaterThanOrEqual(3);
  });

  it('keeps values within [0, capacity] where the resource cannot exceed it', () => {
    for (const s of fleet.filter((x) => x.resource !== 'requests')) {
      for (const v of s.values) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(s.capacity);
      }
    }
  });

  it('has the known crossing: db-01 fills about 45 days after the end (noise brings it a little earlier); flat and shrinking never do', () => {
    const db01 = fleet.find((s) => s.labels.host === 'db-01');
    expect(db01?.truth.crossingMs).not.toBeNull();
    const days = ((db01?.truth.crossingMs as number) - END) / DAY;
    expect(days).toBeGreaterThan(40);
    expect(days).toBeLessThanOrEqual(46); // the sawtooth peaks at 23:00 on the 45th day
    for (const s of fleet.filter((x) => x.scenario === 'flat' || x.scenario === 'shrinking' || x.scenario === 'saturating')) expect(s.truth.crossingMs).toBeNull();
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = generateFleet({ endMs: END, seed: 42 });
    expect(again.map((s) => Array.from(s.values.subarray(0, 50)))).toEqual(fleet.map((s) => Array.from(s.values.subarray(0, 50))));
    const other = generateFleet({ endMs: END, seed: 43 });
    expect(other[1].values[0]).not.toBe(fleet[1].values[0]);
  });

  it('small has one series per scenario', () => {
    const small = generateFleet({ endMs: END, seed: 42, size: 'small' });
    expect(small).toHaveLength(8);
    expect(new Set(small.map((s) => s.scenario)).size).toBe(8);
  });
});
