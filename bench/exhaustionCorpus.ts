import { exhaustion } from '../src/forecast/exhaustion.js';
import { forecastSeries } from '../src/forecast/forecastSeries.js';
import { loadAugurs, predictLinear } from './baselines.js';
import { growthCorpus, PATTERNS, type GrowthCase } from './generators/growthPatterns.js';
import { subDailyCorpus } from './generators/subDaily.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Which half to score: the reporting half unless CAPPLAN_BENCH_HALF=tuning (used only while tuning the method). */
function half(): 'tuning' | 'reporting' {
  return process.env.CAPPLAN_BENCH_HALF === 'tuning' ? 'tuning' : 'reporting';
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

interface CaseResult {
  readonly c: GrowthCase;
  readonly p10: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly status: string;
  readonly pNever: number | null;
  readonly error?: string;
}

/**
 * Exhaustion dates on the growth-pattern corpus (bench/generators/growthPatterns.ts,
 * not the demo fleet): capplan's p10/p50/p90 for the first hour the realized
 * hourly series reaches capacity, over each case's own 6–12 month horizon.
 */
export async function benchGrowthExhaustion(): Promise<void> {
  const which = half();
  const corpus = growthCorpus(which);
  const results: CaseResult[] = [];
  const linear = new Map<string, number[]>([['predict_linear 7d', []], ['predict_linear 30d', []]]);
  const linearAlarms = new Map<string, number>([['predict_linear 7d', 0], ['predict_linear 30d', 0]]);
  const t0 = performance.now();
  for (const c of corpus) {
    try {
      const f = forecastSeries({ id: c.id, timestamps: c.timestamps, values: c.values }, { horizonMs: c.horizonDays * DAY });
      const e = exhaustion(f, { capacity: c.capacity, threshold: 1, direction: 'rising' });
      results.push({ c, p10: e.p10, p50: e.p50, p90: e.p90, status: e.status, pNever: e.pNever });
    } catch (err) {
      results.push({ c, p10: null, p50: null, p90: null, status: 'failed', pNever: null, error: err instanceof Error ? err.message : String(err) });
    }
    const y = Float64Array.from(c.values.filter(Number.isFinite));
    for (const [name, w] of [['predict_linear 7d', 7 * DAY], ['predict_linear 30d', 30 * DAY]] as const) {
      const line = predictLinear(y, w, c.horizonDays * 24);
      const k = line.findIndex((v) => v >= c.capacity);
      const date = k < 0 ? null : c.endMs + k * HOUR;
      if (c.crossingMs !== null) (linear.get(name) as number[]).push(date === null ? c.horizonDays : Math.abs(date - c.crossingMs) / DAY);
      else if (date !== null) linearAlarms.set(name, (linearAlarms.get(name) as number) + 1);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const crossing = results.filter((r) => r.c.crossingMs !== null);
  const never = results.filter((r) => r.c.crossingMs === null);
  const errorOf = (r: CaseResult) => (r.p50 === null ? r.c.horizonDays : Math.abs(r.p50 - (r.c.crossingMs as number)) / DAY);
  const contains = (r: CaseResult) => {
    const truth = r.c.crossingMs as number;
    if (r.status !== 'within' && r.status !== 'beyond_horizon') return false;
    const lo = r.p10 ?? Infinity;
    const hi = r.p90 ?? Infinity;
    return truth >= lo && truth <= hi;
  };
  const alarms = never.filter((r) => r.status === 'within' || r.status === 'past').length;
  const failed = results.filter((r) => r.status === 'failed');

  console.log(`\n## Exhaustion on unseen growth patterns (bench/generators/growthPatterns.ts), ${which} half: ${corpus.length} hourly series, histories 60–400 d, horizons 6–12 months\n`);
  console.log(`${which === 'reporting' ? 'Reported on the even seeds; the method was tuned only on the odd seeds (CAPPLAN_BENCH_HALF=tuning).' : 'TUNING half (odd seeds): not the figures to quote.'} Truth = first hour the realized hourly series reaches capacity.\n`);
  console.log('| pattern | series | cross within horizon | median abs error of p50 (days) | [p10, p90] contains truth | false alarms |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const p of PATTERNS) {
    const rs = results.filter((r) => r.c.pattern === p);
    const cr = rs.filter((r) => r.c.crossingMs !== null);
    const nv = rs.filter((r) => r.c.crossingMs === null);
    const fa = nv.filter((r) => r.status === 'within' || r.status === 'past').length;
    console.log(`| ${p} | ${rs.length} | ${cr.length} | ${cr.length ? median(cr.map(errorOf)).toFixed(1) : '–'} | ${cr.length ? `${cr.filter(contains).length} of ${cr.length}` : '–'} | ${nv.length ? `${fa} of ${nv.length}` : '–'} |`);
  }
  const cov = crossing.filter(contains).length / crossing.length;
  console.log(`| **all** | ${results.length} | ${crossing.length} | **${median(crossing.map(errorOf)).toFixed(1)}** | **${crossing.filter(contains).length} of ${crossing.length} (${(cov * 100).toFixed(0)}%)** | **${alarms} of ${never.length}** |`);
  for (const [name, errs] of linear) console.log(`| ${name} (baseline) | ${results.length} | ${crossing.length} | ${median(errs).toFixed(1)} | – | ${linearAlarms.get(name)} of ${never.length} |`);
  // P(never) as a forecast of "not within the horizon": its Brier score against what happened, and the score of
  // always answering the corpus's base rate (a forecast with no skill).
  const scored = results.filter((r) => r.pNever !== null);
  const outcome = (r: CaseResult) => (r.c.crossingMs === null ? 1 : 0);
  const baseRate = scored.reduce((s, r) => s + outcome(r), 0) / scored.length;
  const brier = scored.reduce((s, r) => s + ((r.pNever as number) - outcome(r)) ** 2, 0) / scored.length;
  const brierBase = scored.reduce((s, r) => s + (baseRate - outcome(r)) ** 2, 0) / scored.length;
  const meanP = (rs: CaseResult[]) => rs.reduce((s, r) => s + (r.pNever ?? 0), 0) / Math.max(1, rs.length);
  console.log(`\nP(never within the horizon): Brier score **${brier.toFixed(3)}** (0 is perfect; always answering the base rate ${baseRate.toFixed(2)} scores ${brierBase.toFixed(3)}); mean P(never) ${meanP(never).toFixed(2)} on the series that never cross, ${meanP(crossing).toFixed(2)} on those that do.`);
  console.log(`\nTargets: median |p50 − truth| ≤ 10 d; [p10, p90] contains the truth in 75–90%; no false alarms; no failures. Failures: ${failed.length}${failed.length ? ` (${failed.map((r) => `${r.c.id}: ${r.error}`).join('; ')})` : ''}. ` +
    `A series dated 'never' that does cross scores its horizon in days. ${seconds.toFixed(1)} s.`);
  if (process.env.CAPPLAN_BENCH_VERBOSE) {
    for (const r of results) {
      const day = (t: number | null) => (t === null ? '-' : ((t - r.c.endMs) / DAY).toFixed(1));
      console.log(`${r.c.id}\ttruth ${day(r.c.crossingMs)}\tp10 ${day(r.p10)}\tp50 ${day(r.p50)}\tp90 ${day(r.p90)}\tP(never) ${r.pNever?.toFixed(2) ?? '-'}\t${r.status}`);
    }
  }
}

/**
 * Sub-daily series at their own resolution (hourly and half-hourly, daily and
 * weekly cycles), `--aggregation raw`, a week ahead: capplan against augurs
 * MSTL.ets([day, week]) and the weekly seasonal repeat. MASE scaled by the
 * in-sample weekly-repeat error, so the repeat scores about 1.
 */
export async function benchSubDaily(): Promise<void> {
  const which = half();
  const corpus = subDailyCorpus(which);
  const augurs = await loadAugurs();
  const names = ['capplan raw', 'augurs MSTL.ets', 'weekly repeat'];
  const scores = new Map<string, number[]>(names.map((n) => [n, []]));
  const models: string[] = [];
  let failures = 0;
  for (const c of corpus) {
    const week = c.periods[1];
    const h = week;
    let scale = 0;
    for (let t = week; t < c.values.length; t++) scale += Math.abs(c.values[t] - c.values[t - week]);
    scale /= c.values.length - week;
    const mase = (p: ArrayLike<number>) => {
      let e = 0;
      for (let k = 0; k < h; k++) e += Math.abs(c.future[k] - p[k]);
      return e / h / scale;
    };
    try {
      const f = forecastSeries({ id: c.id, timestamps: c.timestamps, values: c.values }, { horizonSteps: h, aggregation: 'raw' });
      if (f.point.length !== h) throw new Error(`${f.point.length} points for ${h} steps`);
      scores.get('capplan raw')!.push(mase(f.point));
      models.push(`${c.id}: ${f.model}`);
    } catch {
      failures++;
      scores.get('capplan raw')!.push(NaN);
    }
    const m = augurs.mstlEts([...c.periods]);
    m.fit(c.values);
    scores.get('augurs MSTL.ets')!.push(mase(m.predict(h, 0.8).point));
    m.free();
    scores.get('weekly repeat')!.push(mase(Float64Array.from({ length: h }, (_, k) => c.values[c.values.length - week + k])));
  }
  const cap = scores.get('capplan raw')!;
  console.log(`\n## Sub-daily at raw resolution, a week ahead (bench/generators/subDaily.ts, ${which} half: ${corpus.length} hourly and half-hourly series)\n`);
  console.log('| method | median MASE | capplan ÷ method (geometric mean) |');
  console.log('|---|---:|---:|');
  for (const n of names) {
    const xs = scores.get(n)!;
    const ratios = cap.map((v, i) => v / xs[i]).filter(Number.isFinite);
    console.log(`| ${n} | ${median(xs.filter(Number.isFinite)).toFixed(3)} | ${Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length).toFixed(3)} |`);
  }
  console.log(`\nTarget: capplan no worse than either (ratios ≤ 1). Failures: ${failures}. Models chosen: ${models.join(', ')}.`);
}
