import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { intervalAt } from '../../src/models/Forecast.js';
import { ses } from '../../src/models/ses.js';

/** R 4.2 / forecast 8.20: ses(y, h = 10, level = c(80, 95)) (fixtures/make-fixtures.R). */
const ref = JSON.parse(readFileSync(new URL('./fixtures/ses.json', import.meta.url), 'utf8'));
const data = JSON.parse(readFileSync(new URL('./fixtures/arima.json', import.meta.url), 'utf8')).series;

describe('ses matches R ses()', () => {
  it.each(Object.keys(ref.ses))('%s: level and 80/95 percent intervals', (name) => {
    const r = ref.ses[name];
    const f = ses.fit(Float64Array.from(data[name] as number[]), { periods: [], stepMs: 1 }).predict(10, [0.8, 0.95]);
    const scale = Math.abs(r.mean[0]);
    for (let k = 0; k < 10; k++) {
      expect(Math.abs(f.point[k] - r.mean[k]) / scale).toBeLessThan(1e-3);
      const half = f.point[k] - intervalAt(f, 0.95)!.lower[k];
      expect(Math.abs(half - (r.mean[k] - r.lower95[k])) / (r.mean[k] - r.lower95[k])).toBeLessThan(0.01);
    }
  });

  it('refuses fewer than 3 points', () => {
    expect(() => ses.fit(new Float64Array([1, 2]), { periods: [], stepMs: 1 })).toThrow(ModelError);
  });
});
