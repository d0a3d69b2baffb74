import type { Model } from './Model.js';
import { autoArima } from './autoArima.js';
import { comboMedian } from './combination.js';
import { damped } from './damped.js';
import { dotm } from './dotm.js';
import { drift } from './drift.js';
import { etsAdd } from './etsAdd.js';
import { etsMul } from './etsMul.js';
import { fourier } from './fourier.js';
import { linear } from './linear.js';
import { logistic } from './logistic.js';
import { mstlArima, mstlEts, mstlTheta, stlEts } from './mstlEts.js';
import { naive } from './naive.js';
import { piecewise } from './piecewise.js';
import { predictLinear1d, predictLinear30d, predictLinear7d } from './predictLinear.js';
import { seasonalNaive } from './seasonalNaive.js';
import { ses } from './ses.js';
import { theilSen } from './theilSen.js';
import { theta } from './theta.js';

/** Every model capplan can select from, by unique alias. */
export const MODELS: readonly Model[] = [
  naive,
  linear,
  fourier,
  seasonalNaive,
  drift,
  theilSen,
  predictLinear1d,
  predictLinear7d,
  predictLinear30d,
  damped,
  etsAdd,
  etsMul,
  piecewise,
  logistic,
  autoArima,
  theta,
  dotm,
  mstlEts,
  stlEts,
  mstlArima,
  mstlTheta,
  ses,
  comboMedian,
];

/** Looks a model up by alias; undefined when there is none. */
export function findModel(alias: string): Model | undefined {
  return MODELS.find((m) => m.alias === alias);
}
