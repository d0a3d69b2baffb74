/**
 * A corpus of hourly capacity series with a known exhaustion date, written
 * apart from the demo fleet (src/demo) so the forecast is judged on
 * patterns it was not built around: growth that changed pace in the last
 * weeks, exponential growth, sawtooth whose daily peaks cross first, rare
 * large spikes, multiplicative seasonality, level shifts, saturation, flat
 * and declining usage; histories of 60–400 days, gaps and NaNs.
 *
 * The truth is defined on the realized hourly series: the first hour at or
 * after the end of the history where the value reaches capacity. The future
 * is generated with the same noise process as the history, then capacity is
 * set at the running maximum a chosen number of days ahead, so the crossing
 * is an event of the realized series, not of a noise-free curve.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const PATTERNS = [
  'steady',
  'seasonal',
  'multiplicative',
  'level_shift',
  'saturation',
  'flat',
  'declining',
  'accelerated',
  'slowed',
  'exponential',
  'log_rotation',
  'weekly_gc',
  'spikes',
] as const;
export type Pattern = (typeof PATTERNS)[number];

export interface GrowthCase {
  readonly id: string;
  readonly pattern: Pattern;
  readonly seed: number;
  readonly timestamps: Float64Array;
  /** History, hourly, with NaNs and removed hours (gaps). */
  readonly values: Float64Array;
  readonly capacity: number;
  readonly horizonDays: number;
  readonly endMs: number;
  /** First realized hour at capacity after the history; null when not within `horizonDays`. */
  readonly crossingMs: number | null;
}

/** Small seeded PRNG (mulberry32) with a normal draw: the corpus is the same on every machine. */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed * 2654435761) >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(a: number, b: number): number {
    return a + (b - a) * this.next();
  }
  int(a: number, b: number): number {
    return Math.floor(this.uniform(a, b + 1));
  }
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

