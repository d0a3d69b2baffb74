import { createHash } from 'node:crypto';
import { UsageError } from './errors.js';

/** One of N disjoint slices of a fleet: `index` is 1-based, as written on the command line (`--shard 2/4`). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** The whole fleet: every series is in shard 1/1. */
export const ALL: Shard = { index: 1, count: 1 };

/** Shard counts above this are almost certainly typos (`--shard 3/3000000`). */
const MAX_COUNT = 65_536;

/**
 * Reads `I/N` (1 ≤ I ≤ N), the form `--shard` takes. `what` names the flag in
 * messages.
 */
export function parseShard(text: string, what = 'shard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`${what}: expected I/N such as 1/4 (this host's slice, 1-based, of N), got '${text}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_COUNT) throw new UsageError(`${what}: the shard count must be between 1 and ${MAX_COUNT}, got ${m[2]}`);
  if (index < 1 || index > count) throw new UsageError(`${what}: the shard index must be between 1 and ${count}, got ${m[1]}`);
  return { index, count };
}

/** `2/4`, as `parseShard` reads it. */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/**
 * Which shard (1-based) a series belongs to among `count`: the first 8 hex
 * digits of the SHA-256 of its id, as an unsigned 32-bit number, modulo
 * `count`. Depends on nothing but the id, so every host, run and capplan
 * version puts a series in the same shard; SHA-256 spreads ids evenly.
 */
export function shardOf(seriesId: string, count: number): number {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`shard count must be a positive integer, got ${count}`);
  const h = Number.parseInt(createHash('sha256').update(seriesId, 'utf8').digest('hex').slice(0, 8), 16);
  return (h % count) + 1;
}

/** True when the series belongs to `shard`; every id is in exactly one of the N shards. */
export function inShard(seriesId: string, shard: Shard): boolean {
  if (shard.count === 1) return true;
  return shardOf(seriesId, shard.count) === shard.index;
}

/** Where `--shard auto` takes N from when the flag does not say (`auto/N`). */
export const SHARD_COUNT_ENV = 'CAPPLAN_SHARD_COUNT';
/** The 0-based pod index a Kubernetes Indexed Job sets in every pod. */
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

/**
 * Reads `--shard` as written on the command line or in a Kubernetes Job:
 *
 * - `I/N` (1-based, as `parseShard`);
 * - `auto` or `auto/N`: the index from `JOB_COMPLETION_INDEX`, which an
 *   Indexed Job sets 0-based in each pod (pod 0 runs shard 1/N), and N from
 *   the flag or else from `CAPPLAN_SHARD_COUNT` (set it to the Job's
 *   `completions`).
 */
export function resolveShard(text: string, env: Readonly<Record<string, string | undefined>>, what = 'shard'): Shard {
  const m = /^\s*auto\s*(?:\/\s*(\S+))?\s*$/.exec(text);
  if (!m) return parseShard(text, what);
  const countText = m[1] ?? env[SHARD_COUNT_ENV];
  if (countText === undefined || countText.trim() === '') {
    throw new UsageError(`${what} auto: give the shard count as auto/N or in ${SHARD_COUNT_ENV} (the Job's completions)`);
  }
  const indexText = env[COMPLETION_INDEX_ENV];
  if (indexText === undefined || !/^\s*\d+\s*$/.test(indexText)) {
    throw new UsageError(
      `${what} auto: ${COMPLETION_INDEX_ENV} ${indexText === undefined ? 'is not set' : `is '${indexText}', not a whole number`} (Kubernetes sets it in the pods of an Indexed Job; elsewhere give I/N)`,
    );
  }
  return parseShard(`${Number(indexText) + 1}/${countText.trim()}`, `${what} auto (${COMPLETION_INDEX_ENV}=${indexText.trim()})`);
}
