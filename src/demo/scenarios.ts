import type { Prng } from './prng.js';
import { DAY, HOUR } from '../time/constants.js';

const GB = 1e9;
const GiB = 2 ** 30;

/** The kinds of behaviour the demo fleet covers (documented in datasets/README.md). */
export type ScenarioKind =
  | 'disk_growth'
  | 'disk_cleanup'
  | 'cpu_cycles'
  | 'memory_step'
  | 'requests_cycles'
  | 'saturating'
  | 'flat'
  | 'shrinking';

/**
 * A scenario instance: the noise-free signal `shape(tMs)` (what a perfect
 * forecaster would know) plus noise drawn on generation. Keeping the shape
 * separate lets tests know the true crossing date.
 */
export interface Scenario {
  readonly kind: ScenarioKind;
  readonly resource: string;
  readonly metric: string;
  readonly unit: string;
  readonly capacity: number;
  readonly description: string;
  readonly shape: (tMs: number) => number;
  /** Standard deviation of the additive noise. */
  readonly noise: number;
  /** Lower bound the value never goes below (usage is not negative). */
  readonly floor: number;
  /** Upper bound the value never exceeds (a full disk stays full). */
  readonly ceiling: number;
}

/** Hour of day 0..24 in UTC, fractional. */
const hourOfDay = (t: number) => (((t % DAY) + DAY) % DAY) / HOUR;
/** Day of week, 0 = Monday, in UTC. */
const dayOfWeek = (t: number) => (Math.floor(t / DAY) + 3) % 7;

/** Business-hours load: 0 at night, 1 at the 14:00 UTC peak, weekends damped. */
function dailyLoad(t: number, weekendFactor: number): number {
  const daily = 0.5 * (1 + Math.cos((2 * Math.PI * (hourOfDay(t) - 14)) / 24));
  return dayOfWeek(t) >= 5 ? daily * weekendFactor : daily;
}

/**
 * A disk growing linearly under a log-rotation sawtooth (logs fill all day,
 * are rotated at midnight). Parameterised by the day its *peaks* reach
 * capacity, relative to `endMs`, so the fleet has known crossings.
 */
export function diskGrowth(rng: Prng, endMs: number, historyDays: number, fullInDays: number, withCleanup: boolean): Scenario {
  const capacity = [500 * GB, 1000 * GB, 2000 * GB, 4000 * GB][rng.int(0, 3)];
  const saw = capacity * rng.uniform(0.02, 0.05);
  // Start between 10% and 35% full and grow so that the peaks meet capacity
  // exactly `fullInDays` after the end of history.
  const startLevel = capacity * rng.uniform(0.1, 0.35);
  // The sawtooth peaks at 23:00 at 23/24 of its height.
  const perDay = (capacity - (saw * 23) / 24 - startLevel) / (historyDays + fullInDays);
  const levelAtEnd = startLevel + perDay * historyDays;
  const cleanupAt = endMs - rng.uniform(200, 300) * DAY;
  const cleanupSize = capacity * rng.uniform(0.06, 0.12);
  const shape = (t: number) => {
    const trend = levelAtEnd + (perDay * (t - endMs)) / DAY;
    const cleanup = withCleanup && t < cleanupAt ? cleanupSize : 0;
    return trend + cleanup + saw * (hourOfDay(t) / 24);
  };
  return {
    kind: withCleanup ? 'disk_cleanup' : 'disk_growth',
    resource: 'disk',
    metric: 'node_filesystem_used_bytes',
    unit: 'bytes',
    capacity,
    description: withCleanup
      ? 'Disk growing linearly with a daily log-rotation sawtooth; a one-off cleanup freed space months ago.'
      : 'Disk growing linearly with a daily log-rotation sawtooth.',
    shape,
    noise: capacity * 0.002,
    floor: 0,
    ceiling: capacity,
  };
}

/** CPU with business-hours and weekly cycles on a growing base. */
export function cpuCycles(rng: Prng, endMs: number): Scenario {
  const capacity = [16, 32, 64][rng.int(0, 2)];
  const base = capacity * rng.uniform(0.1, 0.2);
  const amplitude = capacity * rng.uniform(0.2, 0.4);
  const growthPerYear = rng.uniform(0.05, 0.6);
  const shape = (t: number) => {
    const growth = 1 + (growthPerYear * (t - endMs)) / (365 * DAY);
    return growth * (base + amplitude * dailyLoad(t, 0.45));
  };
  return {
    kind: 'cpu_cycles', resource: 'cpu', metric: 'cpu_used_cores', unit: 'cores', capacity,
    description: `CPU with daily (14:00 UTC peak) and weekly (quiet weekends) cycles, growing ${Math.round(growthPerYear * 100)}% a year.`,
    shape, noise: capacity * 0.015, floor: 0, ceiling: capacity,
  };
}

