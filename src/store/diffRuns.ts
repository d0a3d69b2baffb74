import type { Store } from '../store/Store.js';
import type { StoredRun } from './runs.js';

/** How one series' exhaustion at one threshold changed between two runs. */
export interface ExhaustionChange {
  readonly seriesId: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly resource: string;
  readonly name: string;
  readonly threshold: number;
  readonly kind: 'new_risk' | 'resolved' | 'earlier' | 'later' | 'unchanged' | 'new_series' | 'gone';
  readonly beforeStatus: string | null;
  readonly afterStatus: string | null;
  readonly beforeP50: number | null;
  readonly afterP50: number | null;
  /** after − before in days (negative: earlier); null unless within the horizon in both. */
  readonly movedDays: number | null;
  /** Dated within the horizon or already past, before and after. */
  readonly atRiskBefore: boolean;
  readonly atRiskAfter: boolean;
}

/** Moves of less than this many days read as unchanged: day-to-day noise is not news. */
const NOISE_DAYS = 1;

/**
 * Compares the exhaustion dates of two runs, series by series: what became
 * a risk (dated within the horizon, or already past), what stopped being
 * one, and how far the dated ones moved.
 */
export async function diffRuns(store: Store, before: StoredRun, after: StoredRun, threshold?: number): Promise<ExhaustionChange[]> {
  const reader = await store.connection.runAndReadAll(
    `WITH b AS (SELECT * FROM exhaustion WHERE run_id = $1), a AS (SELECT * FROM exhaustion WHERE run_id = $2)
     SELECT s.series_id, map_keys(s.labels), map_values(s.labels), s.resource, s.name, coalesce(a.threshold, b.threshold) AS threshold, b.status, a.status,
            epoch_ms(b.p50)::DOUBLE, epoch_ms(a.p50)::DOUBLE
     FROM b FULL OUTER JOIN a ON a.series_id = b.series_id AND a.threshold = b.threshold
     JOIN series s ON s.series_id = coalesce(a.series_id, b.series_id)
     WHERE $3::DOUBLE IS NULL OR coalesce(a.threshold, b.threshold) = $3::DOUBLE
     ORDER BY s.resource, s.name, 6`,
    [before.runId, after.runId, threshold ?? null],
  );
  const atRisk = (status: string | null) => status === 'within' || status === 'past';
  return reader.getRowsJS().map(([id, keys, values, resource, name, th, bs, as, bp, ap]) => {
    const beforeStatus = bs === null ? null : String(bs);
    const afterStatus = as === null ? null : String(as);
    const beforeP50 = bp === null ? null : Number(bp);
    const afterP50 = ap === null ? null : Number(ap);
    // Only dates within the horizon move: a 'past' row's date is the run's data end, not a forecast.
    const movedDays = beforeStatus === 'within' && afterStatus === 'within' && beforeP50 !== null && afterP50 !== null ? (afterP50 - beforeP50) / 86_400_000 : null;
    let kind: ExhaustionChange['kind'];
    if (beforeStatus === null) kind = 'new_series';
    else if (afterStatus === null) kind = 'gone';
    else if (!atRisk(beforeStatus) && atRisk(afterStatus)) kind = 'new_risk';
    else if (atRisk(beforeStatus) && !atRisk(afterStatus)) kind = 'resolved';
    else if (movedDays !== null && movedDays <= -NOISE_DAYS) kind = 'earlier';
    else if (movedDays !== null && movedDays >= NOISE_DAYS) kind = 'later';
    else kind = 'unchanged';
    const k = keys as string[];
    const labels = Object.fromEntries(k.map((key, i) => [key, (values as string[])[i]]));
    return {
      seriesId: String(id), labels, resource: String(resource), name: String(name), threshold: Number(th), kind, beforeStatus, afterStatus, beforeP50, afterP50, movedDays,
      atRiskBefore: atRisk(beforeStatus), atRiskAfter: atRisk(afterStatus),
    };
  });
}
