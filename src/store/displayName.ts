/**
 * How a series is named for people: the values of the labels that tell it
 * apart from its neighbours, in key order ("db-07 /data"). Labels that say
 * where a series lives (cluster, team…) go in their own columns, and labels
 * that describe rather than identify it (fstype, device…) are left out.
 * The report (TypeScript) and the views (SQL `display_name`) use these lists.
 */
export const CONTEXT_LABELS: readonly string[] = ['cluster', 'team', 'env', 'environment', 'region', 'zone', 'dc', 'datacenter', 'namespace', 'job', 'tenant'];
/** Labels that carry no identity of their own: the filesystem type, the block device behind a mountpoint, a CPU mode. */
export const DESCRIPTIVE_LABELS: readonly string[] = ['fstype', 'device', 'mode', '__name__'];

/** A short name from a series' labels; `fallback` (its name) when no label identifies it. */
export function displayName(labels: Readonly<Record<string, string>>, fallback: string): string {
  const keys = Object.keys(labels).sort();
  const pick = (skip: (k: string) => boolean) => keys.filter((k) => !skip(k)).map((k) => labels[k]).filter((v) => v !== '');
  const own = pick((k) => CONTEXT_LABELS.includes(k) || DESCRIPTIVE_LABELS.includes(k));
  const all = pick((k) => DESCRIPTIVE_LABELS.includes(k));
  const text = (own.length > 0 ? own : all.length > 0 ? all : [fallback]).join(' ');
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}
