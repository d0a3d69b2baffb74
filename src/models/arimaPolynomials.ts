/**
 * Lag-polynomial helpers for ARIMA. Sign convention throughout: an AR
 * polynomial is 1 − Σ φ_i B^i and is stored as [φ_1, …, φ_p]; an MA
 * polynomial is 1 + Σ θ_j B^j stored as [θ_1, …, θ_q].
 */

/**
 * Maps unconstrained values to the coefficients of a stationary AR(p) via
 * partial autocorrelations tanh(u) and the Durbin–Levinson recursion (Jones
 * 1980, as R's arima does with transform.pars), so a likelihood search never
 * visits a non-stationary AR part.
 */
export function arFromPartials(u: ArrayLike<number>, out: Float64Array, offset = 0, p = out.length - offset): void {
  const work = new Float64Array(p);
  for (let j = 0; j < p; j++) work[j] = out[offset + j] = Math.tanh(u[j]);
  for (let j = 1; j < p; j++) {
    const a = out[offset + j];
    for (let k = 0; k < j; k++) work[k] -= a * out[offset + j - k - 1];
    for (let k = 0; k < j; k++) out[offset + k] = work[k];
  }
}

/**
 * Inverse of arFromPartials: the unconstrained values of AR coefficients, or
 * undefined when the AR part is not stationary (a partial reaches ±1).
 */
export function partialsFromAr(phi: ArrayLike<number>): Float64Array | undefined {
  const p = phi.length;
  const cur = Float64Array.from(phi);
  const work = new Float64Array(p);
  for (let j = p - 1; j > 0; j--) {
    const a = cur[j];
    if (!(Math.abs(a) < 1)) return undefined;
    for (let k = 0; k < j; k++) work[k] = (cur[k] + a * cur[j - k - 1]) / (1 - a * a);
    for (let k = 0; k < j; k++) cur[k] = work[k];
  }
  const u = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    if (!(Math.abs(cur[j]) < 1)) return undefined;
    u[j] = Math.atanh(cur[j]);
  }
  return u;
}

/**
 * True when every root of 1 − Σ φ_i z^i lies outside the circle of radius
 * `radius` (R's auto.arima rejects models with a root inside 1.01). Scaling
 * φ_i by radius^i maps that to the unit circle, where the Schur–Cohn
 * step-down recursion decides it without computing roots.
 */
export function rootsOutside(phi: ArrayLike<number>, radius = 1): boolean {
  let last = phi.length;
  while (last > 0 && Math.abs(phi[last - 1]) <= 1e-8) last--;
  if (last === 0) return true;
  const scaled = new Float64Array(last);
  let r = 1;
  for (let i = 0; i < last; i++) {
    r *= radius;
    scaled[i] = phi[i] * r;
  }
  return partialsFromAr(scaled) !== undefined;
}

/** Product of (1 − Σ a_i B^i)(1 − Σ b_i B^{s·i}) as AR coefficients. */
export function multiplySeasonalAr(a: ArrayLike<number>, b: ArrayLike<number>, s: number): Float64Array {
  const out = new Float64Array(a.length + s * b.length);
  for (let i = 0; i < a.length; i++) out[i] += a[i];
  for (let j = 0; j < b.length; j++) {
    out[s * (j + 1) - 1] += b[j];
    for (let i = 0; i < a.length; i++) out[s * (j + 1) + i] -= a[i] * b[j];
  }
  return out;
}

/** Product of (1 + Σ a_i B^i)(1 + Σ b_i B^{s·i}) as MA coefficients. */
export function multiplySeasonalMa(a: ArrayLike<number>, b: ArrayLike<number>, s: number): Float64Array {
  const out = new Float64Array(a.length + s * b.length);
  for (let i = 0; i < a.length; i++) out[i] += a[i];
  for (let j = 0; j < b.length; j++) {
    out[s * (j + 1) - 1] += b[j];
    for (let i = 0; i < a.length; i++) out[s * (j + 1) + i] += a[i] * b[j];
  }
  return out;
}

/** AR coefficients of the differencing operator (1 − B)^d (1 − B^s)^D. */
export function differencingPolynomial(d: number, seasonalD: number, s: number): Float64Array {
  // coefficients of the full polynomial c_0 = 1, c_1, …; AR form is −c_i
  let c = [1];
  const times = (f: number[]) => {
    const out = new Array<number>(c.length + f.length - 1).fill(0);
    for (let i = 0; i < c.length; i++) for (let j = 0; j < f.length; j++) out[i + j] += c[i] * f[j];
    c = out;
  };
  for (let i = 0; i < d; i++) times([1, -1]);
  const seasonalFactor = new Array<number>(s + 1).fill(0);
  seasonalFactor[0] = 1;
  seasonalFactor[s] = -1;
  for (let i = 0; i < seasonalD; i++) times(seasonalFactor);
  return Float64Array.from(c.slice(1), (v) => -v);
}

