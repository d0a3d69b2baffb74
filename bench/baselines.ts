import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { predictLinear as predictLinearModel } from '../src/models/predictLinear.js';

const require = createRequire(import.meta.url);

/**
 * Prometheus's predict_linear over the last `windowMs` of an hourly series,
 * `h` hours ahead: the registry's own `predict_linear_*` model, the baseline
 * users compare against (no interval, no seasonality).
 */
export function predictLinear(y: Float64Array, windowMs: number, h: number): Float64Array {
  return predictLinearModel('bench', windowMs, 'bench').fit(y, { periods: [], stepMs: 3_600_000 }).predict(h, [0.8]).point;
}

type AugursForecast = { point: number[]; intervals?: { level: number; lower: number[]; upper: number[] } };
interface AugursModel {
  fit(y: Float64Array): void;
  predict(h: number, level?: number): AugursForecast;
  free(): void;
}
interface Augurs {
  mstlEts(periods: number[]): AugursModel;
  autoEts(seasonLength: number, spec: string): AugursModel;
}

let augurs: Augurs | null = null;

/** Grafana's augurs (WASM), initialised synchronously from the package's own .wasm files. */
export async function loadAugurs(): Promise<Augurs> {
  if (augurs) return augurs;
  const mstl = (await import('@bsull/augurs/mstl')) as unknown as { initSync: (m: { module: Buffer }) => void; MSTL: { ets(p: number[]): AugursModel } };
  const ets = (await import('@bsull/augurs/ets')) as unknown as { initSync: (m: { module: Buffer }) => void; AutoETS: new (s: number, spec: string) => AugursModel };
  // The package's exports map hides the .wasm files; they sit beside its entry point.
  const dir = dirname(require.resolve('@bsull/augurs'));
  mstl.initSync({ module: readFileSync(join(dir, 'mstl_bg.wasm')) });
  ets.initSync({ module: readFileSync(join(dir, 'ets_bg.wasm')) });
  augurs = { mstlEts: (p) => mstl.MSTL.ets(p), autoEts: (s, spec) => new ets.AutoETS(s, spec) };
  return augurs;
}
