import { ModelError } from '../errors.js';
import type { FitContext, FittedModel, Model } from './Model.js';
import { fitHoltWinters } from './holtWinters.js';

/**
 * Damped: Holt's linear trend with a damping factor φ ∈ [0.8, 0.98], all
 * smoothing parameters fitted by minimising one-step SSE. Choose it for
 * growth that adapts to recent changes of level and slope but should not be
 * extrapolated linearly for months: damped trend is among the most reliable
 * automatic methods in forecasting competitions (M3) for exactly that reason.
 */
export const damped: Model = {
  alias: 'damped',
  // five fitted quantities (α, β, φ, ℓ0, b0) plus one residual degree of freedom
  minLength: () => 6,
  fit(y: Float64Array, _ctx: FitContext): FittedModel {
    if (y.length < 6) throw new ModelError('damped', `needs at least 6 points, series has ${y.length}`);
    return fitHoltWinters('damped', y, 'none', 1);
  },
};
