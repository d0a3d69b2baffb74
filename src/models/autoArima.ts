import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { type ArimaFit, type ArimaMethod, type ArimaOrder, fitArima } from './arima.js';
import { difference, multiplySeasonalAr, multiplySeasonalMa, rootsOutside } from './arimaPolynomials.js';
import { checkedHorizon, symmetricForecast } from './intervals.js';
import { isConstant, ndiffs, nsdiffs } from './unitRoot.js';

/**
 * Automatic ARIMA order selection by the Hyndman–Khandakar (2008) stepwise
 * algorithm, with R forecast::auto.arima's defaults: seasonal differencing
 * from the STL seasonal strength, first differences from repeated KPSS
 * tests, a stepwise walk over (p,q)(P,Q) and the constant by AICc, models
 * with AR or MA roots inside 1.01 rejected, CSS approximations during the
 * walk for long or high-frequency series and an exact-likelihood refit of
 * the winner.
 */
export interface AutoArimaOptions {
  readonly maxP?: number;
  readonly maxQ?: number;
  readonly maxSeasonalP?: number;
  readonly maxSeasonalQ?: number;
  /** Cap on models tried (R: 94). */
  readonly maxModels?: number;
}

/** Seasonal period for ARIMA: the shortest context period, if the series holds more than two cycles of it. */
export function arimaPeriod(ctx: FitContext, n: number): number {
  const p = ctx.periods.find((v) => Number.isFinite(v) && Math.round(v) >= 2);
  if (p === undefined) return 1;
  const m = Math.round(p);
  // seasonal ARMA at periods above a few days of hourly data costs a state of hundreds; leave those to MSTL
  return m <= MAX_SEASONAL_PERIOD && n > 2 * m ? m : 1;
}

/** Points an approximated search looks at: enough for several seasons and the recent dynamics. */
function searchWindow(m: number): number {
  return Math.max(1000, 10 * m);
}

/** Exact-likelihood refits tried at the end of an approximated search before keeping the CSS winner. */
const ML_REFITS = 1;

/** Longest seasonal period modelled by seasonal ARIMA terms (hourly data's daily cycle fits; weekly does not). */
export const MAX_SEASONAL_PERIOD = 52;

