import type { CapacityPair } from '../store/readCapacityPairs.js';

const EXAMPLES = 3;

/**
 * One warning per resource whose usage and capacity series do not all pair:
 * how many usage series got no capacity (so no headroom or exhaustion date),
 * how many capacity series matched no usage, a few of their label sets, and
 * which label names only one side carries (the usual cause: one query keeps
 * or aggregates away a label the other does not).
 */
export function capacityWarnings(mismatches: readonly CapacityPair[]): string[] {
  const byResource = new Map<string, CapacityPair[]>();
  for (const p of mismatches) {
    if (p.status === 'paired') continue;
    byResource.set(p.resource, [...(byResource.get(p.resource) ?? []), p]);
  }
  const out: string[] = [];
  for (const [resource, pairs] of byResource) {
    const noCapacity = pairs.filter((p) => p.status === 'no_capacity');
    const noUsage = pairs.filter((p) => p.status === 'no_usage');
    const parts: string[] = [];
    if (noCapacity.length > 0) {
      parts.push(
        `${noCapacity.length} usage series ${noCapacity.length === 1 ? 'has' : 'have'} no capacity series with the same labels (${examples(noCapacity)}): no capacity, headroom or exhaustion date for ${noCapacity.length === 1 ? 'it' : 'them'}`,
      );
    }
    if (noUsage.length > 0) {
      parts.push(`${noUsage.length} capacity series match${noUsage.length === 1 ? 'es' : ''} no usage series (${examples(noUsage)})`);
    }
    const onlyUsage = labelNamesOnlyIn(noCapacity, noUsage);
    const onlyCapacity = labelNamesOnlyIn(noUsage, noCapacity);
    const hint =
      noCapacity.length > 0 && noUsage.length > 0 && (onlyUsage.length > 0 || onlyCapacity.length > 0)
        ? `; labels only on usage: ${onlyUsage.join(', ') || 'none'}, only on capacity: ${onlyCapacity.join(', ') || 'none'}`
        : '';
    out.push(`${resource}: ${parts.join('; ')}${hint} (the usage and capacity queries must return the same labels; see capacity_pairs and data_quality.capacity_pairing)`);
  }
  return out;
}

function examples(pairs: readonly CapacityPair[]): string {
  const shown = pairs.slice(0, EXAMPLES).map((p) => labelText(p.labels));
  return pairs.length > EXAMPLES ? `${shown.join(', ')}, …` : shown.join(', ');
}

function labelText(labels: Readonly<Record<string, string>>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;
}

/** Label names every series of `side` carries and no series of `other` does. */
function labelNamesOnlyIn(side: readonly CapacityPair[], other: readonly CapacityPair[]): string[] {
  if (side.length === 0 || other.length === 0) return [];
  const otherNames = new Set(other.flatMap((p) => Object.keys(p.labels)));
  const common = Object.keys(side[0].labels).filter((k) => side.every((p) => k in p.labels));
  return common.filter((k) => !otherNames.has(k)).sort();
}
