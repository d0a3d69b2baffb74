import { exhaustion } from '../src/forecast/exhaustion.js';
import { forecastSeries } from '../src/forecast/forecastSeries.js';
import { generateFleet, type DemoSeries } from '../src/demo/generateFleet.js';
import { loadAugurs, predictLinear } from './baselines.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const END = Date.UTC(2026, 10, 1);
const HOLDOUT = 90;

interface Scores {
  mase: number[];
  inside: number;
  total: number;
}

const empty = (): Scores => ({ mase: [], inside: 0, total: 0 });

/** Daily maxima of an hourly series, by UTC day. */
function dailyPeaks(ts: Float64Array, vs: Float64Array): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < ts.length; i++) {
    const d = Math.floor(ts[i] / DAY) * DAY;
    out.set(d, Math.max(out.get(d) ?? -Infinity, vs[i]));
  }
  return out;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

/**
 * Forecast accuracy on the planning target, the daily peak: a 90-day held-out
 * tail of a varied generated corpus (4 seeds × the 55-series demo fleet:
 * sawtooth disks, steps, cycles, saturation, flat, shrinking). MASE is scaled
 * by the in-sample naive error of the daily peaks, the same for every method.
 */
export async function benchAccuracy(): Promise<void> {
  const augurs = await loadAugurs();
  const methods = ['capplan', 'augurs MSTL.ets([24,168]) raw hourly', 'augurs MSTL.ets([7]) daily peaks', 'augurs AutoETS ZZN daily peaks', 'predict_linear 1d', 'predict_linear 7d', 'predict_linear 30d'];
  const scores = new Map(methods.map((m) => [m, empty()]));
  const corpus: DemoSeries[] = [1, 2, 3, 4].flatMap((seed) => generateFleet({ endMs: END, seed }));
  const cut = END - HOLDOUT * DAY; // training ends at 23:00 of the day before the first held-out day
  for (const s of corpus) {
    const split = s.timestamps.findIndex((t) => t >= cut);
    const trainT = s.timestamps.subarray(0, split);
    const trainV = s.values.subarray(0, split);
    const trainPeaks = [...dailyPeaks(trainT, trainV).values()];
    let scale = 0;
    for (let i = 1; i < trainPeaks.length; i++) scale += Math.abs(trainPeaks[i] - trainPeaks[i - 1]);
    scale = Math.max(scale / (trainPeaks.length - 1), 1e-9);
    const actual = dailyPeaks(s.timestamps.subarray(split), s.values.subarray(split));
    const days = [...actual.keys()].sort((a, b) => a - b).slice(0, HOLDOUT - 1);
    const score = (name: string, forecastByDay: (day: number) => number, band?: (day: number) => [number, number]) => {
      const sc = scores.get(name) as Scores;
      if (!days.every((d) => Number.isFinite(forecastByDay(d)))) {
        sc.mase.push(NaN);
        return;
      }
      let abs = 0;
      for (const d of days) {
        const a = actual.get(d) as number;
        abs += Math.abs(a - forecastByDay(d));
        if (band) {
          const [lo, hi] = band(d);
          sc.total++;
          if (a >= lo && a <= hi) sc.inside++;
        }
      }
      sc.mase.push(abs / days.length / scale);
    };

    const f = forecastSeries({ timestamps: trainT, values: trainV }, { horizonMs: HOLDOUT * DAY });
    const at = new Map(Array.from(f.timestamps, (t, k) => [t, k]));
    const b80 = f.intervals.find((i) => i.level === 0.8);
    const k = (d: number) => at.get(d) ?? Math.min(f.point.length - 1, Math.round((d - f.timestamps[0]) / DAY));
    score('capplan', (d) => f.point[k(d)], (d) => [b80!.lower[k(d)], b80!.upper[k(d)]]);

    const hourlyH = HOLDOUT * 24;
    const hourlyFuture = Float64Array.from({ length: hourlyH }, (_, j) => trainT[trainT.length - 1] + (j + 1) * HOUR);
    const byDayOfHourly = (fc: ArrayLike<number>) => {
      const m = dailyPeaks(hourlyFuture, Float64Array.from(fc));
      return (d: number) => m.get(d) as number;
    };
    const mstl = augurs.mstlEts([24, 168]);
    mstl.fit(trainV);
    const fm = mstl.predict(hourlyH, 0.8);
    mstl.free();
    const lo = dailyPeaks(hourlyFuture, Float64Array.from(fm.intervals?.lower ?? fm.point));
    const hi = dailyPeaks(hourlyFuture, Float64Array.from(fm.intervals?.upper ?? fm.point));
    score(methods[1], byDayOfHourly(fm.point), (d) => [lo.get(d) as number, hi.get(d) as number]);

    const peakDays = [...dailyPeaks(trainT, trainV).keys()].sort((a, b) => a - b);
    const peakVals = Float64Array.from(trainPeaks);
    const dayIndex = (d: number) => Math.round((d - peakDays[peakDays.length - 1]) / DAY) - 1;
    const mstlDaily = augurs.mstlEts([7]);
    mstlDaily.fit(peakVals);
    const fd = mstlDaily.predict(HOLDOUT, 0.8);
    mstlDaily.free();
    score(methods[2], (d) => fd.point[dayIndex(d)], (d) => [fd.intervals!.lower[dayIndex(d)], fd.intervals!.upper[dayIndex(d)]]);
    const ets = augurs.autoEts(1, 'ZZN');
    ets.fit(peakVals);
    const fe = ets.predict(HOLDOUT, 0.8);
    ets.free();
    score(methods[3], (d) => fe.point[dayIndex(d)], (d) => [fe.intervals!.lower[dayIndex(d)], fe.intervals!.upper[dayIndex(d)]]);

    for (const [name, w] of [['predict_linear 1d', DAY], ['predict_linear 7d', 7 * DAY], ['predict_linear 30d', 30 * DAY]] as const) {
      score(name, byDayOfHourly(predictLinear(trainV, w, hourlyH)));
    }
  }
  console.log(`\n## Forecast accuracy: daily peaks, ${HOLDOUT}-day held-out tail, ${corpus.length} generated series\n`);
  console.log('| method | median MASE | mean MASE | 80% interval coverage | series with no finite forecast |');
  console.log('|---|---:|---:|---:|---:|');
  for (const m of methods) {
    const sc = scores.get(m) as Scores;
    const finite = sc.mase.filter(Number.isFinite);
    const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
    const failed = sc.mase.length - finite.length;
    console.log(`| ${m} | ${median(finite).toFixed(3)} | ${mean.toFixed(3)} | ${sc.total ? (sc.inside / sc.total).toFixed(3) : '–'} | ${failed} |`);
  }
}

