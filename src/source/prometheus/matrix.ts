/** One series of a range query's matrix, decoded: ms timestamps and float values. */
export interface RangeSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/** A range query's result plus whatever the server warned about. */
export interface RangeResult {
  readonly series: readonly RangeSeries[];
  readonly warnings: readonly string[];
}

interface RawMatrixSeries {
  metric?: Record<string, string>;
  values?: [number, string][];
}

/** Prometheus writes special floats as `NaN`, `+Inf`, `-Inf`, which `Number` does not read. */
export function parseSampleValue(v: string): number {
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

/**
 * Decodes `data` of a query_range answer. Native-histogram samples
 * (`histograms`) are skipped: capacity planning needs floats.
 */
export function decodeMatrix(data: unknown): RangeSeries[] {
  const d = data as { resultType?: string; result?: RawMatrixSeries[] } | null;
  if (!d || d.resultType !== 'matrix' || !Array.isArray(d.result)) {
    throw new TypeError(`expected a matrix result, got ${d?.resultType ?? typeof data}`);
  }
  return d.result.map((s) => {
    const values = s.values ?? [];
    const ts = new Float64Array(values.length);
    const vs = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      // Timestamps are float seconds; round so 1700000000.123 becomes an exact ms.
      ts[i] = Math.round(values[i][0] * 1000);
      vs[i] = parseSampleValue(values[i][1]);
    }
    return { labels: s.metric ?? {}, timestamps: ts, values: vs };
  });
}

/** Joins per-window results into one series per label set, in window order. */
export function concatResults(parts: readonly RangeResult[]): RangeResult {
  const byKey = new Map<string, { labels: Readonly<Record<string, string>>; ts: Float64Array[]; vs: Float64Array[] }>();
  const warnings: string[] = [];
  for (const part of parts) {
    for (const w of part.warnings) if (!warnings.includes(w)) warnings.push(w);
    for (const s of part.series) {
      const key = labelKey(s.labels);
      let acc = byKey.get(key);
      if (!acc) byKey.set(key, (acc = { labels: s.labels, ts: [], vs: [] }));
      acc.ts.push(s.timestamps);
      acc.vs.push(s.values);
    }
  }
  return {
    series: [...byKey.values()].map((a) => ({ labels: a.labels, timestamps: concatArrays(a.ts), values: concatArrays(a.vs) })),
    warnings,
  };
}

export function labelKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function concatArrays(parts: readonly Float64Array[]): Float64Array {
  if (parts.length === 1) return parts[0];
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
