import type { Forecast } from '../models/Forecast.js';
import type { Model } from '../models/Model.js';
import type { BacktestWindow } from './backtest.js';

/**
 * The equal-weight average (or median) of several models: point and interval
 * edges are combined step by step. Averaging the few best models is a
 * well-worn way to cut the variance of model selection (the "forecast
 * combination puzzle"); the median of ETS, ARIMA and Theta is robust to one
 * member going astray and beats each of them in the M competitions. `name`
 * heads the alias (`ensemble(…)` for the best few, `mean(…)` and `median(…)`
 * for the family combinations), which is stored with every forecast.
 */
export function ensembleModel(
  members: readonly Model[],
  combine: 'mean' | 'median' = 'mean',
  name: string = combine === 'mean' ? 'ensemble' : 'median',
): Model & { readonly members: readonly Model[] } {
  const alias = `${name}(${members.map((m) => m.alias).join('+')})`;
  const pick = combine === 'mean' ? mean : median;
  return {
    alias,
    members,
    minLength: (ctx) => Math.max(...members.map((m) => m.minLength(ctx))),
    fit(y, ctx) {
      const fits = members.map((m) => m.fit(y, ctx));
      const fitted = new Float64Array(y.length);
      for (let i = 0; i < y.length; i++) fitted[i] = pick(fits.map((f) => f.fitted[i]));
      return {
        alias,
        fitted,
        params: Object.fromEntries(fits.map((f) => [f.alias, JSON.stringify(f.params)])),
        predict(h, levels): Forecast {
          const fs = fits.map((f) => f.predict(h, levels));
          const avg = (of: (f: Forecast) => Float64Array) => {
            const out = new Float64Array(h);
            for (let k = 0; k < h; k++) out[k] = pick(fs.map((f) => of(f)[k]));
            return out;
          };
          return {
            point: avg((f) => f.point),
            intervals: fs[0].intervals.map((iv, i) => ({ level: iv.level, lower: avg((f) => f.intervals[i].lower), upper: avg((f) => f.intervals[i].upper) })),
          };
        },
      };
    },
  };
}

/** The ensemble's backtest, from its members' windows (the same cuts): no refitting needed. */
export function ensembleWindows(members: readonly (readonly BacktestWindow[])[], combine: 'mean' | 'median' = 'mean'): BacktestWindow[] {
  const pick = combine === 'mean' ? mean : median;
  return members[0].map((w0, j) => {
    const point = new Float64Array(w0.point.length);
    const width = new Float64Array(w0.point.length);
    for (let k = 0; k < point.length; k++) {
      point[k] = pick(members.map((ws) => ws[j].point[k]));
      width[k] = pick(members.map((ws) => ws[j].width[k]));
    }
    return { ...w0, point, width };
  });
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** The middle value (mean of the middle two); NaN members are ignored unless all are NaN. */
function median(xs: readonly number[]): number {
  const v = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

