import { Prng } from './prng.js';
import {
  cpuCycles, diskGrowth, flat, memoryStep, requestsCycles, saturating, shrinking,
  type Scenario, type ScenarioKind,
} from './scenarios.js';
import { DAY, HOUR } from '../time/constants.js';


/** 13 months of hourly history. */
export const DEMO_HISTORY_DAYS = 395;

/** One generated series, with the truth a perfect forecaster would know. */
export interface DemoSeries {
  readonly resource: string;
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly unit: string;
  readonly capacity: number;
  readonly scenario: ScenarioKind;
  readonly description: string;
  readonly truth: {
    /**
     * First hour after the end at which the series, continued with the same
     * noise, reaches capacity; null when it never does within 3 years.
     */
    readonly crossingMs: number | null;
  };
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

export interface FleetOptions {
  /** Last timestamp of the history (ms UTC); floored to the hour. */
  readonly endMs: number;
  readonly seed?: number;
  /** `full`: 55 series; `small`: 8 series, one of each scenario. */
  readonly size?: 'full' | 'small';
  readonly historyDays?: number;
}

/** Days after the end at which each full-fleet disk's peaks reach capacity (negative: already full). */
const DISK_FULL_IN_DAYS = [45, 12, 30, 60, 75, 90, 110, 130, 150, 170, 200, 240, 300, 400, 600, 800, 1200, 2000, 5000, -5];

interface Planned {
  readonly scenario: Scenario;
  readonly labels: Record<string, string>;
  readonly gaps: number;
}

/**
 * Generates the demo fleet: deterministic for a seed and end time. The disk
 * labelled `db-01` always fills 45 days after the end, so tests and the demo
 * have a crossing whose true date is known.
 */
export function generateFleet(options: FleetOptions): DemoSeries[] {
  const endMs = Math.floor(options.endMs / HOUR) * HOUR;
  const historyDays = options.historyDays ?? DEMO_HISTORY_DAYS;
  const rng = new Prng(options.seed ?? 42);
  const planned = options.size === 'small' ? smallFleet(rng, endMs, historyDays) : fullFleet(rng, endMs, historyDays);
  const n = historyDays * 24;
  return planned.map((p, index) => {
    const timestamps = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t = endMs - (n - 1 - i) * HOUR;
      timestamps[i] = t;
      const v = p.scenario.shape(t) + p.scenario.noise * rng.normal();
      values[i] = Math.min(p.scenario.ceiling, Math.max(p.scenario.floor, v));
    }
    const kept = dropGaps(rng, timestamps, values, p.gaps);
    return {
      resource: p.scenario.resource,
      metric: p.scenario.metric,
      labels: p.labels,
      unit: p.scenario.unit,
      capacity: p.scenario.capacity,
      scenario: p.scenario.kind,
      description: p.gaps > 0 ? `${p.scenario.description} Has ${p.gaps} gaps in its history.` : p.scenario.description,
      truth: { crossingMs: trueCrossing(p.scenario, endMs, new Prng((options.seed ?? 42) * 7919 + index)) },
      timestamps: kept.timestamps,
      values: kept.values,
    };
  });
}