/**
 * Exhaustion-date accuracy against known truth: each generated series is cut
 * at its end, capplan dates when it reaches capacity (p10/p50/p90, horizon
 * 180 d), and predict_linear's line over 1d/7d/30d windows is dated the same
 * way on the same data. Scored: median |p50 − truth| in days where the truth
 * is within the horizon, coverage of [p10, p90], and false alarms (a date
 * within the horizon for a series whose truth is beyond it).
 */
export async function benchExhaustion(): Promise<void> {
  const horizon = 180;
  const corpus: DemoSeries[] = [1, 2, 3, 4, 5, 6].flatMap((seed) => generateFleet({ endMs: END, seed }));
  const names = ['capplan p50', 'predict_linear 1d', 'predict_linear 7d', 'predict_linear 30d'];
  const errors = new Map<string, number[]>(names.map((n) => [n, []]));
  const alarms = new Map<string, number>(names.map((n) => [n, 0]));
  let negatives = 0;
  let inside = 0;
  let scored = 0;
  for (const s of corpus) {
    const truth = s.truth.crossingMs;
    const truthWithin = truth !== null && truth - END <= horizon * DAY && truth - END > DAY;
    if (truth !== null && truth - END <= DAY) continue; // already full: not a dating question
    if (!truthWithin) negatives++;
    const f = forecastSeries({ timestamps: s.timestamps, values: s.values }, { horizonMs: horizon * DAY });
    const e = exhaustion(f, { capacity: s.capacity, threshold: 1, direction: 'rising' });
    const record = (name: string, date: number | null) => {
      if (truthWithin) (errors.get(name) as number[]).push(date === null ? horizon : Math.abs(date - (truth as number)) / DAY);
      else if (date !== null) alarms.set(name, (alarms.get(name) as number) + 1);
    };
    record('capplan p50', e.status === 'within' ? e.p50 : null);
    if (truthWithin) {
      scored++;
      const lo = e.p10 ?? Infinity;
      const hi = e.p90 ?? Infinity;
      if ((truth as number) >= lo && (truth as number) <= hi) inside++;
    }
    for (const [name, w] of [['predict_linear 1d', DAY], ['predict_linear 7d', 7 * DAY], ['predict_linear 30d', 30 * DAY]] as const) {
      const line = predictLinear(s.values, w, horizon * 24);
      const k = line.findIndex((v) => v >= s.capacity);
      record(name, k < 0 ? null : s.timestamps[s.timestamps.length - 1] + (k + 1) * HOUR);
    }
  }
  console.log(`\n## Exhaustion dates vs known truth (${corpus.length} generated series, horizon ${horizon} d; ${scored} cross within it, ${negatives} never do)\n`);
  console.log('| method | median abs error of the date (days) | false alarms |');
  console.log('|---|---:|---:|');
  for (const n of names) console.log(`| ${n} | ${median(errors.get(n) as number[]).toFixed(1)} | ${alarms.get(n)} of ${negatives} |`);
  console.log(`\ncapplan's [p10, p90] contains the true date for ${inside} of ${scored} (${((inside / scored) * 100).toFixed(0)}%; target 75–85%). A method that gives no date for a series that does cross scores ${horizon} days.`);
}
