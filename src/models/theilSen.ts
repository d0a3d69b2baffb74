import { ModelError } from '../errors.js';
import type { Forecast } from './Forecast.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { checkedHorizon, symmetricForecast } from './intervals.js';
import { linePredictionSd, type LineFit } from './ols.js';
import { medianInPlace, studentTQuantile } from './stats.js';

/** Above this many points the pairwise slopes come from an evenly thinned subset. */
const MAX_POINTS = 2000;

/**
 * Scratch for the pairwise slopes, kept between fits: up to ~2M doubles
 * (16 MB) that would otherwise be allocated and collected for every series.
 * Safe because fits are synchronous; it holds no state between calls.
 */
let slopeScratch = new Float64Array(0);

/**
 * Theil–Sen: the line whose slope is the median of all pairwise slopes and
 * whose intercept is the median offset. Choose it over `linear` when the
 * history has spikes, outages or backfills: up to ~29% of arbitrary outliers
 * leave the slope untouched, where one huge spike tilts OLS.
 * ml-regression's TheilSenRegression allocates n² slots (10⁸ at 10k points),
 * hence this version: O(m²) with m = min(n, 2000) on an evenly thinned
 * subset that always keeps both ends, and quickselect medians.
 * Intervals reuse the OLS form (Student-t, leverage) with the residual sigma
 * around the robust line: Theil–Sen is ~91% as efficient as OLS under normal
 * noise, so the OLS leverage term is a close, slightly narrow approximation.
 */
export const theilSen: Model = {
  alias: 'theil_sen',
  minLength: () => 3,
  fit(y: Float64Array, _ctx: FitContext): FittedModel {
    const n = y.length;
    if (n < 3) throw new ModelError('theil_sen', `needs at least 3 points, series has ${n}`);
    const m = Math.min(n, MAX_POINTS);
    const idx = new Int32Array(m);
    for (let k = 0; k < m; k++) idx[k] = m === n ? k : Math.round((k * (n - 1)) / (m - 1));
    const pairs = (m * (m - 1)) / 2;
    if (slopeScratch.length < pairs) slopeScratch = new Float64Array(pairs);
    const s = slopeScratch;
    let c = 0;
    for (let a = 0; a < m; a++) {
      const ia = idx[a];
      const ya = y[ia];
      for (let b = a + 1; b < m; b++) s[c++] = (y[idx[b]] - ya) / (idx[b] - ia);
    }
    const slope = medianInPlace(s, c);
    const offsets = new Float64Array(n);
    for (let i = 0; i < n; i++) offsets[i] = y[i] - slope * i;
    const intercept = medianInPlace(offsets, n);
    const fitted = new Float64Array(n);
    let sse = 0;
    for (let i = 0; i < n; i++) {
      fitted[i] = intercept + slope * i;
      const e = y[i] - fitted[i];
      sse += e * e;
    }
    const sigma = Math.sqrt(sse / (n - 2));
    const line: LineFit = { n, intercept, slope, xbar: (n - 1) / 2, sxx: (n * (n * n - 1)) / 12, sse, sigma };
    const dof = n - 2;
    return {
      alias: 'theil_sen',
      fitted,
      params: { intercept, slope, sigma, pairsUsed: c },
      predict(h: number, levels: readonly number[]): Forecast {
        checkedHorizon(h);
        const point = new Float64Array(h);
        const sd = new Float64Array(h);
        for (let k = 0; k < h; k++) {
          point[k] = intercept + slope * (n + k);
          sd[k] = linePredictionSd(line, n + k);
        }
        return symmetricForecast(point, sd, levels, (p) => studentTQuantile(p, dof));
      },
    };
  },
};
