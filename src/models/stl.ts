/**
 * STL: seasonal-trend decomposition by loess (Cleveland, Cleveland, McRae &
 * Terpenning 1990), the non-robust variant R's `stl()` runs by default
 * (inner = 2 passes, outer = 0), including its "jump" speed-up: each loess
 * smoother is evaluated every `jump` points and linearly interpolated, which
 * is what R does, so our components match R's to rounding. Written from the
 * paper's description of the inner loop; one allocation of work arrays per
 * call, O(n·window/jump) per smoother.
 */
export interface StlOptions {
  /** Seasonal smoothing window (odd, ≥ 3). R's mstl uses 7 + 4·i for the i-th period. */
  readonly sWindow: number;
  /** Trend window; default the smallest odd ≥ 1.5·period / (1 − 1.5/sWindow), as R. */
  readonly tWindow?: number;
  /** Low-pass window; default the smallest odd ≥ period. */
  readonly lWindow?: number;
  /** Inner loop passes (R: 2 when not robust). */
  readonly inner?: number;
}

export interface StlResult {
  readonly seasonal: Float64Array;
  readonly trend: Float64Array;
  readonly remainder: Float64Array;
}

/** R's nextodd: rounds, then bumps an even number up by one. */
export function nextOdd(x: number): number {
  const r = Math.round(x);
  return r % 2 === 0 ? r + 1 : r;
}

/** Decomposes y (length > 2·period) into seasonal + trend + remainder. */
export function stl(y: Float64Array, period: number, options: StlOptions): StlResult {
  const n = y.length;
  const np = Math.max(2, Math.round(period));
  if (n <= 2 * np) throw new RangeError(`STL needs more than two periods (${2 * np} points), series has ${n}`);
  const oddAtLeast3 = (w: number) => {
    const v = Math.max(3, Math.round(w));
    return v % 2 === 0 ? v + 1 : v;
  };
  const ns = oddAtLeast3(options.sWindow);
  const nt = oddAtLeast3(options.tWindow ?? nextOdd(Math.ceil((1.5 * np) / (1 - 1.5 / options.sWindow))));
  const nl = oddAtLeast3(options.lWindow ?? nextOdd(np));
  // R passes the user's windows to the jumps before making them odd
  const sJump = Math.ceil(options.sWindow / 10);
  const tJump = Math.ceil((options.tWindow ?? nt) / 10);
  const lJump = Math.ceil((options.lWindow ?? nl) / 10);
  const inner = options.inner ?? 2;

  const trend = new Float64Array(n);
  const season = new Float64Array(n);
  const w1 = new Float64Array(n + 2 * np);
  const w2 = new Float64Array(n + 2 * np);
  const w3 = new Float64Array(n + 2 * np);
  const w4 = new Float64Array(n + 2 * np);
  const scratch = new Float64Array(n + 2 * np);
  const sub = new Float64Array(Math.ceil(n / np) + 2);
  const subSmooth = new Float64Array(Math.ceil(n / np) + 2);

  for (let pass = 0; pass < inner; pass++) {
    for (let i = 0; i < n; i++) w1[i] = y[i] - trend[i];
    // 1–2: smooth each cycle-subseries, extended one period at both ends, into w2 (length n + 2np)
    for (let j = 0; j < np; j++) {
      const k = Math.floor((n - 1 - j) / np) + 1;
      for (let i = 0; i < k; i++) sub[i] = w1[i * np + j];
      loessSmooth(sub, k, ns, 0, sJump, subSmooth.subarray(1), scratch);
      const right = Math.min(ns, k);
      const first = loessAt(sub, k, ns, 0, 0, 1, right, scratch);
      subSmooth[0] = Number.isNaN(first) ? subSmooth[1] : first;
      const left = Math.max(1, k - ns + 1);
      const last = loessAt(sub, k, ns, 0, k + 1, left, k, scratch);
      subSmooth[k + 1] = Number.isNaN(last) ? subSmooth[k] : last;
      for (let i = 0; i < k + 2; i++) w2[i * np + j] = subSmooth[i];
    }
    // 3: low-pass filter of the cycle-subseries: MA(np), MA(np), MA(3), loess
    movingAverage(w2, n + 2 * np, np, w3);
    movingAverage(w3, n + np + 1, np, w1);
    movingAverage(w1, n + 2, 3, w3);
    loessSmooth(w3, n, nl, 1, lJump, w1, scratch);
    // 4–6: detrended seasonal, deseasonalised series, trend smoothing
    for (let i = 0; i < n; i++) season[i] = w2[np + i] - w1[i];
    for (let i = 0; i < n; i++) w4[i] = y[i] - season[i];
    loessSmooth(w4, n, nt, 1, tJump, trend, scratch);
  }
  const remainder = new Float64Array(n);
  for (let i = 0; i < n; i++) remainder[i] = y[i] - season[i] - trend[i];
  return { seasonal: season, trend, remainder };
}

