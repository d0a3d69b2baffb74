/** ` (did you mean "aggregate"?)` for a key within two edits (or a case change) of an allowed one. */
export function didYouMean(key: string, allowed: readonly string[]): string {
  let best: string | null = null;
  let bestDistance = 3;
  for (const a of allowed) {
    const d = a.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, a);
    if (d < bestDistance) [best, bestDistance] = [a, d];
  }
  return best ? ` (did you mean "${best}"?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}
