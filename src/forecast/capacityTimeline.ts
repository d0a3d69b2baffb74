/** A planned change of capacity: `add` (or remove, negative) an amount, or `set` a new total, from a date on. */
export interface CapacityChange {
  readonly atMs: number;
  readonly kind: 'add' | 'set';
  readonly amount: number;
  readonly note?: string;
}

/**
 * Capacity at each timestamp: the current capacity, changed by every planned
 * change dated at or before it (applied in date order). Capacity is a series
 * of its own, not a constant: orders land, nodes are decommissioned.
 */
export function capacityAt(current: number, changes: readonly CapacityChange[], timestamps: Float64Array): Float64Array {
  const ordered = [...changes].sort((a, b) => a.atMs - b.atMs);
  const out = new Float64Array(timestamps.length);
  for (let k = 0; k < timestamps.length; k++) {
    let c = current;
    for (const ch of ordered) {
      if (ch.atMs > timestamps[k]) break;
      c = ch.kind === 'set' ? ch.amount : c + ch.amount;
    }
    out[k] = c;
  }
  return out;
}
