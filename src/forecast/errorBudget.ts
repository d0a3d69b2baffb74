/** The SRE workbook's multi-window, multi-burn-rate alerts for a 30-day SLO. */
export const BURN_RATE_ALERTS = [
  { severity: 'page', longMs: 3_600_000, shortMs: 300_000, factor: 14.4 },
  { severity: 'page', longMs: 6 * 3_600_000, shortMs: 1_800_000, factor: 6 },
  { severity: 'ticket', longMs: 86_400_000, shortMs: 2 * 3_600_000, factor: 3 },
  { severity: 'ticket', longMs: 3 * 86_400_000, shortMs: 6 * 3_600_000, factor: 1 },
] as const;

/** Request and error counts per step (e.g. increases over each 5 minutes). */
export interface SloCounts {
  readonly timestamps: Float64Array;
  readonly errors: Float64Array;
  readonly totals: Float64Array;
}

export interface BurnRateAlert {
  readonly severity: 'page' | 'ticket';
  readonly longMs: number;
  readonly shortMs: number;
  readonly factor: number;
  readonly longRate: number;
  readonly shortRate: number;
  /** Both windows burn faster than the factor. */
  readonly firing: boolean;
  /** The data's step is coarser than the short window: rates are over one step instead. */
  readonly coarse: boolean;
}

export interface BudgetStatus {
  /** Share of the window's error budget left (negative when overspent). */
  readonly remaining: number;
  readonly errorRatio: number;
  readonly alerts: readonly BurnRateAlert[];
}

/** Burn rate over (now − window, now]: the error ratio as a multiple of the budgeted ratio 1 − objective. */
export function burnRate(c: SloCounts, objective: number, nowMs: number, windowMs: number): number {
  let e = 0;
  let t = 0;
  for (let i = 0; i < c.timestamps.length; i++) {
    const ts = c.timestamps[i];
    if (ts > nowMs - windowMs && ts <= nowMs) {
      e += c.errors[i];
      t += c.totals[i];
    }
  }
  return t > 0 ? e / t / (1 - objective) : 0;
}

/** Budget left in the rolling window and the state of each burn-rate alert at `nowMs`. */
export function budgetStatus(c: SloCounts, objective: number, windowMs: number, nowMs: number): BudgetStatus {
  const step = c.timestamps.length > 1 ? c.timestamps[1] - c.timestamps[0] : windowMs;
  const windowRate = burnRate(c, objective, nowMs, windowMs);
  const alerts = BURN_RATE_ALERTS.map((a) => {
    const coarse = step > a.shortMs;
    const longRate = burnRate(c, objective, nowMs, Math.max(a.longMs, step));
    const shortRate = burnRate(c, objective, nowMs, Math.max(a.shortMs, step));
    return { ...a, longRate, shortRate, firing: longRate > a.factor && shortRate > a.factor, coarse };
  });
  return { remaining: 1 - windowRate, errorRatio: windowRate * (1 - objective), alerts };
}

/** Forecast error and request counts per future step, with the error band's edges. */
export interface SloForecast {
  readonly timestamps: Float64Array;
  readonly errors: Float64Array;
  readonly errorsLow: Float64Array;
  readonly errorsHigh: Float64Array;
  readonly totals: Float64Array;
}

export interface BudgetExhaustion {
  readonly status: 'past' | 'within' | 'beyond_horizon';
  readonly p10: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
}

/**
 * When the rolling window's budget runs out: replays the window over history
 * followed by forecast counts, so old errors age out as new ones arrive (a
 * straight line through "budget left" cannot know that). p10 uses the
 * error band's upper edge, p90 its lower.
 */
export function budgetExhaustion(history: SloCounts, f: SloForecast, objective: number, windowMs: number): BudgetExhaustion {
  const nowMs = history.timestamps[history.timestamps.length - 1];
  if (budgetStatus(history, objective, windowMs, nowMs).remaining <= 0) return { status: 'past', p10: null, p50: null, p90: null };
  const date = (errors: Float64Array) => {
    const ts = Float64Array.from([...history.timestamps, ...f.timestamps]);
    const es = Float64Array.from([...history.errors, ...errors]);
    const tot = Float64Array.from([...history.totals, ...f.totals]);
    // Sliding sums over (t − window, t].
    let from = 0;
    let e = 0;
    let t = 0;
    for (let i = 0; i < ts.length; i++) {
      e += es[i];
      t += tot[i];
      while (ts[from] <= ts[i] - windowMs) {
        e -= es[from];
        t -= tot[from];
        from++;
      }
      if (i >= history.timestamps.length && t > 0 && e / t / (1 - objective) >= 1) return ts[i];
    }
    return null;
  };
  const p50 = date(f.errors);
  return { status: p50 === null ? 'beyond_horizon' : 'within', p10: date(f.errorsHigh), p50, p90: date(f.errorsLow) };
}