/** Memory that stepped up when a service was migrated onto the host. */
export function memoryStep(rng: Prng, endMs: number): Scenario {
  const capacity = [64 * GiB, 128 * GiB, 256 * GiB][rng.int(0, 2)];
  const before = capacity * rng.uniform(0.3, 0.45);
  const step = capacity * rng.uniform(0.15, 0.25);
  const stepAt = endMs - rng.uniform(60, 150) * DAY;
  const perDay = capacity * rng.uniform(0, 0.0003);
  const shape = (t: number) =>
    before + (t >= stepAt ? step : 0) + (perDay * (t - endMs)) / DAY + capacity * 0.03 * dailyLoad(t, 0.8);
  return {
    kind: 'memory_step', resource: 'memory', metric: 'memory_used_bytes', unit: 'bytes', capacity,
    description: `Memory that stepped up by ${Math.round((step / capacity) * 100)}% of capacity on a migration ${Math.round((endMs - stepAt) / DAY)} days before the end; slow growth since.`,
    shape, noise: capacity * 0.005, floor: 0, ceiling: capacity,
  };
}

/** Request rate with daily and weekly cycles and yearly growth; capacity is the tested throughput. */
export function requestsCycles(rng: Prng, endMs: number): Scenario {
  const capacity = [2000, 5000, 10_000][rng.int(0, 2)];
  const peakNow = capacity * rng.uniform(0.45, 0.8);
  const growthPerYear = rng.uniform(0.1, 0.5);
  const shape = (t: number) => {
    const growth = 1 + (growthPerYear * (t - endMs)) / (365 * DAY);
    return growth * peakNow * (0.25 + 0.75 * dailyLoad(t, 0.6));
  };
  return {
    kind: 'requests_cycles', resource: 'requests', metric: 'http_requests_per_second', unit: 'requests_per_second', capacity,
    description: `Request rate with daily and weekly cycles, growing ${Math.round(growthPerYear * 100)}% a year; capacity is the load-tested throughput.`,
    shape, noise: capacity * 0.01, floor: 0, ceiling: Infinity,
  };
}

/** A connection pool filling towards a ceiling below its capacity (logistic growth). */
export function saturating(rng: Prng, endMs: number): Scenario {
  const capacity = [500, 1000, 2000][rng.int(0, 2)];
  const ceiling = capacity * rng.uniform(0.82, 0.9);
  const midpoint = endMs - rng.uniform(150, 250) * DAY;
  const rate = 1 / (rng.uniform(25, 45) * DAY);
  const shape = (t: number) => ceiling / (1 + Math.exp(-(t - midpoint) * rate));
  return {
    kind: 'saturating', resource: 'connections', metric: 'db_connections_active', unit: 'connections', capacity,
    description: `Connections saturating at ${Math.round((ceiling / capacity) * 100)}% of the pool size: never full, though a straight line says otherwise.`,
    shape, noise: capacity * 0.005, floor: 0, ceiling: capacity,
  };
}

/** A steady series: nothing to plan. */
export function flat(rng: Prng): Scenario {
  const capacity = 1000 * GB;
  const level = capacity * rng.uniform(0.3, 0.5);
  return {
    kind: 'flat', resource: 'disk', metric: 'node_filesystem_used_bytes', unit: 'bytes', capacity,
    description: 'A steady disk: no trend, small noise.',
    shape: () => level, noise: capacity * 0.003, floor: 0, ceiling: capacity,
  };
}

/** A disk being emptied (data moved elsewhere). */
export function shrinking(rng: Prng, endMs: number): Scenario {
  const capacity = 2000 * GB;
  const levelAtEnd = capacity * rng.uniform(0.25, 0.4);
  const perDay = capacity * rng.uniform(0.0005, 0.0012);
  return {
    kind: 'shrinking', resource: 'disk', metric: 'node_filesystem_used_bytes', unit: 'bytes', capacity,
    description: 'A disk being emptied as data moves elsewhere.',
    shape: (t) => levelAtEnd - (perDay * (t - endMs)) / DAY, noise: capacity * 0.002, floor: 0, ceiling: capacity,
  };
}