/** Selects and fits the best ARIMA for y with period m; the series must not be constant. */
export function autoArimaFit(y: Float64Array, m: number, options: AutoArimaOptions = {}): ArimaFit {
  const n = y.length;
  let maxP = Math.min(options.maxP ?? 5, Math.floor(n / 3));
  let maxQ = Math.min(options.maxQ ?? 5, Math.floor(n / 3));
  const maxSP = m > 1 ? Math.min(options.maxSeasonalP ?? 2, Math.floor(n / 3 / m)) : 0;
  const maxSQ = m > 1 ? Math.min(options.maxSeasonalQ ?? 2, Math.floor(n / 3 / m)) : 0;
  const nmodels = options.maxModels ?? 94;

  const D = m > 1 && n > 2 * m ? nsdiffs(y, m) : 0;
  const dx = difference(y, 0, D, m);
  const d = ndiffs(dx);
  if (m > 1) {
    if (maxSP > 0) maxP = Math.min(maxP, m - 1);
    if (maxSQ > 0) maxQ = Math.min(maxQ, m - 1);
  }
  const approximation = n > 150 || m > 12;
  const method: ArimaMethod = approximation ? 'CSS' : 'CSS-ML';
  // R's `truncate`: an approximated search looks at the latest points only; the winner is refitted on all
  const window = approximation && n > searchWindow(m) ? y.subarray(n - searchWindow(m)) : y;
  const allowConstant = d + D <= 1;

  const tried = new Map<string, ArimaFit | undefined>();
  const key = (p: number, q: number, P: number, Q: number, c: boolean) => `${p},${q},${P},${Q},${c}`;
  const score = (f: ArimaFit | undefined) => (f === undefined ? Number.POSITIVE_INFINITY : f.aicc);
  /** Fits an order: on the search window while searching (cached), on the whole series for the final fits. */
  const tryOrder = (p: number, q: number, P: number, Q: number, c: boolean, how = method, final = false): ArimaFit | undefined => {
    const k = key(p, q, P, Q, c);
    const searching = !final && how === method;
    if (searching && tried.has(k)) return tried.get(k);
    const order: ArimaOrder = { p, d, q, P, D, Q, m, constant: c };
    const fit = acceptable(fitArima(searching ? window : y, order, how));
    if (searching) tried.set(k, fit);
    return fit;
  };

  let constant = allowConstant;
  const start = n < 10 ? { p: 1, q: 1, P: 0, Q: 0 } : { p: 2, q: 2, P: 1, Q: 1 };
  let p = Math.min(start.p, maxP);
  let q = Math.min(start.q, maxQ);
  let P = Math.min(start.P, maxSP);
  let Q = Math.min(start.Q, maxSQ);
  let best = tryOrder(p, q, P, Q, constant);
  const consider = (np: number, nq: number, nP: number, nQ: number, c: boolean): boolean => {
    const fit = tryOrder(np, nq, nP, nQ, c);
    if (score(fit) < score(best)) {
      best = fit;
      [p, q, P, Q, constant] = [np, nq, nP, nQ, c];
      return true;
    }
    return false;
  };
  consider(0, 0, 0, 0, constant);
  if (maxP > 0 || maxSP > 0) consider(maxP > 0 ? 1 : 0, 0, m > 1 && maxSP > 0 ? 1 : 0, 0, constant);
  if (maxQ > 0 || maxSQ > 0) consider(0, maxQ > 0 ? 1 : 0, 0, m > 1 && maxSQ > 0 ? 1 : 0, constant);
  if (constant) {
    // R compares the no-constant white noise but keeps `constant` for the walk
    const fit = tryOrder(0, 0, 0, 0, false);
    if (score(fit) < score(best)) {
      best = fit;
      [p, q, P, Q] = [0, 0, 0, 0];
    }
  }

  const isNew = (np: number, nq: number, nP: number, nQ: number, c: boolean) => !tried.has(key(np, nq, nP, nQ, c));
  let improved = true;
  while (improved && tried.size < nmodels) {
    improved = false;
    const moves: [number, number, number, number, boolean][] = [
      [p, q, P - 1, Q, constant],
      [p, q, P, Q - 1, constant],
      [p, q, P + 1, Q, constant],
      [p, q, P, Q + 1, constant],
      [p, q, P - 1, Q - 1, constant],
      [p, q, P - 1, Q + 1, constant],
      [p, q, P + 1, Q - 1, constant],
      [p, q, P + 1, Q + 1, constant],
      [p - 1, q, P, Q, constant],
      [p, q - 1, P, Q, constant],
      [p + 1, q, P, Q, constant],
      [p, q + 1, P, Q, constant],
      [p - 1, q - 1, P, Q, constant],
      [p - 1, q + 1, P, Q, constant],
      [p + 1, q - 1, P, Q, constant],
      [p + 1, q + 1, P, Q, constant],
    ];
    if (allowConstant) moves.push([p, q, P, Q, !constant]);
    for (const [np, nq, nP, nQ, c] of moves) {
      if (np < 0 || nq < 0 || nP < 0 || nQ < 0 || np > maxP || nq > maxQ || nP > maxSP || nQ > maxSQ) continue;
      if (!isNew(np, nq, nP, nQ, c)) continue;
      if (tried.size >= nmodels) break;
      if (consider(np, nq, nP, nQ, c)) {
        improved = true;
        break;
      }
    }
  }

  if (approximation) {
    // refit the CSS winner by exact likelihood. R then falls back to a full exact search when the refit is
    // rejected (typically a seasonal MA driven to −1 by a deterministic cycle); that costs seconds per
    // series, so we keep the CSS winner as it is when its refit is rejected.
    const ranked = [...tried.values()].filter((f) => f !== undefined).sort((a, b) => score(a) - score(b));
    for (const f of ranked.slice(0, ML_REFITS)) {
      const o = f!.order;
      const refit = tryOrder(o.p, o.q, o.P, o.Q, o.constant, 'CSS-ML');
      if (refit !== undefined) return refit;
    }
    if (best !== undefined && window !== y) {
      const o = best.order;
      best = tryOrder(o.p, o.q, o.P, o.Q, o.constant, 'CSS', true) ?? best;
    }
  }
  if (best === undefined) {
    // nothing fitted: white noise around the mean (or a random walk) always exists
    const fallback = fitArima(y, { p: 0, d, q: 0, P: 0, D, Q: 0, m, constant: allowConstant }, 'CSS');
    if (fallback === undefined) throw new ModelError('auto_arima', `no ARIMA order could be fitted to ${n} points`);
    return fallback;
  }
  return best;
}