/** Moving average of width len over x[0..n): writes n - len + 1 values. */
function movingAverage(x: Float64Array, n: number, len: number, out: Float64Array): void {
  const m = n - len + 1;
  let v = 0;
  for (let i = 0; i < len; i++) v += x[i];
  out[0] = v / len;
  for (let j = 1; j < m; j++) {
    v += x[j + len - 1] - x[j - 1];
    out[j] = v / len;
  }
}

/**
 * Local (degree 0 or 1) tricube-weighted fit at position xs (1-based, as in
 * the paper) from the points nleft..nright (1-based, inclusive). NaN when all
 * weights vanish.
 */
function loessAt(
  y: Float64Array,
  n: number,
  len: number,
  degree: number,
  xs: number,
  nleft: number,
  nright: number,
  w: Float64Array,
): number {
  const range = n - 1;
  let h = Math.max(xs - nleft, nright - xs);
  if (len > n) h += Math.floor((len - n) / 2);
  const h9 = 0.999 * h;
  const h1 = 0.001 * h;
  let a = 0;
  for (let j = nleft; j <= nright; j++) {
    const r = Math.abs(j - xs);
    let wj = 0;
    if (r <= h9) {
      if (r <= h1) wj = 1;
      else {
        const q = r / h;
        const c = 1 - q * q * q;
        wj = c * c * c;
      }
    }
    w[j - 1] = wj;
    a += wj;
  }
  if (a <= 0) return Number.NaN;
  for (let j = nleft; j <= nright; j++) w[j - 1] /= a;
  if (h > 0 && degree > 0) {
    let mean = 0;
    for (let j = nleft; j <= nright; j++) mean += w[j - 1] * j;
    let b = xs - mean;
    let c = 0;
    for (let j = nleft; j <= nright; j++) c += w[j - 1] * (j - mean) * (j - mean);
    if (Math.sqrt(c) > 0.001 * range) {
      b /= c;
      for (let j = nleft; j <= nright; j++) w[j - 1] *= b * (j - mean) + 1;
    }
  }
  let ys = 0;
  for (let j = nleft; j <= nright; j++) ys += w[j - 1] * y[j - 1];
  return ys;
}