/** Deterministic-in-seed series for one pattern; `endMs` is where the history stops. */
export function growthCase(pattern: Pattern, seed: number, endMs = Date.UTC(2026, 10, 1)): GrowthCase {
  const rng = new Rng(seed * 131 + PATTERNS.indexOf(pattern) * 7919 + 17);
  const historyDays = rng.int(60, 400);
  const horizonDays = [182, 273, 365][rng.int(0, 2)];
  const futureDays = horizonDays + 40;
  const n = (historyDays + futureDays) * 24;
  const histN = historyDays * 24;
  const start = endMs - histN * HOUR;
  const level = rng.uniform(100, 1000);
  // Daily growth as a share of the starting level: 0.05% to 0.6% a day.
  const slope = level * rng.uniform(0.0005, 0.006);
  const noiseSd = level * rng.uniform(0.005, 0.03);
  const dailyAmp = ['seasonal', 'multiplicative', 'spikes', 'accelerated', 'slowed'].includes(pattern) ? rng.uniform(0.05, 0.2) : rng.uniform(0, 0.05);
  const weeklyAmp = ['seasonal', 'multiplicative'].includes(pattern) ? rng.uniform(0.03, 0.15) : 0;
  const changeAt = historyDays - rng.int(10, 30); // accelerated / slowed: the pace changes this many days before the end
  const paceFactor = pattern === 'accelerated' ? rng.uniform(2, 4) : rng.uniform(0.15, 0.5);
  const shiftAt = rng.int(Math.floor(historyDays * 0.3), historyDays - 20);
  const shiftSize = level * rng.uniform(0.15, 0.4) * (rng.next() < 0.5 ? -1 : 1);
  const doubling = rng.uniform(60, 200); // days
  const ceiling = level * rng.uniform(1.4, 2.2);
  const satMid = historyDays * rng.uniform(0.5, 1.1);
  const sawAmp = level * rng.uniform(0.15, 0.4);
  const spikeRate = 1 / rng.uniform(300, 1500); // per hour
  let ar = 0;
  let spikeLeft = 0;
  let spikeSize = 0;
  const truthValues = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = i / 24;
    let trend: number;
    switch (pattern) {
      case 'flat':
        trend = level;
        break;
      case 'declining':
        trend = Math.max(level * 0.1, level + level * 0.5 - slope * 0.6 * d);
        break;
      case 'accelerated':
      case 'slowed':
        trend = level + slope * Math.min(d, changeAt) + slope * paceFactor * Math.max(0, d - changeAt);
        break;
      case 'exponential':
        trend = level * Math.pow(2, d / doubling);
        break;
      case 'saturation':
        trend = level + (ceiling - level) / (1 + Math.exp(-(d - satMid) / (historyDays * 0.15)));
        break;
      case 'level_shift':
        trend = level + slope * d + (d >= shiftAt ? shiftSize : 0);
        break;
      default:
        trend = level + slope * d;
    }
    const hourOfDay = i % 24;
    const dayOfWeek = Math.floor((start + i * HOUR) / DAY + 4) % 7; // 0 = Sunday
    const daily = Math.sin((2 * Math.PI * (hourOfDay - 8)) / 24);
    const weekly = dayOfWeek === 0 || dayOfWeek === 6 ? -1 : 0.4;
    let v: number;
    if (pattern === 'multiplicative') v = trend * (1 + dailyAmp * daily + weeklyAmp * weekly);
    else v = trend + level * (dailyAmp * daily + weeklyAmp * weekly);
    if (pattern === 'log_rotation') v += sawAmp * ((i % 24) / 23); // fills through the day, rotated at midnight
    if (pattern === 'weekly_gc') v += sawAmp * ((i % 168) / 167); // garbage piles up all week, collected on Sunday
    if (pattern === 'spikes') {
      if (spikeLeft === 0 && rng.next() < spikeRate) {
        spikeLeft = rng.int(1, 3);
        spikeSize = level * rng.uniform(0.2, 0.5);
      }
      if (spikeLeft > 0) {
        v += spikeSize;
        spikeLeft--;
      }
    }
    ar = 0.8 * ar + noiseSd * 0.6 * rng.normal();
    truthValues[i] = Math.max(0, v + ar);
  }

  // Capacity: crossing series get the running maximum D days ahead; the rest sit well above anything realized.
  let histTailMax = -Infinity;
  for (let i = histN - 7 * 24; i < histN; i++) histTailMax = Math.max(histTailMax, truthValues[i]);
  let capacity = NaN;
  const wantsCrossing = !['flat', 'declining'].includes(pattern) && rng.next() < 0.85;
  if (wantsCrossing) {
    const target = Math.exp(rng.uniform(Math.log(5), Math.log(horizonDays * 0.95)));
    let runMax = -Infinity;
    for (let i = histN; i < histN + Math.round(target * 24); i++) runMax = Math.max(runMax, truthValues[i]);
    if (runMax > histTailMax * 1.02) capacity = runMax;
  }
  if (!Number.isFinite(capacity)) {
    let allMax = -Infinity;
    for (let i = 0; i < n; i++) allMax = Math.max(allMax, truthValues[i]);
    capacity = Math.max(allMax, histTailMax) * rng.uniform(1.15, 1.5);
  }
  let crossingMs: number | null = null;
  for (let i = histN; i < histN + horizonDays * 24; i++) {
    if (truthValues[i] >= capacity) {
      crossingMs = start + i * HOUR;
      break;
    }
  }

  // The history as a scraper would store it: a few gaps (hours to two days gone) and scattered NaNs.
  const keep = new Uint8Array(histN).fill(1);
  for (let g = rng.int(0, 4); g > 0; g--) {
    const at = rng.int(24, histN - 48);
    const len = rng.int(2, 48);
    for (let i = at; i < Math.min(histN - 1, at + len); i++) keep[i] = 0;
  }
  const ts: number[] = [];
  const vs: number[] = [];
  for (let i = 0; i < histN; i++) {
    if (!keep[i]) continue;
    ts.push(start + i * HOUR);
    vs.push(rng.next() < 0.003 ? NaN : truthValues[i]);
  }
  return { id: `${pattern}#${seed}`, pattern, seed, timestamps: Float64Array.from(ts), values: Float64Array.from(vs), capacity, horizonDays, endMs, crossingMs };
}

/**
 * The corpus for a half: seeds 1, 3, 5… tune the method; seeds 2, 4, 6…
 * are only ever reported. Every pattern appears `perPattern` times.
 */
export function growthCorpus(half: 'tuning' | 'reporting', perPattern = 6): GrowthCase[] {
  const out: GrowthCase[] = [];
  for (let j = 0; j < perPattern; j++) {
    const seed = 2 * j + (half === 'tuning' ? 1 : 2);
    for (const p of PATTERNS) out.push(growthCase(p, seed));
  }
  return out;
}
