import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * Prometheus's predict_linear: least squares over the last `windowPoints`
 * samples, extrapolated. No interval, no seasonality: the baseline users compare against.
 */
export function predictLinear(y: Float64Array, windowPoints: number, h: number): Float64Array {
  const n = Math.min(windowPoints, y.length);
  const start = y.length - n;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const v = y[start + i];
    sx += i;
    sy += v;
    sxx += i * i;
    sxy += i * v;
  }
  const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  const intercept = (sy - slope * sx) / n;
  return Float64Array.from({ length: h }, (_, k) => intercept + slope * (n - 1 + k + 1));
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
