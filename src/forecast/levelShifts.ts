/** A sustained jump in level (a migration, a cleanup), found in the history. */
export interface LevelShift {
  /** Index of the first point at the new level. */
  readonly index: number;
  /** New level minus old, trend removed. */
  readonly size: number;
}

/**
 * Finds sustained level shifts: a one-step difference far outside the
 * series' usual steps (more than 8 robust standard deviations from their
 * median, so trends and ordinary noise never qualify) whose new level holds
 * over the following `window` steps (so a one-day spike does not qualify).
 * Windows span whole weeks (or whole periods) so seasonality cancels out.
 */
export function detectLevelShifts(y: Float64Array, period = 1): LevelShift[] {
  const n = y.length;
  const window = Math.max(14, 2 * period);
  if (n < 3 * window) return [];
  const d = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) d[i - 1] = y[i] - y[i - 1];
  // The trend per step from differences a whole cycle apart: within a sawtooth (a weekly garbage
  // collection) the typical one-step difference is the ramp, not the trend, and would make every
  // reset look like a sustained drop.
  const seasonalD = new Float64Array(n - period);
  for (let i = period; i < n; i++) seasonalD[i - period] = (y[i] - y[i - period]) / period;
  const slope = seasonalD.sort()[Math.floor(seasonalD.length / 2)];
  const dev = Float64Array.from(d, (v) => Math.abs(v - slope)).sort();
  const sigma = 1.4826 * dev[Math.floor(dev.length / 2)];
  if (!(sigma > 0)) return [];
  const shifts: LevelShift[] = [];
  for (let i = window; i <= n - window; i++) {
    const jump = d[i - 1] - slope;
    if (Math.abs(jump) < 8 * sigma) continue;
    const before = medianOf(y, i - window, i, slope, i);
    const after = medianOf(y, i, i + window, slope, i);
    const sustained = after - before;
    if (Math.sign(sustained) === Math.sign(jump) && Math.abs(sustained) >= 0.5 * Math.abs(jump) && Math.abs(sustained) >= 6 * sigma) {
      shifts.push({ index: i, size: sustained });
      i += window - 1; // one shift per window
    }
  }
  return shifts;
}

/**
 * Removes the shifts from the history: every point before a shift moves by
 * its size, so models see one continuous regime at today's level and a step
 * does not bend the trend.
 */
export function removeLevelShifts(y: Float64Array, shifts: readonly LevelShift[]): Float64Array {
  const out = y.slice();
  for (const s of shifts) for (let i = 0; i < s.index; i++) out[i] += s.size;
  return out;
}

/** Median of y[from..to) with the trend `slope` per step removed (relative to `origin`). */
function medianOf(y: Float64Array, from: number, to: number, slope: number, origin: number): number {
  const v = new Float64Array(to - from);
  for (let i = from; i < to; i++) v[i - from] = y[i] - slope * (i - origin);
  v.sort();
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