/** R's auto.arima check: no AR or MA root within 1.01 of the unit circle, finite AICc. */
function acceptable(fit: ArimaFit | undefined): ArimaFit | undefined {
  if (fit === undefined || !Number.isFinite(fit.aicc)) return undefined;
  const m = fit.order.m;
  const phi = multiplySeasonalAr(fit.ar, fit.sar, m);
  const theta = multiplySeasonalMa(fit.ma, fit.sma, m);
  if (!rootsOutside(phi, 1.01)) return undefined;
  if (!rootsOutside(Float64Array.from(theta, (v) => -v), 1.01)) return undefined;
  return fit;
}

/** R-style name of a fitted order, e.g. "ARIMA(2,1,1)(0,1,0)[12] with drift". */
export function arimaName(o: ArimaOrder): string {
  const seasonal = o.m > 1 && o.P + o.D + o.Q > 0 ? `(${o.P},${o.D},${o.Q})[${o.m}]` : '';
  const diffs = o.d + o.D;
  const suffix = !o.constant ? (diffs === 0 ? ' with zero mean' : '') : diffs === 0 ? ' with non-zero mean' : diffs === 1 ? ' with drift' : '';
  return `ARIMA(${o.p},${o.d},${o.q})${seasonal}${suffix}`;
}

/**
 * auto_arima: automatic ARIMA (Hyndman–Khandakar stepwise search, R's
 * auto.arima defaults) with intervals from the ψ-weights of the selected
 * model. Choose it for series whose short-term autocorrelation carries
 * information (load that persists, mean reversion) that smoothing models
 * miss; it is one of the three members of the robust combination.
 */
export const autoArima: Model = {
  alias: 'auto_arima',
  minLength: () => MIN_POINTS,
  fit(y: Float64Array, ctx: FitContext): FittedModel {
    const n = y.length;
    if (n < MIN_POINTS) throw new ModelError('auto_arima', `needs at least ${MIN_POINTS} points, series has ${n}`);
    if (isConstant(y)) return constantFit(y);
    const m = arimaPeriod(ctx, n);
    const fit = autoArimaFit(y, m);
    const o = fit.order;
    return {
      alias: 'auto_arima',
      fitted: fit.fitted,
      params: {
        order: [o.p, o.d, o.q, o.P, o.D, o.Q, o.m],
        model: arimaName(o),
        method: fit.method,
        ar: Array.from(fit.ar),
        ma: Array.from(fit.ma),
        sar: Array.from(fit.sar),
        sma: Array.from(fit.sma),
        mean: fit.mean,
        sigma2: fit.sigma2Unbiased,
        aicc: fit.aicc,
      },
      predict(h: number, levels: readonly number[]): Forecast {
        checkedHorizon(h);
        const { mean, sd } = fit.forecast(h);
        return symmetricForecast(mean, sd, levels);
      },
    };
  },
};

/** The fewest points: enough for a differenced series with a couple of residual degrees of freedom. */
const MIN_POINTS = 8;

/** A constant series: R fits ARIMA(0,0,0) with the mean fixed, so the forecast is the constant with no spread. */
function constantFit(y: Float64Array): FittedModel {
  const c = y[0];
  return {
    alias: 'auto_arima',
    fitted: new Float64Array(y.length).fill(c),
    params: { order: [0, 0, 0, 0, 0, 0, 1], model: 'ARIMA(0,0,0) with non-zero mean', mean: c, sigma2: 0 },
    predict(h: number, levels: readonly number[]): Forecast {
      checkedHorizon(h);
      return symmetricForecast(new Float64Array(h).fill(c), new Float64Array(h), levels);
    },
  };
}
