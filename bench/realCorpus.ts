import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { forecastSeries } from '../src/forecast/forecastSeries.js';
import { parseTimestamp } from '../src/source/csv/parseTimestamp.js';
import { loadAugurs } from './baselines.js';

/** Where CI and the helpers keep the real corpus: `../shared/eval` beside the repository. */
export const REAL_CORPUS_DIR = resolve(process.cwd(), '../shared/eval');

/** One real series of the corpus, split into training part and held-out tail. */
export interface RealSeries {
  readonly name: string;
  readonly freq: number;
  readonly h: number;
  readonly unit: string;
  readonly trainT: Float64Array;
  readonly trainV: Float64Array;
  readonly actual: Float64Array;
  /** R's (and prophet's) forecasts of the tail: `ets`, `stlf`, `arima`, `theta`, `snaive`, `linear`, `prophet`. */
  readonly references: Record<string, { mean: number[]; lower: number[]; upper: number[] }>;
}

/** Reads `series.json`, the CSVs and the reference forecasts. */
export function loadRealCorpus(dir = REAL_CORPUS_DIR): RealSeries[] {
  if (!existsSync(join(dir, 'series.json'))) throw new Error(`real corpus not found at ${dir} (expected ../shared/eval relative to the repository)`);
  const list = JSON.parse(readFileSync(join(dir, 'series.json'), 'utf8')) as { name: string; file: string; freq: number; h: number; unit: string }[];
  return list.map((s) => {
    const rows = readFileSync(join(dir, 'data', s.file), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const t = Float64Array.from(rows, (r) => parseTimestamp(r[0]) as number);
    const v = Float64Array.from(rows, (r) => Number(r[1]));
    const n = v.length - s.h;
    const ref = JSON.parse(readFileSync(join(dir, 'reference', `${s.name}.json`), 'utf8')) as { methods: RealSeries['references'] };
    return { name: s.name, freq: s.freq, h: s.h, unit: s.unit, trainT: t.slice(0, n), trainV: v.slice(0, n), actual: v.slice(n), references: ref.methods };
  });
}

/** MASE of `point` on `actual`, scaled by the in-sample mean absolute difference at lag `freq` (lag 1 when 1). */
export function realMase(train: Float64Array, actual: Float64Array, point: ArrayLike<number>, freq: number): number {
  const lag = freq > 1 && train.length > freq ? freq : 1;
  let scale = 0;
  for (let t = lag; t < train.length; t++) scale += Math.abs(train[t] - train[t - lag]);
  scale /= train.length - lag;
  let err = 0;
  for (let k = 0; k < actual.length; k++) err += Math.abs(actual[k] - point[k]);
  return err / actual.length / scale;
}

/** Share of the held-out points inside [lower, upper]. */
export function coverageOf(actual: Float64Array, lower: ArrayLike<number>, upper: ArrayLike<number>): number {
  let inside = 0;
  for (let k = 0; k < actual.length; k++) if (actual[k] >= lower[k] && actual[k] <= upper[k]) inside++;
  return inside / actual.length;
}

const geoMean = (xs: readonly number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

interface MethodResult {
  mase: number;
  coverage: number | null;
}

/**
 * The real corpus (17 public series from R's datasets with R forecast's and
 * prophet's forecasts of the same held-out tail): capplan with `--horizon h`
 * (a bare step count), scored against every reference and against augurs
 * (MSTL.ets on seasonal series, AutoETS ZZN otherwise) run live.
 */
export async function benchRealCorpus(): Promise<void> {
  const corpus = loadRealCorpus();
  const augurs = await loadAugurs();
  const refs = ['ets', 'stlf', 'arima', 'theta', 'snaive', 'linear', 'prophet'];
  const methods = ['capplan', 'augurs', ...refs];
  const results = new Map<string, Map<string, MethodResult>>(); // series → method → result
  const failures: string[] = [];
  const models = new Map<string, string>();
  for (const s of corpus) {
    const row = new Map<string, MethodResult>();
    results.set(s.name, row);
    try {
      const f = forecastSeries({ id: s.name, timestamps: s.trainT, values: s.trainV }, { horizonSteps: s.h, levels: [0.8] });
      if (f.point.length !== s.h) throw new Error(`returned ${f.point.length} points for --horizon ${s.h}`);
      const b = f.intervals.find((i) => i.level === 0.8)!;
      row.set('capplan', { mase: realMase(s.trainV, s.actual, f.point, s.freq), coverage: coverageOf(s.actual, b.lower, b.upper) });
      models.set(s.name, f.model);
    } catch (err) {
      failures.push(`${s.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      const m = s.freq > 1 ? augurs.mstlEts([s.freq]) : augurs.autoEts(1, 'ZZN');
      m.fit(s.trainV);
      const fa = m.predict(s.h, 0.8);
      m.free();
      if (fa.point.every(Number.isFinite)) {
        row.set('augurs', { mase: realMase(s.trainV, s.actual, fa.point, s.freq), coverage: fa.intervals ? coverageOf(s.actual, fa.intervals.lower, fa.intervals.upper) : null });
      }
    } catch {
      // augurs failing is its own result: the series is left out of its row
    }
    for (const r of refs) {
      const ref = s.references[r];
      if (!ref) continue;
      row.set(r, { mase: realMase(s.trainV, s.actual, ref.mean, s.freq), coverage: coverageOf(s.actual, ref.lower, ref.upper) });
    }
  }

  console.log(`\n## Real corpus: ${corpus.length} public series (../shared/eval), held-out tail, MASE (scaled by in-sample seasonal naive)\n`);
  console.log(`| series | freq | h | capplan model | ${methods.join(' | ')} |`);
  console.log(`|---|---:|---:|---|${methods.map(() => '---:').join('|')}|`);
  for (const s of corpus) {
    const row = results.get(s.name)!;
    console.log(`| ${s.name} | ${s.freq} | ${s.h} | ${models.get(s.name) ?? 'FAILED'} | ${methods.map((m) => row.get(m)?.mase.toFixed(3) ?? '–').join(' | ')} |`);
  }
  console.log('\n| method | capplan MASE ÷ method MASE (geometric mean) | series compared | 80% coverage (mean over series) |');
  console.log('|---|---:|---:|---:|');
  for (const m of methods) {
    const ratios: number[] = [];
    const cov: number[] = [];
    for (const s of corpus) {
      const row = results.get(s.name)!;
      const a = row.get('capplan');
      const b = row.get(m);
      if (a && b && b.mase > 0) ratios.push(a.mase / b.mase);
      if (b?.coverage !== null && b?.coverage !== undefined) cov.push(b.coverage);
    }
    const covText = cov.length ? (cov.reduce((x, y) => x + y, 0) / cov.length).toFixed(3) : '–';
    console.log(`| ${m} | ${m === 'capplan' ? '1.000' : geoMean(ratios).toFixed(3)} | ${ratios.length} | ${covText} |`);
  }
  const combos = corpus.map((s) => referenceCombinations(s.trainV, s.actual, s.freq, s.references));
  console.log(`\n${referenceCombinationLine(combos)}`);
  console.log(`\nTargets: ratio ≤ 0.90 vs ets and vs theta; capplan coverage 0.75–0.85; no failures. Failures: ${failures.length}${failures.length ? ` (${failures.join('; ')})` : ''}.`);
}

type Means = Partial<Record<string, { mean: ArrayLike<number> }>>;

/**
 * MASE of R's own combinations of its forecasts for one tail (the mean and the median of ets, auto.arima and
 * thetaf), relative to ets and to thetaf: how far combining the references themselves gets, the yardstick for the
 * ratio targets.
 */
export function referenceCombinations(train: Float64Array, actual: Float64Array, freq: number, refs: Means): { mean: { ets: number; theta: number }; median: { ets: number; theta: number } } | null {
  const members = (['ets', 'arima', 'theta'] as const).map((r) => refs[r]?.mean);
  if (members.some((m) => m === undefined)) return null;
  const combined = (pick: (v: number[]) => number) => Float64Array.from(actual, (_, k) => pick(members.map((m) => (m as ArrayLike<number>)[k])));
  const mean = combined((v) => v.reduce((a, b) => a + b, 0) / v.length);
  const median = combined((v) => [...v].sort((a, b) => a - b)[1]);
  const of = (p: ArrayLike<number>) => realMase(train, actual, p, freq);
  const ets = of((refs.ets as { mean: ArrayLike<number> }).mean);
  const theta = of((refs.theta as { mean: ArrayLike<number> }).mean);
  return { mean: { ets: of(mean) / ets, theta: of(mean) / theta }, median: { ets: of(median) / ets, theta: of(median) / theta } };
}

/** One line: the geometric means of referenceCombinations over a corpus. */
export function referenceCombinationLine(combos: ReturnType<typeof referenceCombinations>[]): string {
  const got = combos.filter((c): c is NonNullable<typeof c> => c !== null);
  const g = (f: (c: (typeof got)[number]) => number) => geoMean(got.map(f)).toFixed(3);
  return (
    `R's own combinations of its forecasts (${got.length} series): mean of ets, auto.arima and thetaf ${g((c) => c.mean.ets)} ÷ ets, ` +
    `${g((c) => c.mean.theta)} ÷ thetaf; median ${g((c) => c.median.ets)} ÷ ets, ${g((c) => c.median.theta)} ÷ thetaf.`
  );
}
