/**
 * Runs `fetch` over `items` with at most `ahead` in flight, and hands results
 * to `consume` strictly in item order, one at a time. In-order delivery is
 * what makes a pull resumable: windows are committed oldest first, so the
 * stored last timestamp always marks a prefix with no holes behind it.
 */
export async function mapInOrder<T, R>(
  items: readonly T[],
  ahead: number,
  fetch: (item: T, index: number) => Promise<R>,
  consume: (result: R, item: T, index: number) => Promise<void>,
): Promise<void> {
  const pending = new Map<number, Promise<R>>();
  let started = 0;
  try {
    for (let i = 0; i < items.length; i++) {
      while (started < items.length && started < i + Math.max(1, ahead)) {
        const p = fetch(items[started], started);
        // Observed here so a failure ahead of the consumer is not an unhandled rejection; it is rethrown when reached.
        p.catch(() => undefined);
        pending.set(started, p);
        started++;
      }
      const result = await (pending.get(i) as Promise<R>);
      pending.delete(i);
      await consume(result, items[i], i);
    }
  } finally {
    // Let fetches already started settle before returning, so none outlives the caller's error handling.
    await Promise.allSettled(pending.values());
  }
}
