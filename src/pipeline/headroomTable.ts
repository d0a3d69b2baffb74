import { capacityAt, type CapacityChange } from '../forecast/capacityTimeline.js';
import { quarterHeadroom, type PeriodHeadroom } from '../forecast/headroom.js';
import type { Recommendation } from '../forecast/recommend.js';
import { quartersFrom, type Quarter, type QuarterCalendar } from '../time/quarters.js';
import { usageView } from '../forecast/usageView.js';
import type { Store } from '../store/Store.js';
import { numberOrNull } from '../store/sqlValues.js';
import type { StoredRun } from '../store/runs.js';
import { usageNow } from '../store/usageNow.js';
import { displayName } from '../store/displayName.js';

/** One series' headroom now and per quarter, with its exhaustion date and recommendation. */
export interface HeadroomRow {
  readonly seriesId: string;
  readonly resource: string;
  readonly direction: 'rising' | 'falling';
  readonly name: string;
  /** Short name from the identifying labels (store/displayName.ts), as the report and the views show it. */
  readonly displayName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly unit: string | null;
  readonly capacity: number;
  readonly usedNow: number;
  readonly quarters: readonly PeriodHeadroom[];
  /** Exhaustion at 100% of capacity; pNever is null for runs stored before schema 9. */
  readonly full: { status: string; p10: number | null; p50: number | null; p90: number | null; pNever: number | null } | null;
  readonly recommendation: StoredRecommendation | null;
}

/** A recommendation as stored with the run (forecast/recommend.ts), with the plan inputs it used. */
export interface StoredRecommendation extends Omit<Recommendation, 'risk'> {
  readonly risk: string;
  readonly leadTimeMs: number;
  /** Planned capacity changes the run applied, with their notes. */
  readonly capacityChanges: readonly CapacityChange[];
}

/**
 * Headroom of every series with a capacity in a stored run: capacity (with
 * its planned changes) minus the peak forecast usage in each quarter,
 * expected and conservative (80% upper edge).
 */
export async function headroomTable(store: Store, run: StoredRun, quarters: readonly Quarter[]): Promise<HeadroomRow[]> {
  const meta = await store.connection.runAndReadAll(
    `SELECT f.series_id, s.resource, s.name, map_keys(s.labels), map_values(s.labels), s.unit, s.capacity, coalesce(r.direction, 'rising'),
            f.last_value, epoch_ms(f.data_end)::DOUBLE, rc.action, rc.amount, epoch_ms(rc.needed_by)::DOUBLE, epoch_ms(rc.order_by)::DOUBLE, rc.late, rc.risk,
            rc.capacity_changes::VARCHAR, e.status, epoch_ms(e.p10)::DOUBLE, epoch_ms(e.p50)::DOUBLE, epoch_ms(e.p90)::DOUBLE, rc.target_headroom, rc.lead_time_s,
            e.p_never
     FROM forecasts f JOIN series s USING (series_id) LEFT JOIN resources r USING (resource)
     LEFT JOIN recommendations rc ON rc.run_id = f.run_id AND rc.series_id = f.series_id
     LEFT JOIN exhaustion e ON e.run_id = f.run_id AND e.series_id = f.series_id AND e.threshold = 1
     WHERE f.run_id = $1 AND f.error IS NULL AND s.capacity > 0
     ORDER BY s.resource, s.name`,
    [run.runId],
  );
  const points = await store.connection.runAndReadAll(
    `SELECT series_id, epoch_ms(ts)::DOUBLE, value, lower, upper FROM forecast_points WHERE run_id = $1 AND level = 0.8 ORDER BY series_id, ts`,
    [run.runId],
  );
  const now = await usageNow(store, run.asOfMs);
  const bySeries = new Map<string, { t: number[]; v: number[]; lo: number[]; hi: number[] }>();
  for (const [id, t, v, lo, hi] of points.getRows()) {
    const p = bySeries.get(String(id)) ?? { t: [], v: [], lo: [], hi: [] };
    p.t.push(Number(t));
    p.v.push(Number(v));
    p.lo.push(Number(lo));
    p.hi.push(Number(hi));
    bySeries.set(String(id), p);
  }
  return meta.getRows().map((r): HeadroomRow => {
    const p = bySeries.get(String(r[0])) ?? { t: [], v: [], lo: [], hi: [] };
    const timestamps = Float64Array.from(p.t);
    const capacityNow = Number(r[6]);
    const changes = parseChanges(r[16]);
    const capacity = capacityAt(capacityNow, changes, timestamps);
    const direction = r[7] === 'falling' ? 'falling' : 'rising';
    // Usage now is the 7-day peak (store/usageNow.ts), not the forecast's last signal value.
    const lastValue = now.get(String(r[0]))?.peak ?? (r[8] === null ? NaN : Number(r[8]));
    const f = {
      timestamps,
      point: Float64Array.from(p.v),
      intervals: [{ level: 0.8, lower: Float64Array.from(p.lo), upper: Float64Array.from(p.hi) }],
      data: { lastSignal: lastValue, lastSignalMs: Number(r[9]) },
    };
    const u = usageView(f, capacity, capacityNow, direction);
    const keys = r[3] as unknown as { items: string[] } | string[];
    const values = r[4] as unknown as { items: string[] } | string[];
    const k = Array.isArray(keys) ? keys : keys.items;
    const v = Array.isArray(values) ? values : values.items;
    const labels = Object.fromEntries(k.map((key, i) => [key, v[i]]));
    return {
      seriesId: String(r[0]),
      displayName: displayName(labels, String(r[2])),
      direction,
      resource: String(r[1]),
      name: String(r[2]),
      labels,
      unit: r[5] === null ? null : String(r[5]),
      capacity: capacityNow,
      usedNow: u.usedNow,
      quarters: quarterHeadroom(u, quarters, run.asOfMs),
      full: r[17] === null ? null : { status: String(r[17]), p10: numberOrNull(r[18]), p50: numberOrNull(r[19]), p90: numberOrNull(r[20]), pNever: numberOrNull(r[23]) },
      recommendation:
        r[10] === null
          ? null
          : {
              action: r[10] === 'add' ? 'add' : 'none',
              amount: Number(r[11]),
              neededByMs: numberOrNull(r[12]),
              orderByMs: numberOrNull(r[13]),
              late: Boolean(r[14]),
              risk: String(r[15]),
              targetHeadroom: Number(r[21]),
              leadTimeMs: Number(r[22]) * 1000,
              capacityChanges: changes,
            },
    };
  });
}

/** The quarters a headroom table covers by default: this one and the next three. */
export function defaultQuarters(asOfMs: number, calendar: QuarterCalendar): Quarter[] {
  return quartersFrom(asOfMs, 4, calendar);
}

function parseChanges(json: unknown): CapacityChange[] {
  if (typeof json !== 'string') return [];
  const list = JSON.parse(json) as { at: string; kind: 'add' | 'set'; amount: number; note?: string }[] | null;
  return (list ?? []).map((c) => ({ atMs: Date.parse(c.at), kind: c.kind, amount: c.amount, ...(c.note ? { note: c.note } : {}) }));
}