function fullFleet(rng: Prng, endMs: number, historyDays: number): Planned[] {
  const out: Planned[] = [];
  DISK_FULL_IN_DAYS.forEach((days, i) => {
    const host = i === 0 ? 'db-01' : `${i % 3 === 0 ? 'log' : i % 3 === 1 ? 'db' : 'app'}-${String(i + 1).padStart(2, '0')}`;
    out.push({
      scenario: diskGrowth(rng, endMs, historyDays, days, i % 4 === 3),
      labels: { cluster: i % 2 ? 'eu-west' : 'us-east', host, mountpoint: i % 3 === 0 ? '/var/log' : '/data' },
      gaps: i % 5 === 2 ? 3 : 0,
    });
  });
  for (let i = 0; i < 10; i++) out.push({ scenario: cpuCycles(rng, endMs), labels: { cluster: i % 2 ? 'eu-west' : 'us-east', host: `app-${String(i + 1).padStart(2, '0')}` }, gaps: i === 4 ? 2 : 0 });
  for (let i = 0; i < 8; i++) out.push({ scenario: memoryStep(rng, endMs), labels: { cluster: i % 2 ? 'eu-west' : 'us-east', host: `cache-${String(i + 1).padStart(2, '0')}` }, gaps: 0 });
  for (let i = 0; i < 6; i++) out.push({ scenario: requestsCycles(rng, endMs), labels: { service: ['checkout', 'search', 'auth', 'catalog', 'cart', 'payments'][i] }, gaps: i === 1 ? 2 : 0 });
  for (let i = 0; i < 4; i++) out.push({ scenario: saturating(rng, endMs), labels: { cluster: i % 2 ? 'eu-west' : 'us-east', db: `orders-${i + 1}` }, gaps: 0 });
  for (let i = 0; i < 4; i++) out.push({ scenario: flat(rng), labels: { cluster: 'us-east', host: `archive-${String(i + 1).padStart(2, '0')}`, mountpoint: '/data' }, gaps: 0 });
  for (let i = 0; i < 3; i++) out.push({ scenario: shrinking(rng, endMs), labels: { cluster: 'eu-west', host: `legacy-${String(i + 1).padStart(2, '0')}`, mountpoint: '/data' }, gaps: 0 });
  return out;
}

function smallFleet(rng: Prng, endMs: number, historyDays: number): Planned[] {
  return [
    { scenario: diskGrowth(rng, endMs, historyDays, 45, false), labels: { cluster: 'us-east', host: 'db-01', mountpoint: '/data' }, gaps: 0 },
    { scenario: diskGrowth(rng, endMs, historyDays, 400, true), labels: { cluster: 'eu-west', host: 'log-02', mountpoint: '/var/log' }, gaps: 3 },
    { scenario: cpuCycles(rng, endMs), labels: { cluster: 'us-east', host: 'app-01' }, gaps: 0 },
    { scenario: memoryStep(rng, endMs), labels: { cluster: 'us-east', host: 'cache-01' }, gaps: 0 },
    { scenario: requestsCycles(rng, endMs), labels: { service: 'checkout' }, gaps: 0 },
    { scenario: saturating(rng, endMs), labels: { cluster: 'us-east', db: 'orders-1' }, gaps: 0 },
    { scenario: flat(rng), labels: { cluster: 'us-east', host: 'archive-01', mountpoint: '/data' }, gaps: 0 },
    { scenario: shrinking(rng, endMs), labels: { cluster: 'eu-west', host: 'legacy-01', mountpoint: '/data' }, gaps: 0 },
  ];
}

/** Removes `count` stretches of 6–72 hours (scrape outages), never the last week. */
function dropGaps(rng: Prng, timestamps: Float64Array, values: Float64Array, count: number) {
  if (count === 0) return { timestamps, values };
  const keep = new Uint8Array(timestamps.length).fill(1);
  for (let g = 0; g < count; g++) {
    const length = rng.int(6, 72);
    const start = rng.int(24, timestamps.length - 24 * 7 - length);
    keep.fill(0, start, start + length);
  }
  const idx: number[] = [];
  keep.forEach((k, i) => k && idx.push(i));
  return { timestamps: Float64Array.from(idx, (i) => timestamps[i]), values: Float64Array.from(idx, (i) => values[i]) };
}

/**
 * Continues the series hour by hour (same shape, fresh noise from its own
 * PRNG) for up to three years and returns when it first reaches capacity:
 * what a planner would have seen happen.
 */
function trueCrossing(s: Scenario, endMs: number, rng: Prng): number | null {
  for (let t = endMs + HOUR; t <= endMs + 3 * 365 * DAY; t += HOUR) if (s.shape(t) + s.noise * rng.normal() >= s.capacity) return t;
  return null;
}
