import { ModelError } from '../errors.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { etsSeason } from './etsAdd.js';
import { fitHoltWinters } from './holtWinters.js';

/**
 * ets_mul: Holt–Winters with damped trend and multiplicative seasonality
 * (ETS(M,Ad,M)), α/β/γ/φ fitted by SSE. Choose it when the daily swing grows
 * in proportion to the level (traffic that doubles at peak as the user base
 * grows); intervals scale with the forecast level too. Only defined for
 * strictly positive data.
 */
export const etsMul: Model = {
  alias: 'ets_mul',
  minLength(ctx: FitContext): number {
    const m = etsSeason(ctx);
    return m === undefined ? Number.POSITIVE_INFINITY : 2 * m;
  },
  fit(y: Float64Array, ctx: FitContext): FittedModel {
    const m = etsSeason(ctx);
    if (m === undefined) throw new ModelError('ets_mul', 'no seasonal period of at least 2 steps is known; use damped');
    if (y.length < 2 * m) {
      throw new ModelError('ets_mul', `needs two seasons (${2 * m} points at period ${m}), series has ${y.length}`);
    }
    for (let i = 0; i < y.length; i++) {
      if (!(y[i] > 0)) {
        throw new ModelError('ets_mul', `multiplicative seasonality needs positive values; point ${i} is ${y[i]} (use ets_add)`);
      }
    }
    return fitHoltWinters('ets_mul', y, 'multiplicative', m);
  },
};
