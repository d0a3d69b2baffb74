import { DataError, UsageError } from '../errors.js';
import type { ForecastInterval } from '../models/Forecast.js';
import type { FitContext, FittedModel, Model } from '../models/Model.js';
import { MODELS, findModel } from '../models/registry.js';
import { logTransformed } from '../models/logTransformed.js';
import { combinedBandShare, scaledBand } from './combinedBand.js';
import { conformalIntervals } from './conformal.js';
import { envelope, type Aggregation } from './envelope.js';
import { regularize } from './regularize.js';
import { detectLevelShifts, removeLevelShifts } from './levelShifts.js';
import { applyLatestSlope, detectSlopeChange, widenForSlope } from './slopeChanges.js';
import { probit } from 'simple-statistics';
import { detectSeasonality } from './seasonality.js';
import { SEASONAL_REPEAT_ALIAS, seasonalRepeat } from './seasonalRepeat.js';
import { selectModel, type CandidateScore, type Selection } from './selectModel.js';
import { ensembleModel, ensembleWindows } from './ensemble.js';
import { crossValidate, mase, planBacktest, type BacktestWindow } from './backtest.js';
import { addSteps, nominalMs, type Step } from './Step.js';
import { DAY } from '../time/constants.js';

const RAW: Aggregation = { kind: 'raw', bucketMs: null };
/** The longest forecast capplan computes, in steps. */
const MAX_HORIZON_STEPS = 100_000;

/** What to forecast and how. */
export interface ForecastOptions {
  /** Horizon as a duration; or `horizonSteps` in steps of the series' own interval. */
  readonly horizonMs?: number;
  readonly horizonSteps?: number;
  /** Interval levels as fractions; 0.8 is always added (exhaustion dates use it). */
  readonly levels?: readonly number[];
  /** `auto` forecasts the daily peak when the data is sub-daily and the horizon a week or more. */
  readonly aggregation?: 'auto' | 'raw' | 'max' | 'p95' | 'p99';
  /** Aliases to choose from; all registered models when absent. */
  readonly models?: readonly string[];
}

