/**
 * Runs `fetch` over `items` with at most `ahead` in flight, and hands results
 * to `consume` strictly in item order, one at a time. In-order delivery is
 * what makes a pull resumable: windows are committed oldest first, so the
 * stored last timestamp always marks a prefix with no holes behind it.
 *
 * `items` may be a producer called each time a fetch can start (null when
 * there are no more): a pull's windows are cut when they start, at the size
 * the server last accepted.
 */
export async function mapInOrder<T, R>(
  items: readonly T[] | (() => T | null),
  ahead: number,
  fetch: (item: T, index: number) => Promise<R>,
  consume: (result: R, item: T, index: number) => Promise<void>,
): Promise<void> {
  const next = typeof items === 'function' ? items : arrayProducer(items);
  const pending = new Map<number, { item: T; result: Promise<R> }>();
  let started = 0;
  let exhausted = false;
  try {
    for (let i = 0; ; i++) {
      while (!exhausted && started < i + Math.max(1, ahead)) {
        const item = next();
        if (item === null) {
          exhausted = true;
          break;
        }
        const result = fetch(item, started);
        // Observed here so a failure ahead of the consumer is not an unhandled rejection; it is rethrown when reached.
        result.catch(() => undefined);
        pending.set(started, { item, result });
        started++;
      }
      const entry = pending.get(i);
      if (!entry) return;
      const result = await entry.result;
      pending.delete(i);
      await consume(result, entry.item, i);
    }
  } finally {
    // Let fetches already started settle before returning, so none outlives the caller's error handling.
    await Promise.allSettled([...pending.values()].map((p) => p.result));
  }
}

function arrayProducer<T>(items: readonly T[]): () => T | null {
  let k = 0;
  return () => (k < items.length ? items[k++] : null);
}
