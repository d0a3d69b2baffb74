import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { dotm } from '../../src/models/dotm.js';
import { intervalAt } from '../../src/models/Forecast.js';

/**
 * forecTheta 3.0's dotm(y, h = 24, level = c(80, 95)) (fixtures/make-dotm.R sources its R code). Its intervals are
 * quantiles of 10,000 simulated paths, so they carry ~2% Monte Carlo noise; ours are the exact Gaussian ones.
 */
const ref = JSON.parse(readFileSync(new URL('./fixtures/dotm.json', import.meta.url), 'utf8'));

describe('dotm matches forecTheta::dotm', () => {
  it.each(Object.keys(ref.dotm))('%s: point forecasts, and interval widths within simulation noise', (name) => {
    const r = ref.dotm[name];
    const fm = dotm.fit(Float64Array.from(r.y as number[]), { periods: r.freq > 1 ? [r.freq] : [], stepMs: 1 });
    const f = fm.predict(24, [0.8, 0.95]);
    const scale = Math.max(...(r.mean as number[]).map(Math.abs));
    const i80 = intervalAt(f, 0.8)!;
    const i95 = intervalAt(f, 0.95)!;
    for (let k = 0; k < 24; k++) {
      expect(Math.abs(f.point[k] - r.mean[k]) / scale, `${name} mean[${k}]`).toBeLessThan(2e-3);
      expect(Math.abs((f.point[k] - i80.lower[k]) / (r.mean[k] - r.lower80[k]) - 1), `${name} lower80[${k}]`).toBeLessThan(0.06);
      expect(Math.abs((i95.upper[k] - f.point[k]) / (r.upper95[k] - r.mean[k]) - 1), `${name} upper95[${k}]`).toBeLessThan(0.06);
    }
    // ℓ0 and, on flat stretches, α are weakly identified: the forecasts agree even where they differ a little
    expect(Math.abs((fm.params.alpha as number) - r.par[1])).toBeLessThan(0.05);
  });

  it('refuses fewer than 5 points', () => {
    expect(() => dotm.fit(new Float64Array([1, 2, 3, 4]), { periods: [], stepMs: 1 })).toThrow(ModelError);
  });
});
