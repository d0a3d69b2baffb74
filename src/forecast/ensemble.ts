import type { Forecast } from '../models/Forecast.js';
import type { Model } from '../models/Model.js';
import type { BacktestWindow } from './backtest.js';

/**
 * The equal-weight average of several models: point and interval edges are
 * averaged. Averaging the few best models is a well-worn way to cut the
 * variance of model selection (the "forecast combination puzzle").
 */
export function ensembleModel(members: readonly Model[]): Model {
  const alias = `ensemble(${members.map((m) => m.alias).join('+')})`;
  return {
    alias,
    minLength: (ctx) => Math.max(...members.map((m) => m.minLength(ctx))),
    fit(y, ctx) {
      const fits = members.map((m) => m.fit(y, ctx));
      const fitted = new Float64Array(y.length);
      for (let i = 0; i < y.length; i++) fitted[i] = fits.reduce((s, f) => s + f.fitted[i], 0) / fits.length;
      return {
        alias,
        fitted,
        params: Object.fromEntries(fits.map((f) => [f.alias, JSON.stringify(f.params)])),
        predict(h, levels): Forecast {
          const fs = fits.map((f) => f.predict(h, levels));
          const avg = (pick: (f: Forecast) => Float64Array) => {
            const out = new Float64Array(h);
            for (const f of fs) {
              const a = pick(f);
              for (let k = 0; k < h; k++) out[k] += a[k] / fs.length;
            }
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
export function ensembleWindows(members: readonly (readonly BacktestWindow[])[]): BacktestWindow[] {
  return members[0].map((w0, j) => {
    const point = new Float64Array(w0.point.length);
    const width = new Float64Array(w0.point.length);
    for (const ws of members) {
      for (let k = 0; k < point.length; k++) {
        point[k] += ws[j].point[k] / members.length;
        width[k] += ws[j].width[k] / members.length;
      }
    }
    return { ...w0, point, width };
  });
}

