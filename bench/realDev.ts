import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { forecastSeries } from '../src/forecast/forecastSeries.js';
import { parseTimestamp } from '../src/source/csv/parseTimestamp.js';
import { coverageOf, realMase, referenceCombinationLine, referenceCombinations } from './realCorpus.js';

/** bench/realDev/devCorpus.json, made by bench/realDev/make-dev-corpus.R. */
const DEV_CORPUS = fileURLToPath(new URL('../../bench/realDev/devCorpus.json', import.meta.url));
/** bench/realExtra/extraCorpus.json, made by bench/realExtra/make-extra-corpus.R. */
const EXTRA_CORPUS = fileURLToPath(new URL('../../bench/realExtra/extraCorpus.json', import.meta.url));

type Reference = { mean: number[]; lower: number[]; upper: number[] };

/** One tuning case: a training part, the next h points and R's forecasts of them. */
export interface DevCase {
  readonly name: string;
  /**
   * `other`: other public series; `history`: a real-corpus series cut before its held-out tail (both tuning);
   * `extra`: the second held-out set, series used nowhere else, for reporting only.
   */
  readonly set: 'other' | 'history' | 'extra';
  readonly freq: number;
  readonly h: number;
  readonly timestamps: Float64Array;
  readonly train: Float64Array;
  readonly actual: Float64Array;
  readonly references: Record<'ets' | 'theta' | 'arima', Reference>;
}

export function loadDevCorpus(file = DEV_CORPUS): DevCase[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { cases: (Omit<DevCase, 'timestamps' | 'train' | 'actual'> & { timestamps: string[]; train: number[]; actual: number[] })[] };
  return doc.cases.map((c) => ({
    ...c,
    timestamps: Float64Array.from(c.timestamps, (t) => parseTimestamp(t) as number),
    train: Float64Array.from(c.train),
    actual: Float64Array.from(c.actual),
  }));
}

const geoMean = (xs: readonly number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

/**
 * The real-corpus tuning set: capplan against R ets, thetaf and auto.arima on
 * series and origins that are not the 17 held-out tails (other public series
 * at three origins; the 17 series' own training parts, one and two horizons
 * before the tail). Method choices are made here, and the held-out table
 * (`npm run bench -- real`) is read once after.
 */
export async function benchRealDev(): Promise<void> {
  benchRealCases(loadDevCorpus(), 'Real-series tuning set (bench/realDev, not the 17 held-out tails)', false);
}

/**
 * The second held-out set (`npm run bench -- real-extra`): 33 public series that neither the 17 tails nor the
 * tuning set use (bench/realExtra/make-extra-corpus.R), one cut each, against the same R references; reported
 * series by series, never tuned on.
 */
export async function benchRealExtra(): Promise<void> {
  benchRealCases(loadDevCorpus(EXTRA_CORPUS), 'Real series, second held-out set (bench/realExtra: series used nowhere else, never tuned on)', true);
}

function benchRealCases(cases: DevCase[], title: string, perCase: boolean): void {
  const rows: { c: DevCase; mase: number; ratios: Record<string, number>; coverage: number; model: string }[] = [];
  const failures: string[] = [];
  const t0 = performance.now();
  for (const c of cases) {
    try {
      const f = forecastSeries({ id: c.name, timestamps: c.timestamps, values: c.train }, { horizonSteps: c.h, levels: [0.8] });
      const m = realMase(c.train, c.actual, f.point, c.freq);
      const b = f.intervals.find((i) => i.level === 0.8)!;
      const ratios: Record<string, number> = {};
      for (const r of ['ets', 'theta', 'arima'] as const) ratios[r] = m / Math.max(1e-9, realMase(c.train, c.actual, c.references[r].mean, c.freq));
      rows.push({ c, mase: m, ratios, coverage: coverageOf(c.actual, b.lower, b.upper), model: f.model });
    } catch (err) {
      failures.push(`${c.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`\n## ${title}: ${cases.length} cases\n`);
  if (perCase || process.env.CAPPLAN_BENCH_VERBOSE) {
    console.log('| case | freq | h | capplan model | capplan MASE | ÷ ets | ÷ thetaf | ÷ auto.arima | 80% coverage |');
    console.log('|---|---:|---:|---|---:|---:|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.c.name} | ${r.c.freq} | ${r.c.h} | ${r.model} | ${r.mase.toFixed(3)} | ${r.ratios.ets.toFixed(3)} | ${r.ratios.theta.toFixed(3)} | ${r.ratios.arima.toFixed(3)} | ${r.coverage.toFixed(2)} |`);
    console.log('');
  }
  console.log('| set | cases | capplan ÷ ets | capplan ÷ thetaf | capplan ÷ auto.arima | 80% coverage |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const sets = [...new Set(cases.map((c) => c.set))];
  for (const set of sets.length > 1 ? [...sets, 'all' as const] : ['all' as const]) {
    const rs = rows.filter((r) => set === 'all' || r.c.set === set);
    const g = (k: string) => geoMean(rs.map((r) => r.ratios[k])).toFixed(3);
    console.log(`| ${set} | ${rs.length} | ${g('ets')} | ${g('theta')} | ${g('arima')} | ${(rs.reduce((s, r) => s + r.coverage, 0) / rs.length).toFixed(3)} |`);
  }
  const refCoverage = (['ets', 'arima', 'theta'] as const).map((r) => {
    const mean = cases.reduce((s, c) => s + coverageOf(c.actual, c.references[r].lower, c.references[r].upper), 0) / cases.length;
    return `${r} ${mean.toFixed(3)}`;
  });
  console.log(`\n${referenceCombinationLine(cases.map((c) => referenceCombinations(c.train, c.actual, c.freq, c.references)))} R's 80% coverage: ${refCoverage.join(', ')}.`);
  console.log(`\nFailures: ${failures.length}${failures.length ? ` (${failures.join('; ')})` : ''}. ${seconds.toFixed(1)} s.`);
}
