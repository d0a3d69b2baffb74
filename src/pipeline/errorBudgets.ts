import { budgetExhaustion, budgetStatus, type SloCounts } from '../forecast/errorBudget.js';
import { forecastSeries } from '../forecast/forecastSeries.js';
import type { SloConfig } from '../plan/Planning.js';
import { sloResourceName } from '../plan/sloResources.js';
import type { ErrorBudgetRecord } from '../store/ForecastRecord.js';
import type { Store } from '../store/Store.js';
import { DAY } from '../time/constants.js';


/**
 * Error budgets of the plan's SLOs from their stored counts (resource = SLO
 * name; metrics `errors` or `good`, and `total`): budget left and burn-rate
 * alerts now, and when the budget runs out, found by forecasting hourly
 * errors and requests and replaying the rolling window.
 */
export async function errorBudgets(store: Store, slos: readonly SloConfig[], horizonMs: number): Promise<ErrorBudgetRecord[]> {
  const out: ErrorBudgetRecord[] = [];
  for (const slo of slos) {
    // Demo SLOs are stored under the SLO's name by metric; pulled ones as one resource per query (`name:errors`).
    const series = await store.listSeries({ resource: slo.name });
    const pulled = async (metric: 'errors' | 'good' | 'total') => (await store.listSeries({ resource: sloResourceName(slo.name, metric) }))[0];
    const byMetric = new Map<string, (typeof series)[number] | undefined>();
    for (const metric of ['errors', 'good', 'total'] as const) byMetric.set(metric, series.find((s) => s.metric === metric) ?? (await pulled(metric)));
    const find = (metric: string) => byMetric.get(metric);
    const total = find('total');
    const errorsRow = find('errors');
    const good = find('good');
    if (!total || (!errorsRow && !good)) continue;
    const t = await store.readSamples(total.seriesId);
    const e = errorsRow ? await store.readSamples(errorsRow.seriesId) : null;
    const g = good ? await store.readSamples(good.seriesId) : null;
    const counts = align(t.timestamps, t.values, e, g);
    if (counts.timestamps.length < 2) continue;
    const asOf = counts.timestamps[counts.timestamps.length - 1];
    const status = budgetStatus(counts, slo.objective, slo.windowMs, asOf);
    const daily = toDaily(counts);
    const f = forecastCounts(daily, horizonMs);
    const ex = budgetExhaustion(daily, f, slo.objective, slo.windowMs);
    out.push({
      slo: slo.name, objective: slo.objective, windowMs: slo.windowMs, asOfMs: asOf,
      remaining: status.remaining, errorRatio: status.errorRatio, alerts: status.alerts,
      status: ex.status, p10: ex.p10, p50: ex.p50, p90: ex.p90,
    });
  }
  return out;
}

/** Pairs totals with errors (or total − good) at the timestamps both have. */
function align(ts: Float64Array, totals: Float64Array, errors: { timestamps: Float64Array; values: Float64Array } | null, good: { timestamps: Float64Array; values: Float64Array } | null): SloCounts {
  const other = (errors ?? good) as { timestamps: Float64Array; values: Float64Array };
  const byTime = new Map<number, number>();
  other.timestamps.forEach((t, i) => byTime.set(t, other.values[i]));
  const T: number[] = [];
  const E: number[] = [];
  const N: number[] = [];
  ts.forEach((t, i) => {
    const v = byTime.get(t);
    if (v === undefined) return;
    T.push(t);
    N.push(totals[i]);
    E.push(errors ? v : Math.max(0, totals[i] - v));
  });
  return { timestamps: Float64Array.from(T), errors: Float64Array.from(E), totals: Float64Array.from(N) };
}

/**
 * Sums counts per day (stamped at the day's end): the budget moves by days,
 * and a band on daily counts does not compound hourly noise over a 30-day
 * window the way hourly bands would (their edges are not reached every hour at once).
 */
function toDaily(c: SloCounts): SloCounts {
  const T: number[] = [];
  const E: number[] = [];
  const N: number[] = [];
  for (let i = 0; i < c.timestamps.length; i++) {
    const h = Math.ceil(c.timestamps[i] / DAY) * DAY;
    if (T.length === 0 || T[T.length - 1] !== h) {
      T.push(h);
      E.push(0);
      N.push(0);
    }
    E[E.length - 1] += c.errors[i];
    N[N.length - 1] += c.totals[i];
  }
  // A partial last day (data up to 09:30) would read as a sudden calm: leave it out.
  const step = c.timestamps.length > 1 ? c.timestamps[1] - c.timestamps[0] : DAY;
  const lastDayStart = T[T.length - 1] - DAY;
  const inLastDay = c.timestamps.filter((t) => t > lastDayStart).length;
  const keep = inLastDay * step >= 0.9 * DAY ? T.length : T.length - 1;
  return { timestamps: Float64Array.from(T.slice(0, keep)), errors: Float64Array.from(E.slice(0, keep)), totals: Float64Array.from(N.slice(0, keep)) };
}

/** Forecasts daily errors (with its 80% band) and requests; counts never go below zero. */
function forecastCounts(h: SloCounts, horizonMs: number) {
  const options = { horizonMs, aggregation: 'raw' as const, levels: [0.8] };
  const fe = forecastSeries({ id: 'errors', timestamps: h.timestamps, values: h.errors }, options);
  const ft = forecastSeries({ id: 'total', timestamps: h.timestamps, values: h.totals }, options);
  const band = fe.intervals.find((i) => i.level === 0.8) ?? fe.intervals[0];
  const pos = (a: Float64Array) => a.map((v) => Math.max(0, v));
  const n = Math.min(fe.point.length, ft.point.length);
  return {
    timestamps: fe.timestamps.slice(0, n),
    errors: pos(fe.point.slice(0, n)),
    errorsLow: pos(band.lower.slice(0, n)),
    errorsHigh: pos(band.upper.slice(0, n)),
    totals: pos(ft.point.slice(0, n)),
  };
}