/** Applies (1 − B)^d (1 − B^s)^D: the result is shorter by d + D·s. */
export function difference(y: ArrayLike<number>, d: number, seasonalD: number, s: number): Float64Array {
  let cur = Float64Array.from(y);
  for (let i = 0; i < seasonalD; i++) {
    const next = new Float64Array(Math.max(0, cur.length - s));
    for (let t = 0; t < next.length; t++) next[t] = cur[t + s] - cur[t];
    cur = next;
  }
  for (let i = 0; i < d; i++) {
    const next = new Float64Array(Math.max(0, cur.length - 1));
    for (let t = 0; t < next.length; t++) next[t] = cur[t + 1] - cur[t];
    cur = next;
  }
  return cur;
}

/**
 * ψ-weights ψ_0 = 1, ψ_1, …, ψ_{h-1} of θ(B)/φ(B) (φ including any
 * differencing): the h-step forecast error variance is σ²·Σ_{j<h} ψ_j².
 */
export function psiWeights(phi: ArrayLike<number>, theta: ArrayLike<number>, h: number): Float64Array {
  const psi = new Float64Array(h);
  if (h === 0) return psi;
  psi[0] = 1;
  for (let j = 1; j < h; j++) {
    let v = j <= theta.length ? theta[j - 1] : 0;
    const top = Math.min(j, phi.length);
    for (let i = 1; i <= top; i++) v += phi[i - 1] * psi[j - i];
    psi[j] = v;
  }
  return psi;
}

/**
 * Complex roots of c_0 + c_1 z + … + c_k z^k (c_k ≠ 0) by the Durand–Kerner
 * iteration from fixed starting points: enough for the low-degree MA
 * polynomials of ARIMA, deterministic, no dependency.
 */
export function polynomialRoots(coefficients: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  const k = coefficients.length - 1;
  const lead = coefficients[k];
  const re = new Float64Array(k);
  const im = new Float64Array(k);
  // starting points on a circle of the Cauchy bound's order, off the real axis
  let bound = 0;
  for (let i = 0; i < k; i++) bound = Math.max(bound, Math.abs(coefficients[i] / lead));
  const radius = 1 + bound;
  for (let i = 0; i < k; i++) {
    const angle = (2 * Math.PI * i) / k + 0.4;
    re[i] = radius * Math.cos(angle);
    im[i] = radius * Math.sin(angle);
  }
  for (let iter = 0; iter < 500; iter++) {
    let change = 0;
    for (let i = 0; i < k; i++) {
      // p(z_i) by Horner, divided by lead·Π (z_i − z_j)
      let pr = coefficients[k] / lead;
      let pi = 0;
      for (let j = k - 1; j >= 0; j--) {
        const nr = pr * re[i] - pi * im[i] + coefficients[j] / lead;
        pi = pr * im[i] + pi * re[i];
        pr = nr;
      }
      let dr = 1;
      let di = 0;
      for (let j = 0; j < k; j++) {
        if (j === i) continue;
        const ar = re[i] - re[j];
        const ai = im[i] - im[j];
        const nr = dr * ar - di * ai;
        di = dr * ai + di * ar;
        dr = nr;
      }
      const den = dr * dr + di * di;
      if (den === 0) continue;
      const qr = (pr * dr + pi * di) / den;
      const qi = (pi * dr - pr * di) / den;
      re[i] -= qr;
      im[i] -= qi;
      change = Math.max(change, Math.hypot(qr, qi));
    }
    if (change < 1e-14) break;
  }
  return { re, im };
}

/**
 * Reflects the roots of the MA polynomial 1 + Σ θ_j z^j that lie inside the
 * unit circle to outside (R's arima does this to its CSS start before the
 * likelihood search): the same autocovariances, an invertible model.
 */
export function invertMa(theta: Float64Array): Float64Array {
  let q0 = theta.length;
  while (q0 > 0 && theta[q0 - 1] === 0) q0--;
  if (q0 === 0) return theta;
  const { re, im } = polynomialRoots([1, ...Array.from(theta.subarray(0, q0))]);
  let inside = false;
  for (let i = 0; i < q0; i++) if (Math.hypot(re[i], im[i]) < 1) inside = true;
  if (!inside) return theta;
  const out = new Float64Array(theta.length);
  if (q0 === 1) {
    out[0] = 1 / theta[0];
    return out;
  }
  for (let i = 0; i < q0; i++) {
    const mod2 = re[i] * re[i] + im[i] * im[i];
    if (mod2 < 1) {
      // 1/z = conj(z)/|z|²; the conjugate pairs stay pairs, so the product stays real
      re[i] /= mod2;
      im[i] = -im[i] / mod2;
    }
  }
  // rebuild Π (1 − z/r_i) as x_0 = 1, x ← (x,0) − (0,x)/r
  let xr = [1];
  let xi = [0];
  for (let i = 0; i < q0; i++) {
    const mod2 = re[i] * re[i] + im[i] * im[i];
    const ir = re[i] / mod2; // 1/r = conj(r)/|r|²
    const ii = -im[i] / mod2;
    const nr = new Array<number>(xr.length + 1).fill(0);
    const ni = new Array<number>(xr.length + 1).fill(0);
    for (let j = 0; j < xr.length; j++) {
      nr[j] += xr[j];
      ni[j] += xi[j];
      nr[j + 1] -= xr[j] * ir - xi[j] * ii;
      ni[j + 1] -= xr[j] * ii + xi[j] * ir;
    }
    xr = nr;
    xi = ni;
  }
  for (let j = 0; j < q0; j++) out[j] = xr[j + 1];
  return out;
}
