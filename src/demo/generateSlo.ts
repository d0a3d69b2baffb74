import { Prng } from './prng.js';
import { DAY, HOUR } from '../time/constants.js';

const MIN5 = 300_000;

/** One demo SLO: request and error counts per 5 minutes, and what it is meant to show. */
export interface DemoSlo {
  readonly name: string;
  readonly objective: number;
  readonly description: string;
  readonly timestamps: Float64Array;
  readonly errors: Float64Array;
  readonly totals: Float64Array;
}

/**
 * Two services' request and error counts per 5 minutes over the last 35
 * days: `checkout-availability` (99.9%) had an incident 12 days ago that
 * spent most of its budget and is calm since; `search-availability`
 * (99.5%) has burned at about 1.3× its budget for two weeks, so its budget
 * runs out within the window and a ticket-level burn-rate alert fires.
 */
export function generateSlos(options: { endMs: number; seed?: number; days?: number }): DemoSlo[] {
  const end = Math.floor(options.endMs / MIN5) * MIN5;
  const n = ((options.days ?? 35) * DAY) / MIN5;
  const rng = new Prng((options.seed ?? 42) + 1000);
  const timestamps = Float64Array.from({ length: n }, (_, i) => end - (n - 1 - i) * MIN5);
  const load = (t: number, peak: number) => peak * (0.35 + 0.65 * 0.5 * (1 + Math.cos((2 * Math.PI * ((t % DAY) / HOUR - 15)) / 24)));
  const counts = (peak: number, ratio: (t: number) => number) => {
    const totals = new Float64Array(n);
    const errors = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t = timestamps[i];
      totals[i] = Math.max(0, Math.round(load(t, peak) * (1 + 0.05 * rng.normal())));
      errors[i] = Math.max(0, Math.round(totals[i] * ratio(t) * Math.max(0, 1 + 0.5 * rng.normal())));
    }
    return { totals, errors };
  };
  const incidentStart = end - 12 * DAY;
  const checkout = counts(3000, (t) => (t >= incidentStart && t < incidentStart + 3 * HOUR ? 0.12 : 0.0002));
  const search = counts(5000, (t) => (t >= end - 14 * DAY ? 0.0065 : 0.002));
  return [
    { name: 'checkout-availability', objective: 0.999, description: 'Checkout: a 3-hour incident 12 days ago spent most of the budget; calm since, so it lasts as the incident ages out.', timestamps, ...checkout },
    { name: 'search-availability', objective: 0.995, description: 'Search: burning at about 1.3× its budget for two weeks.', timestamps, ...search },
  ];
}
