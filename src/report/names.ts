import { displayName } from '../store/displayName.js';

/**
 * A short name that tells a series apart from its neighbours (store/displayName.ts,
 * the same rule as the views' display_name): identifying label values in key
 * order ("db-07 /data"), without context labels or descriptive ones (fstype).
 */
export function shortName(labels: Readonly<Record<string, string>>, fallback: string): string {
  return displayName(labels, fallback);
}

/** Control characters (newlines, tabs, escapes) as single spaces, for subjects and headlines. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** Makes names unique by appending the resource kind, then the series id, to the ones that clash. */
export function disambiguate<T extends { shortName: string; resource: string; seriesId: string }>(items: readonly T[]): T[] {
  const count = (xs: readonly T[]) => {
    const m = new Map<string, number>();
    for (const x of xs) m.set(x.shortName, (m.get(x.shortName) ?? 0) + 1);
    return m;
  };
  let c = count(items);
  let out = items.map((x) => ((c.get(x.shortName) ?? 0) > 1 ? { ...x, shortName: `${x.shortName} ${x.resource}` } : x));
  c = count(out);
  out = out.map((x) => ((c.get(x.shortName) ?? 0) > 1 ? { ...x, shortName: `${x.shortName} #${x.seriesId.slice(0, 6)}` } : x));
  return out;
}
