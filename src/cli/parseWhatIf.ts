import { UsageError } from '../errors.js';
import type { Scenario, ScenarioChange } from '../forecast/scenario.js';
import { parseTimestamp } from '../source/csv/parseTimestamp.js';
import { parseDuration } from '../time/duration.js';
import { didYouMean } from '../plan/didYouMean.js';

/** The keys an inline what-if understands. */
const CHANGE_KEYS: readonly string[] = ['growth', 'step', 'add-capacity', 'set-capacity', 'resources'];

/**
 * Parses an inline what-if from the command line:
 * `NAME:CHANGE[,CHANGE…]` where CHANGE is `growth=1.3@DATE[/RAMP]` (or
 * `growth=+30%@…`), `step=AMOUNT@DATE`, `add-capacity=AMOUNT@DATE` or
 * `set-capacity=AMOUNT@DATE`; `resources=a+b` limits it to some resources.
 * Example: `traffic:growth=+30%@2027-01-15/14d,resources=requests+cpu`.
 */
export function parseWhatIf(text: string): Scenario {
  const bad = (why: string): never => {
    throw new UsageError(`--what-if '${text}': ${why} (expected e.g. traffic:growth=+30%@2027-01-15/14d or tenant:step=2e11@2027-02-01)`);
  };
  const colon = text.indexOf(':');
  if (colon <= 0) bad('missing NAME: before the changes');
  const name = text.slice(0, colon).trim();
  const changes: ScenarioChange[] = [];
  let resources: string[] | undefined;
  for (const part of text.slice(colon + 1).split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([^=]+)=(.+)$/.exec(part);
    if (!m) return bad(`cannot read '${part}'`);
    const [, rawKind, rest] = m;
    const kind = rawKind.trim();
    // The key first: a misspelt key must be named as such, not blamed on its value.
    if (!CHANGE_KEYS.includes(kind)) bad(`unknown key '${kind}' in '${part}'${didYouMean(kind, CHANGE_KEYS)}; keys: ${CHANGE_KEYS.join(', ')}`);
    if (kind === 'resources') {
      resources = rest.split('+').map((r) => r.trim()).filter(Boolean);
      continue;
    }
    const at = /^([^@]+)@([^/]+)(?:\/(.+))?$/.exec(rest);
    if (!at) return bad(`'${part}' needs @DATE`);
    const atMs = parseTimestamp(at[2]);
    if (atMs === null) return bad(`'${at[2]}' is not a date`);
    const value = at[1].trim();
    if (kind === 'growth') {
      const pct = /^([+-]\d+(?:\.\d+)?)%$/.exec(value);
      const factor = pct ? 1 + Number(pct[1]) / 100 : Number(value);
      if (!(factor > 0)) bad(`growth '${value}' must be a factor above 0 or a change like +30%`);
      changes.push({ kind: 'growth', factor, fromMs: atMs, ...(at[3] ? { rampMs: parseDuration(at[3], '--what-if ramp') } : {}) });
      continue;
    }
    const amount = Number(value);
    if (!Number.isFinite(amount)) bad(`'${value}' is not a number`);
    if (kind === 'step') changes.push({ kind: 'step', amount, atMs });
    else if (kind === 'add-capacity') changes.push({ kind: 'capacity', change: { atMs, kind: 'add', amount } });
    else if (kind === 'set-capacity') {
      if (!(amount > 0)) bad('set-capacity must be above zero');
      changes.push({ kind: 'capacity', change: { atMs, kind: 'set', amount } });
    }
  }
  if (changes.length === 0) bad('no changes given');
  return { name, changes, ...(resources ? { resources } : {}) };
}
