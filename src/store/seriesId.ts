import { createHash } from 'node:crypto';

/** Identifies a series: the resource it belongs to, its metric name and its labels. */
export interface SeriesKey {
  readonly resource: string;
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * A stable id for a series: the same resource, metric and label set always give
 * the same id, across runs, machines and label orderings (labels are sorted).
 */
export function seriesId(key: SeriesKey): string {
  const labels = Object.keys(key.labels)
    .sort()
    .map((k) => [wellFormed(k), wellFormed(key.labels[k])]);
  const canonical = JSON.stringify([key.resource, key.metric, labels]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** A readable name: `metric{a="1",b="2"}` in Prometheus notation, labels sorted. */
export function seriesDisplayName(key: SeriesKey): string {
  const labels = Object.keys(key.labels)
    .sort()
    .map((k) => `${wellFormed(k)}=${JSON.stringify(wellFormed(key.labels[k]))}`)
    .join(',');
  return labels ? `${key.metric}{${labels}}` : key.metric;
}

/**
 * Replaces lone UTF-16 surrogates (a label decoded from JSON `"\ud800"`) with
 * U+FFFD: DuckDB stores UTF-8 only, and such strings have no UTF-8 form.
 */
export function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