/** Loess smoother of y[0..n) with window len, evaluated every `jump` points and interpolated. */
function loessSmooth(
  y: Float64Array,
  n: number,
  len: number,
  degree: number,
  jump: number,
  out: Float64Array,
  w: Float64Array,
): void {
  if (n < 2) {
    out[0] = y[0];
    return;
  }
  const nj = Math.min(jump, n - 1);
  const fit = (i: number, nleft: number, nright: number) => {
    const v = loessAt(y, n, len, degree, i, nleft, nright, w);
    out[i - 1] = Number.isNaN(v) ? y[i - 1] : v;
  };
  let nleft = 1;
  let nright = n;
  if (len >= n) {
    for (let i = 1; i <= n; i += nj) fit(i, nleft, nright);
  } else if (nj === 1) {
    const nsh = (len + 1) >> 1;
    nright = len;
    for (let i = 1; i <= n; i++) {
      if (i > nsh && nright !== n) {
        nleft++;
        nright++;
      }
      fit(i, nleft, nright);
    }
    return;
  } else {
    const nsh = (len + 1) >> 1;
    for (let i = 1; i <= n; i += nj) {
      if (i < nsh) {
        nleft = 1;
        nright = len;
      } else if (i >= n - nsh + 1) {
        nleft = n - len + 1;
        nright = n;
      } else {
        nleft = i - nsh + 1;
        nright = len + i - nsh;
      }
      fit(i, nleft, nright);
    }
  }
  if (nj === 1) return;
  for (let i = 1; i <= n - nj; i += nj) {
    const delta = (out[i + nj - 1] - out[i - 1]) / nj;
    for (let j = i + 1; j < i + nj; j++) out[j - 1] = out[i - 1] + delta * (j - i);
  }
  const k = Math.floor((n - 1) / nj) * nj + 1;
  if (k !== n) {
    fit(n, nleft, nright);
    if (k !== n - 1) {
      const delta = (out[n - 1] - out[k - 1]) / (n - k);
      for (let j = k + 1; j < n; j++) out[j - 1] = out[k - 1] + delta * (j - k);
    }
  }
}

export interface MstlResult {
  /** Periods actually decomposed (those below n/2), ascending. */
  readonly periods: number[];
  /** One seasonal component per period, same order. */
  readonly seasonals: Float64Array[];
  readonly trend: Float64Array;
  readonly remainder: Float64Array;
}

/**
 * MSTL (Bandara, Hyndman & Bergmeir 2021; R forecast::mstl defaults):
 * periods ascending, each removed in turn by STL with s.window 7 + 4·i,
 * iterated twice when there are several periods. Periods of n/2 or more are
 * dropped (they cannot be estimated). With no usable period, seasonals is
 * empty and the trend is the series itself.
 */
export function mstl(y: Float64Array, periods: readonly number[]): MstlResult {
  const n = y.length;
  const usable = [...new Set(periods.map((p) => Math.round(p)))].filter((p) => p >= 2 && p < n / 2).sort((a, b) => a - b);
  if (usable.length === 0) {
    return { periods: [], seasonals: [], trend: Float64Array.from(y), remainder: new Float64Array(n) };
  }
  const iterate = usable.length > 1 ? 2 : 1;
  const seasonals: Float64Array[] = usable.map(() => new Float64Array(n));
  const deseas = Float64Array.from(y);
  let trend: Float64Array = new Float64Array(n);
  for (let it = 0; it < iterate; it++) {
    for (let i = 0; i < usable.length; i++) {
      const s = seasonals[i];
      for (let t = 0; t < n; t++) deseas[t] += s[t];
      const fit = stl(deseas, usable[i], { sWindow: 7 + 4 * (i + 1) });
      seasonals[i] = fit.seasonal;
      trend = fit.trend;
      for (let t = 0; t < n; t++) deseas[t] -= fit.seasonal[t];
    }
  }
  const remainder = new Float64Array(n);
  for (let t = 0; t < n; t++) remainder[t] = deseas[t] - trend[t];
  return { periods: usable, seasonals, trend, remainder };
}

/**
 * Strength of each seasonal component, max(0, 1 − Var(R)/Var(R + S)), from
 * the MSTL fit (R forecast's seasonal heuristic; > 0.64 means "difference").
 */
export function seasonalStrength(fit: MstlResult): number[] {
  const v = (a: Float64Array) => {
    let m = 0;
    for (const x of a) m += x;
    m /= a.length;
    let s = 0;
    for (const x of a) s += (x - m) * (x - m);
    return s / Math.max(1, a.length - 1);
  };
  const vr = v(fit.remainder);
  return fit.seasonals.map((s) => {
    const sum = new Float64Array(s.length);
    for (let t = 0; t < s.length; t++) sum[t] = s[t] + fit.remainder[t];
    const vs = v(sum);
    return vs > 0 ? Math.max(0, Math.min(1, 1 - vr / vs)) : 0;
  });
}