/** The samples of one series, in any order, possibly with NaN and repeats. */
export interface SeriesInput {
  readonly id?: string;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/** A forecast and everything it stands on. Plain data: it crosses worker threads. */
export interface SeriesForecast {
  readonly model: string;
  /** Set when the best-scoring model could not be used, or no backtest was possible. */
  readonly fallbackReason: string | null;
  readonly aggregation: Aggregation;
  /** Nominal spacing of the forecast points (ms). */
  readonly stepMs: number;
  /** Seasonal periods found, in forecast steps. */
  readonly periods: readonly number[];
  readonly params: FittedModel['params'];
  /** Sustained level shifts found in the history and removed before fitting (a migration must not bend the trend). */
  readonly levelShifts: readonly { readonly atMs: number; readonly size: number }[];
  /** The change of slope found and applied (older history re-sloped to today's trend), if any; per forecast step. */
  readonly slopeChange?: { readonly atMs: number; readonly slopeBefore: number; readonly slopeAfter: number } | null;
  readonly candidates: readonly CandidateScore[];
  readonly backtest: {
    readonly windows: number;
    readonly horizon: number;
    readonly mase: number | null;
    /** Out-of-sample share of backtest points inside each calibrated interval; empty without a backtest. */
    readonly coverage: readonly { level: number; achieved: number }[];
  };
  readonly data: {
    readonly startMs: number;
    readonly endMs: number;
    /** Finite observations used. */
    readonly n: number;
    readonly missing: number;
    readonly gapCount: number;
    /** Resolution of the input (ms, nominal for calendar steps). */
    readonly stepMs: number;
    /** Last observed raw value. */
    readonly lastValue: number;
    /** Last value of the signal that was forecast (the last daily peak, with aggregation). */
    readonly lastSignal: number;
    readonly lastSignalMs: number;
  };
  readonly timestamps: Float64Array;
  readonly point: Float64Array;
  /** Ascending by level; calibrated on the backtest when one was possible. */
  readonly intervals: readonly ForecastInterval[];
  /** Standard deviation of the signal around the fitted model (robust): the wobble exhaustion's sample paths add. */
  readonly noise?: number;
  /** The most recent in-sample residuals of the signal (median removed): drawn from by exhaustion's sample paths, so rare spikes count. */
  readonly residuals?: Float64Array;
}

/**
 * Forecasts one series: regularise, pick the planning signal (raw or daily
 * peak), detect seasonality and remove sustained level shifts, rank models on a rolling-origin backtest, refit
 * the winner on all data and calibrate its intervals on the backtest errors.
 * Throws DataError when the series is unusable and UsageError for bad options.
 */
export function forecastSeries(input: SeriesInput, options: ForecastOptions): SeriesForecast {
  const name = input.id ?? 'series';
  const levels = normaliseLevels(options.levels ?? [0.8, 0.95]);
  const models = chooseModels(options.models);
  const raw = regularize(input.timestamps, input.values, name);
  const rawStepMs = nominalMs(raw.step);
  const horizonMs = horizonInMs(options, raw.step, rawStepMs);
  // A horizon in steps means steps of the series' own interval: exactly that many points come back.
  if (options.horizonSteps !== undefined && options.aggregation !== undefined && options.aggregation !== 'auto' && options.aggregation !== 'raw' && raw.step.kind === 'fixed' && raw.step.ms < DAY) {
    throw new UsageError(`a horizon of ${options.horizonSteps} steps forecasts ${name} at its own interval; a peak aggregation (${options.aggregation}) needs the horizon as a duration, such as 90d`);
  }
  const aggregation = options.horizonSteps !== undefined ? RAW : chooseAggregation(options.aggregation ?? 'auto', raw.step, horizonMs, raw.timestamps);
  let step: Step = raw.step;
  let timestamps = raw.timestamps;
  let y = raw.values;
  if (aggregation.kind !== 'raw') {
    const env = envelope(raw, aggregation);
    step = { kind: 'fixed', ms: aggregation.bucketMs };
    timestamps = env.timestamps;
    y = env.values;
  }
  const stepMs = nominalMs(step);
  const h = options.horizonSteps ?? Math.max(1, Math.ceil(horizonMs / stepMs - 1e-9));
  if (h > MAX_HORIZON_STEPS) throw new UsageError(`horizon of ${h} steps of ${stepMs / 1000}s is too long (at most ${MAX_HORIZON_STEPS})`);
  if (y.length < 3) throw new DataError(`${name}: too short to forecast after aggregation (${y.length} points)`);
  const periods = detectSeasonality(y, step).map((p) => p.period);
  // Short native series (a few hundred points: yearly, quarterly, monthly, weekly, an hour of minutes) are cheap to
  // refit and need more origins for their errors to say anything, and afford the costly models. Daily series are
  // the fleet's planning signal (daily peaks, whether aggregated here or pulled at a 1d step from downsampled
  // history): thousands of them must stay fast, so they keep four windows and the fast models.
  const shortCoarse = aggregation.kind === 'raw' && y.length <= SHORT_SERIES_POINTS && stepMs !== DAY;
  // Windows span the longest cycle: a weekend is not a level shift.
  const shifts = detectLevelShifts(y, periods.length ? Math.max(...periods) : 1);
  if (shifts.length > 0) y = removeLevelShifts(y, shifts);
  // The latest regime drives the future: a significant change of slope re-slopes the older history. Not on short
  // native series, whose combination (see COMBINING) follows a change of trend by itself (ARIMA's differences, ETS's
  // local trend, Theta's level): re-sloped, a few years of quarterly earnings or gas demand had every family
  // extrapolate a bend that was the season's growth (real-series tuning set: 0.973× R ets with, 0.932× without).
  const slopeChange = shortCoarse ? null : detectSlopeChange(y, periods.length ? Math.max(...periods) : 1);
  if (slopeChange) y = applyLatestSlope(y, slopeChange);
  const ctx = { periods, stepMs };
  // Forecast-level candidates join the registry's unless the caller named the models.
  const multiSeasonalRaw = aggregation.kind === 'raw' && stepMs < DAY && periods.length > 1;
  const pool = options.models ? models : affordable([...models, seasonalRepeat], shortCoarse, multiSeasonalRaw);
  const selection = selectModel(pool, y, ctx, h, shortCoarse ? 10 : 4);
  const lookup = new Map(pool.map((m) => [m.alias, m]));
  const how = shortCoarse && !multiSeasonalRaw ? COMBINING.competition : COMBINING.robust;
  const combination = withCombination(selection, lookup, multiSeasonalRaw ? 'multi' : periods.length > 0 ? 'seasonal' : 'plain', how);
  // On short native series, where the combination's families all run, growth in proportion to the level (a seasonal
  // swing that grows with it, compound growth) gets the same combination on the log scale when that backtests better.
  const lead = shortCoarse ? orLogCombination(combination, how.combine, selection, lookup, y, ctx) : combination;
  const preferred = preferCombination(withEnsemble(selection, lookup), lead, aggregation.kind === 'raw' ? 0 : COMBINATION_MARGIN);
  // The original-scale combination stays in the record when the log one replaced it.
  if (lead !== combination && combination) preferred.splice(1, 0, combination);
  const ranking = secondChance(preferred, selection, lookup, y, ctx, h);

  let fitted: FittedModel | null = null;
  let chosen: CandidateScore | null = null;
  const failures: string[] = [];
  for (const candidate of ranking) {
    if (candidate.mase === null) break;
    try {
      fitted = (lookup.get(candidate.model) as Model).fit(y, ctx);
      chosen = candidate;
      break;
    } catch (err) {
      failures.push(`${candidate.model}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  let fallbackReason: string | null = failures.length ? `best-scoring model failed on the full series (${failures.join('; ')})` : null;
  if (!fitted) {
    const reasons = selection.ranking.filter((c) => c.error).map((c) => `${c.model}: ${c.error}`);
    fallbackReason = selection.plan
      ? `no candidate could be backtested (${reasons.slice(0, 3).join('; ')}); intervals are the model's own, uncalibrated`
      : `series too short to backtest (${y.length} points); intervals are the model's own, uncalibrated`;
    fitted = fitFallback(models, y, ctx, name);
  }

  const forecast = fitted.predict(h, levels);
  let intervals = forecast.intervals;
  let coverage: { level: number; achieved: number }[] = [];
  const windows = chosen ? selection.windows.get(chosen.model) : undefined;
  if (windows && windows.length > 0) {
    const band = fitted.predict(h, [0.8]).intervals[0];
    const width = band.upper.map((u, k) => (u - band.lower[k]) / 2);
    const calibrated = conformalIntervals(windows, forecast.point, width, levels);
    // Few backtest windows give few, correlated errors: their quantiles understate the tails.
    // The model's own band is a floor, so calibration can widen a band but not shrink it below the model's.
    // A combination's own band is its members' average, a typical member's uncertainty, while the combination
    // misses by less than a typical member (why it is chosen): its floor is that band narrowed by the share of the
    // members' backtest error the combination kept. Coverage of the mean's 80% bands on the tuning set: 0.847 so,
    // 0.855 with the plain floor, 0.780 with none. The median of three (daily peaks, sub-daily cycles) keeps the
    // plain floor: the exhaustion corpus' bands were calibrated with it.
    const meanOfFamilies = fitted.alias.startsWith(`${COMBINING.competition.combine}(`);
    const share = meanOfFamilies ? combinedBandShare(lookup.get(fitted.alias), selection.windows, windows) : 1;
    intervals = calibrated.intervals.map((iv, i) => unionBand(iv, scaledBand(forecast.intervals[i], forecast.point, share)));
    coverage = calibrated.coverage.filter((c) => Number.isFinite(c.achieved));
  }
  if (slopeChange) {
    for (const iv of intervals) widenForSlope(forecast.point, iv.lower, iv.upper, probit((1 + iv.level) / 2), slopeChange.slopeAfterSe * SLOPE_SE_AUTOCORRELATION);
  }
  const last = timestamps[timestamps.length - 1];
  const futureTimes = new Float64Array(h);
  for (let k = 0; k < h; k++) futureTimes[k] = addSteps(last, step, k + 1);
  return {
    model: fitted.alias,
    fallbackReason,
    aggregation,
    stepMs,
    periods,
    params: fitted.params,
    levelShifts: shifts.map((sh) => ({ atMs: timestamps[sh.index], size: sh.size })),
    slopeChange: slopeChange ? { atMs: timestamps[slopeChange.index], slopeBefore: slopeChange.slopeBefore, slopeAfter: slopeChange.slopeAfter } : null,
    candidates: ranking,
    backtest: {
      windows: windows?.length ?? 0,
      horizon: selection.plan?.horizon ?? 0,
      mase: chosen?.mase ?? null,
      coverage,
    },
    data: {
      startMs: raw.timestamps[0],
      endMs: raw.timestamps[raw.timestamps.length - 1],
      n: raw.n,
      missing: raw.missing,
      gapCount: raw.gapCount,
      stepMs: rawStepMs,
      lastValue: raw.values[raw.values.length - 1],
      lastSignal: y[y.length - 1],
      lastSignalMs: last,
    },
    timestamps: futureTimes,
    point: forecast.point,
    intervals,
    noise: signalNoise(y, fitted.fitted, forecast.point, intervals.find((i) => i.level === 0.8)),
    residuals: recentResiduals(y, fitted.fitted),
  };
}

/**
 * A model that refused the horizon-matched backtest because older history
 * does not show what it needs yet (a saturation only visible in recent
 * months) but fits the whole series gets a second chance: it and the leader
 * are scored on the same recent, shorter windows, and it leads if it wins.
 */
function secondChance(ranking: CandidateScore[], selection: Selection, lookup: Map<string, Model>, y: Float64Array, ctx: FitContext, h: number): CandidateScore[] {
  const leader = ranking[0];
  if (!leader || leader.mase === null || !selection.plan) return ranking;
  const refused = ranking.filter((c) => c.mase === null && c.error && !c.error.startsWith('not applicable') && !c.error.startsWith('needs'));
  for (const c of refused) {
    const model = lookup.get(c.model) as Model;
    try {
      model.fit(y, ctx);
    } catch {
      continue;
    }
    const plan = planBacktest(y.length, Math.min(h, Math.floor(y.length * 0.15)), model.minLength(ctx), 3);
    if (!plan || plan.origins[0] < Math.ceil(y.length * 0.7)) continue;
    try {
      const mine = crossValidate(model, y, ctx, plan);
      const theirs = crossValidate(lookup.get(leader.model) as Model, y, ctx, plan);
      const a = mase(mine);
      const b = mase(theirs);
      if (a < b) {
        (selection.windows as Map<string, readonly BacktestWindow[]>).set(c.model, mine);
        const promoted = { model: c.model, mase: a, note: `second chance on ${plan.origins.length} recent windows of ${plan.horizon} steps (leader ${leader.model} scored ${b.toFixed(2)} there)` };
        return [promoted, ...ranking.filter((r) => r !== c)];
      }
    } catch {
      // still refuses on recent windows: keep the ranking
    }
  }
  return ranking;
}

/** Which kind of series a combination is for: several cycles at sub-daily resolution, one cycle, none. */
type SeriesKind = 'multi' | 'seasonal' | 'plain';

/** A way of combining the families the M competitions' combinations are made of: ETS, ARIMA, Theta, STL + ETS. */
interface Combining {
  /** How many of the families (the first that could be backtested, in this order) are combined. */
  readonly size: number;
  readonly combine: 'mean' | 'median';
  /** Aliases in order of preference, per kind of series; aliases not in the pool are skipped. */
  readonly families: Partial<Record<SeriesKind, readonly string[]>>;
}

/** Plain series, either way: `mstl_ets` without a period is R's ets over the N, A and Ad trends by AICc. */
const PLAIN_FAMILIES = ['auto_arima', 'theta', 'mstl_ets', 'damped', 'naive'];

/**
 * How the families are combined.
 *
 * On short native series every family runs (the costly ones too), and the arithmetic mean of four is the
 * competitions' equal-weight combination. Plain series: ARIMA, Theta, ETS and damped Holt. Seasonal ones: ETS on
 * the STL-adjusted series (R's stlf), ARIMA, Theta on the STL-adjusted series and Holt–Winters. Theta there is
 * `mstl_theta`, not `theta`: thetaf applies its own autocorrelation test before removing the season, and on three
 * years of monthly deaths it found none and drew a flat line through a strong season, 3× R ets's error; with the
 * cycle capplan found removed by STL it is ets's equal. On the real-series tuning set (bench/realDev, 100 cases):
 * 1.017× R ets for the median of three before, 0.970× for the mean of four with `theta` (0.996× for the mean of
 * three, 0.988× for the median of four, 4% worse with naive as a fifth), and 0.909× with `mstl_theta` and no
 * re-sloping (0.920× with thetaf's test switched off instead; mstl_arima for Holt–Winters, or dotm for Theta or
 * damped Holt, within 0.005). On 33 real series used nowhere else (bench/realExtra, never tuned on) the last step
 * took capplan from 0.918× to 0.884× R ets.
 *
 * Elsewhere (the fleet's daily peaks, sub-daily cycles) the costly families do not run, a cheap member such as naive
 * or the weekly repeat can stand in, and the median of three is robust to one member going astray. Several cycles in
 * sub-daily data at its own resolution take only models that draw every cycle: ARIMA on the MSTL-adjusted series
 * models the autocorrelated remainder (a busy hour stays busy) that ETS's level chases, and the weekly repeat keeps
 * the sharp profile; Fourier's few harmonics cannot draw it.
 */
const COMBINING: Record<'competition' | 'robust', Combining> = {
  competition: {
    size: 4,
    combine: 'mean',
    families: {
      seasonal: ['mstl_ets', 'auto_arima', 'mstl_theta', 'ets_add', 'ets_mul'],
      plain: PLAIN_FAMILIES,
    },
  },
  robust: {
    size: 3,
    combine: 'median',
    families: {
      multi: ['mstl_arima', 'mstl_ets', SEASONAL_REPEAT_ALIAS],
      seasonal: ['mstl_ets', 'auto_arima', 'theta', 'ets_add', 'ets_mul'],
      plain: PLAIN_FAMILIES,
    },
  },
};

/**
 * The combination of the first few families that could be backtested (see
 * COMBINING), scored on their windows (the same cuts, no refits). Null with
 * fewer than three.
 */
function withCombination(selection: Selection, lookup: Map<string, Model>, kind: SeriesKind, how: Combining): CandidateScore | null {
  const family = (how.families[kind] ?? []).filter((a) => selection.windows.has(a)).slice(0, how.size);
  if (family.length < 3) return null;
  const model = ensembleModel(family.map((a) => lookup.get(a) as Model), how.combine, how.combine);
  const windows = ensembleWindows(family.map((a) => selection.windows.get(a) as BacktestWindow[]), how.combine);
  lookup.set(model.alias, model);
  (selection.windows as Map<string, readonly BacktestWindow[]>).set(model.alias, windows);
  return { model: model.alias, mase: mase(windows) };
}

/**
 * The same combination fitted to log(y) (R's Box-Cox with λ = 0), when
 * the series is positive and it scores better than `combination` on the same
 * rolling-origin windows: a seasonal swing proportional to the level (air
 * traffic, gas demand, quarterly earnings) is additive on the log scale, where
 * STL, ARIMA and Theta draw it, and compound growth is a line there; R's ets
 * reaches the same with multiplicative seasonality and error. Returns
 * `combination` otherwise.
 */
function orLogCombination(combination: CandidateScore | null, combine: 'mean' | 'median', selection: Selection, lookup: Map<string, Model>, y: Float64Array, ctx: FitContext): CandidateScore | null {
  if (!combination || combination.mase === null || !selection.plan || !y.every((v) => v > 0)) return combination;
  const plan = selection.plan;
  const raw = lookup.get(combination.model) as Model & { members?: readonly Model[] };
  const members = (raw.members ?? []).map(logTransformed);
  if (members.length === 0) return combination;
  try {
    const model = ensembleModel(members, combine, combine);
    const memberWindows = members.map((m) => crossValidate(m, y, ctx, plan));
    const windows = ensembleWindows(memberWindows, combine);
    const score = mase(windows);
    if (!(score < combination.mase)) return combination;
    lookup.set(model.alias, model);
    const kept = selection.windows as Map<string, readonly BacktestWindow[]>;
    kept.set(model.alias, windows);
    // kept for the combination's band (combinedBandShare); not candidates themselves
    members.forEach((m, i) => kept.set(m.alias, memberWindows[i]));
    return { model: model.alias, mase: score, note: `log scale: backtests ${score.toFixed(2)} against ${combination.mase.toFixed(2)} on the original scale` };
  } catch {
    return combination;
  }
}

/** The new slope's standard error assumes independent residuals; usage residuals are autocorrelated, so it is doubled. */
const SLOPE_SE_AUTOCORRELATION = 2;

/**
 * A single model must beat the combination by this factor to be chosen over it: backtests on a few windows are noisy.
 * This holds for the daily peaks capplan aggregates (the fleet's planning signal, where a saturation or a broken line
 * is real). A series forecast at its own interval gets no margin: on the real-series tuning set (bench/realDev, 100
 * cases, none of them a held-out tail of the real corpus) the single models that won a few windows (a line through a
 * random walk, Theil-Sen through a temperature season) were the worst forecasts, and the combination always leading
 * took capplan from 1.064× to about 1.01× R ets.
 */
const COMBINATION_MARGIN = 0.7;

/**
 * Selection by backtest on a few windows picks the luckiest of many
 * candidates as often as the best; the combination is the default and a
 * candidate leads only when it beats it by the margin (0: never).
 */
function preferCombination(ranking: CandidateScore[], combination: CandidateScore | null, margin: number): CandidateScore[] {
  if (!combination || combination.mase === null) return ranking;
  const leader = ranking[0];
  const rest = ranking.filter((c) => c.mase !== null);
  const failed = ranking.filter((c) => c.mase === null);
  if (leader && leader.mase !== null && leader.mase < margin * combination.mase) {
    return [...rest, combination].sort((a, b) => (a.mase as number) - (b.mase as number)).concat(failed);
  }
  return [combination, ...rest, ...failed];
}

/** How many of the best models an ensemble averages. */
const ENSEMBLE_SIZE = 3;

/**
 * Adds the average of the best few models as a candidate, scored on the
 * same backtest windows, and re-ranks: it is chosen only when it wins.
 */
function withEnsemble(selection: Selection, lookup: Map<string, Model>): CandidateScore[] {
  const scored = selection.ranking.filter((c) => c.mase !== null);
  if (scored.length < ENSEMBLE_SIZE) return [...selection.ranking];
  const top = scored.slice(0, ENSEMBLE_SIZE);
  const model = ensembleModel(top.map((c) => lookup.get(c.model) as Model));
  const windows = ensembleWindows(top.map((c) => selection.windows.get(c.model) as BacktestWindow[]));
  const score = mase(windows);
  lookup.set(model.alias, model);
  (selection.windows as Map<string, readonly BacktestWindow[]>).set(model.alias, windows);
  const all = [...scored, { model: model.alias, mase: score }].sort((a, b) => (a.mase as number) - (b.mase as number));
  return [...all, ...selection.ranking.filter((c) => c.mase === null)];
}

/**
 * Robust sd of the signal around the model's in-sample fit (1.4826 × MAD),
 * at most the 80% band's half-width at the first step, which already holds it.
 */
function signalNoise(y: Float64Array, fitted: Float64Array, point: Float64Array, band: ForecastInterval | undefined): number {
  const r: number[] = [];
  for (let i = 0; i < y.length; i++) if (Number.isFinite(fitted[i])) r.push(y[i] - fitted[i]);
  if (r.length < 5 || !band || point.length === 0) return 0;
  r.sort((a, b) => a - b);
  const med = r[r.length >> 1];
  const dev = r.map((v) => Math.abs(v - med)).sort((a, b) => a - b);
  const sd = 1.4826 * dev[dev.length >> 1];
  const firstHalf = (band.upper[0] - band.lower[0]) / 2 / 1.2815515655446004;
  return Math.max(0, Math.min(sd, firstHalf));
}

/** How many recent residuals a forecast keeps for exhaustion's sample paths (two years of daily peaks). */
const KEPT_RESIDUALS = 730;

function recentResiduals(y: Float64Array, fitted: Float64Array): Float64Array {
  const r: number[] = [];
  for (let i = Math.max(0, y.length - KEPT_RESIDUALS); i < y.length; i++) if (Number.isFinite(fitted[i])) r.push(y[i] - fitted[i]);
  const sorted = [...r].sort((a, b) => a - b);
  const med = sorted.length ? sorted[sorted.length >> 1] : 0;
  return Float64Array.from(r, (v) => v - med);
}

/** Native (not aggregated) series up to this many points count as short: more backtest windows, the costly models. */
const SHORT_SERIES_POINTS = 300;

/**
 * Models whose fit costs tens of milliseconds to seconds on a few hundred points (order searches, decompositions
 * with model selection, optimised Theta): times every backtest window, more than a fleet forecast can carry.
 */
const COSTLY = new Set(['auto_arima', 'mstl_ets', 'stl_ets', 'mstl_arima', 'mstl_theta', 'dotm', 'combo_median']);

/** The costly models sub-daily series with several cycles run at their own resolution: the decompositions that draw every cycle. */
const MULTI_SEASONAL_COSTLY = new Set(['mstl_ets', 'mstl_arima']);

/**
 * Candidates whose cost suits the series. The costly ones run only where
 * they earn their keep: short native series (yearly, quarterly, monthly,
 * weekly; not daily, the fleet's signal), and MSTL on sub-daily series with
 * several cycles forecast at their own resolution. Fleet metrics aggregated
 * to daily peaks do without them (the fleet must stay fast), and
 * `combo_median` is replaced by the median combination built from its
 * members' backtests (the same forecast without refitting them).
 */
function affordable(models: readonly Model[], shortCoarse: boolean, multiSeasonalRaw: boolean): Model[] {
  return models.filter((m) => !COSTLY.has(m.alias) || (m.alias !== 'combo_median' && (shortCoarse || (multiSeasonalRaw && MULTI_SEASONAL_COSTLY.has(m.alias)))));
}

/** The wider of two bands at each step. */
function unionBand(a: ForecastInterval, b: ForecastInterval | undefined): ForecastInterval {
  if (!b) return a;
  return { level: a.level, lower: a.lower.map((v, k) => Math.min(v, b.lower[k])), upper: a.upper.map((v, k) => Math.max(v, b.upper[k])) };
}

function normaliseLevels(levels: readonly number[]): number[] {
  for (const l of levels) if (!(l > 0 && l < 1)) throw new UsageError(`interval level ${l} must be a fraction between 0 and 1, e.g. 0.8`);
  return [...new Set([...levels, 0.8])].sort((a, b) => a - b);
}

function chooseModels(aliases: readonly string[] | undefined): Model[] {
  if (!aliases) return [...MODELS];
  return aliases.map((a) => {
    const m = findModel(a);
    if (!m) throw new UsageError(`unknown model '${a}' (known: ${MODELS.map((x) => x.alias).join(', ')})`);
    return m;
  });
}

function horizonInMs(options: ForecastOptions, step: Step, stepMs: number): number {
  if (options.horizonMs !== undefined) {
    if (!(options.horizonMs > 0)) throw new UsageError('horizon must be positive');
    return options.horizonMs;
  }
  if (options.horizonSteps !== undefined) {
    if (!(options.horizonSteps >= 1) || !Number.isInteger(options.horizonSteps)) throw new UsageError(`horizon of ${options.horizonSteps} steps must be a positive whole number`);
    return step.kind === 'fixed' ? options.horizonSteps * step.ms : options.horizonSteps * stepMs;
  }
  throw new UsageError('give a horizon (a duration such as 90d, or a number of steps)');
}

/**
 * Planning wants the peaks: with sub-daily data and a horizon of a week or
 * more, `auto` forecasts the daily maximum (the envelope capacity must hold)
 * instead of the raw signal whose intra-day cycle would only add noise.
 */
function chooseAggregation(kind: NonNullable<ForecastOptions['aggregation']>, step: Step, horizonMs: number, timestamps: Float64Array): Aggregation {
  const subDaily = step.kind === 'fixed' && step.ms < DAY;
  const spanDays = (timestamps[timestamps.length - 1] - timestamps[0]) / DAY;
  if (kind === 'raw' || !subDaily) return { kind: 'raw', bucketMs: null };
  if (kind === 'max') return { kind: 'max', bucketMs: DAY };
  if (kind === 'p95') return { kind: 'quantile', q: 0.95, bucketMs: DAY };
  if (kind === 'p99') return { kind: 'quantile', q: 0.99, bucketMs: DAY };
  return horizonMs >= 7 * DAY && spanDays >= 28 ? { kind: 'max', bucketMs: DAY } : { kind: 'raw', bucketMs: null };
}

/** Without a usable backtest, the simplest model that fits: drift if registered, else naive. */
function fitFallback(models: readonly Model[], y: Float64Array, ctx: { periods: number[]; stepMs: number }, name: string): FittedModel {
  const order = ['drift', 'linear', 'naive'].map((a) => findModel(a)).filter((m): m is Model => m !== undefined);
  for (const m of [...order, ...models]) {
    if (y.length < m.minLength(ctx)) continue;
    try {
      return m.fit(y, ctx);
    } catch {
      // try the next one
    }
  }
  throw new DataError(`${name}: no model can fit ${y.length} points`);
}
