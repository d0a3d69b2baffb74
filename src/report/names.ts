/** Labels that say where a series lives rather than which one it is. */
const CONTEXT_LABELS = new Set(['cluster', 'team', 'env', 'environment', 'region', 'zone', 'dc', 'datacenter', 'namespace', 'job', 'tenant']);

/**
 * A short name that tells a series apart from its neighbours: the values of its
 * identifying labels in key order ("db-07 /data"), falling back to all label
 * values and then to `fallback`. Control characters are folded to spaces.
 */
export function shortName(labels: Readonly<Record<string, string>>, fallback: string): string {
  const keys = Object.keys(labels).sort();
  const own = keys.filter((k) => !CONTEXT_LABELS.has(k)).map((k) => labels[k]).filter((v) => v !== '');
  const all = keys.map((k) => labels[k]).filter((v) => v !== '');
  const text = (own.length > 0 ? own : all.length > 0 ? all : [fallback]).join(' ');
  return oneLine(text);
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
