import { ModelError } from '../errors.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { fitHoltWinters } from './holtWinters.js';

/** Season length in whole steps from the first context period, or undefined. */
export function etsSeason(ctx: FitContext): number | undefined {
  const p = ctx.periods[0];
  if (p === undefined || !Number.isFinite(p)) return undefined;
  const m = Math.round(p);
  return m >= 2 ? m : undefined;
}

/**
 * ets_add: Holt–Winters with damped trend and additive seasonality
 * (ETS(A,Ad,A)), α/β/γ/φ fitted by SSE, season = the first of ctx.periods.
 * Choose it when the cycle's amplitude stays constant as the level grows
 * (request rates with a fixed daily swing); unlike `fourier` it lets the
 * seasonal shape and the level evolve over time.
 */
export const etsAdd: Model = {
  alias: 'ets_add',
  minLength(ctx: FitContext): number {
    const m = etsSeason(ctx);
    // the initial state is estimated from the first two seasons
    return m === undefined ? Number.POSITIVE_INFINITY : 2 * m;
  },
  fit(y: Float64Array, ctx: FitContext): FittedModel {
    const m = etsSeason(ctx);
    if (m === undefined) throw new ModelError('ets_add', 'no seasonal period of at least 2 steps is known; use damped');
    if (y.length < 2 * m) {
      throw new ModelError('ets_add', `needs two seasons (${2 * m} points at period ${m}), series has ${y.length}`);
    }
    return fitHoltWinters('ets_add', y, 'additive', m);
  },
};
