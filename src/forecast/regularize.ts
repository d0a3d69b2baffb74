import { DataError } from '../errors.js';
import { addSteps, inferStep, nominalMs, stepIndex, type Step } from './Step.js';

/** The largest grid capplan builds; beyond it the step is surely wrong (or the data far too fine). */
const MAX_GRID = 5_000_000;

/** A regular, gap-free series and what it took to make it so. */
export interface RegularSeries {
  readonly step: Step;
  /** Grid timestamps, one per step from the first to the last observation. */
  readonly timestamps: Float64Array;
  /** Values on the grid; missing steps linearly interpolated. */
  readonly values: Float64Array;
  /** 1 where the value was observed, 0 where interpolated. */
  readonly observed: Uint8Array;
  /** Finite observations used. */
  readonly n: number;
  /** Grid steps with no observation (filled by interpolation). */
  readonly missing: number;
  /** Runs of consecutive missing steps. */
  readonly gapCount: number;
  /** Input points dropped: NaN/infinite values and repeated timestamps. */
  readonly dropped: number;
}

/**
 * Turns raw samples (any order, repeats, NaN) into a regular series:
 * sorts, keeps the last value of a repeated timestamp, infers the step and
 * interpolates the gaps, counting them so the forecast can say what it stands on.
 */
export function regularize(timestampsIn: Float64Array, valuesIn: Float64Array, name = 'series'): RegularSeries {
  if (timestampsIn.length !== valuesIn.length) throw new DataError(`${name}: ${timestampsIn.length} timestamps but ${valuesIn.length} values`);
  const order = Array.from({ length: timestampsIn.length }, (_, i) => i).filter((i) => Number.isFinite(valuesIn[i]) && Number.isFinite(timestampsIn[i]));
  if (order.length === 0) throw new DataError(`${name}: no finite values (${timestampsIn.length} points, all empty or NaN)`);
  order.sort((a, b) => timestampsIn[a] - timestampsIn[b] || a - b);
  const ts: number[] = [];
  const vs: number[] = [];
  for (const i of order) {
    const t = timestampsIn[i];
    if (ts.length > 0 && ts[ts.length - 1] === t) vs[vs.length - 1] = valuesIn[i];
    else {
      ts.push(t);
      vs.push(valuesIn[i]);
    }
  }
  const dropped = timestampsIn.length - ts.length;
  if (ts.length < 3) throw new DataError(`${name}: needs at least 3 points with distinct timestamps to forecast, has ${ts.length}`);
  const times = Float64Array.from(ts);
  const step = inferStep(times);
  if (step.kind === 'fixed' && !(step.ms > 0)) throw new DataError(`${name}: cannot infer the interval between points`);
  const length = stepIndex(times[0], step, times[times.length - 1]) + 1;
  if (length > MAX_GRID) {
    throw new DataError(`${name}: ${length.toLocaleString('en-US')} steps of ${nominalMs(step) / 1000}s between first and last point; aggregate to a coarser interval first`);
  }
  const values = new Float64Array(length).fill(NaN);
  const observed = new Uint8Array(length);
  for (let i = 0; i < times.length; i++) {
    const k = stepIndex(times[0], step, times[i]);
    values[k] = vs[i];
    observed[k] = 1;
  }
  let missing = 0;
  let gapCount = 0;
  let prev = 0;
  for (let k = 1; k < length; k++) {
    if (observed[k]) {
      if (k - prev > 1) {
        gapCount++;
        missing += k - prev - 1;
        for (let j = prev + 1; j < k; j++) values[j] = values[prev] + ((values[k] - values[prev]) * (j - prev)) / (k - prev);
      }
      prev = k;
    }
  }
  const timestamps = new Float64Array(length);
  for (let k = 0; k < length; k++) timestamps[k] = addSteps(times[0], step, k);
  return { step, timestamps, values, observed, n: times.length, missing, gapCount, dropped };
}
