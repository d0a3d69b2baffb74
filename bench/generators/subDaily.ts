/**
 * Sub-daily series with daily and weekly cycles at their own resolution
 * (hourly or half-hourly), for forecasting a week ahead without aggregation:
 * sharp intraday profiles (a business-hours plateau, a nightly batch peak),
 * weekends unlike weekdays, additive or multiplicative, a slow trend and
 * autocorrelated noise. Independent of the demo fleet.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface SubDailyCase {
  readonly id: string;
  readonly stepMs: number;
  /** Steps per day and per week. */
  readonly periods: readonly [number, number];
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /** The next week, realized. */
  readonly future: Float64Array;
}

function rng(seed: number): () => number {
  let s = (seed * 2246822519) >>> 0;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One case; odd seeds form the tuning half, even seeds the reporting half. */
export function subDailyCase(seed: number, endMs = Date.UTC(2026, 10, 2)): SubDailyCase {
  const r = rng(seed + 99);
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r());
  const halfHourly = seed % 4 < 2;
  const stepMs = halfHourly ? HOUR / 2 : HOUR;
  const perDay = DAY / stepMs;
  const days = 28 + Math.floor(r() * 92);
  const n = (days + 7) * perDay;
  const hist = days * perDay;
  const start = endMs - hist * stepMs;
  const level = 100 + r() * 900;
  const mult = r() < 0.5;
  const open = 7 + Math.floor(r() * 3);
  const close = 17 + Math.floor(r() * 4);
  const batchHour = Math.floor(r() * 5);
  const dayAmp = 0.2 + r() * 0.5;
  const batchAmp = r() * 0.4;
  const weekendFactor = 0.2 + r() * 0.6;
  const slope = level * (r() - 0.3) * 0.004; // per day
  const noise = level * (0.01 + r() * 0.04);
  const values = new Float64Array(n);
  let ar = 0;
  for (let i = 0; i < n; i++) {
    const t = start + i * stepMs;
    const hour = ((t % DAY) / HOUR) | 0;
    const weekday = Math.floor(t / DAY + 4) % 7;
    const weekend = weekday === 0 || weekday === 6;
    // Business-hours plateau with soft edges, and a short batch peak at night.
    const edge = (x: number) => 1 / (1 + Math.exp(-2 * x));
    let profile = dayAmp * edge(hour - open) * edge(close - hour) * (weekend ? weekendFactor : 1);
    if (hour === batchHour) profile += batchAmp;
    const trend = level + (slope * i) / perDay;
    ar = 0.7 * ar + noise * normal() * 0.7;
    values[i] = mult ? trend * (1 + profile) + ar : trend + level * profile + ar;
  }
  return {
    id: `${halfHourly ? '30m' : '1h'}-${mult ? 'mul' : 'add'}#${seed}`,
    stepMs,
    periods: [perDay, 7 * perDay],
    timestamps: Float64Array.from({ length: hist }, (_, i) => start + i * stepMs),
    values: values.slice(0, hist),
    future: values.slice(hist),
  };
}

export function subDailyCorpus(half: 'tuning' | 'reporting', count = 12): SubDailyCase[] {
  return Array.from({ length: count }, (_, j) => subDailyCase(2 * j + (half === 'tuning' ? 1 : 2)));
}
