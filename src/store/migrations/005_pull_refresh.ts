import type { Migration } from './Migration.js';
import { quoteLiteral } from '../sql.js';

const PULL_COLUMNS: Record<string, string> = {
  query_hash:
    'Hash of what the pull asked (PromQL, step, resolution, source type). When it differs from the previous pull of the resource, every series is re-read over the whole lookback.',
  updated_count: 'Stored samples whose value this pull changed because the server now answers differently (a later peak, a completed partial response).',
  dropped_count: 'NaN and ±Inf points the server returned (stale or missing data) that were not stored.',
};

/**
 * Pulls that refresh what they re-read: a pull records the hash of its
 * queries (so a changed query re-reads the whole lookback), how many stored
 * values it updated and how many NaN/stale points it dropped. Samples keep
 * one row per (series, ts); a refreshed value replaces the old one in place.
 */
export const pullRefresh: Migration = {
  version: 5,
  description: 'pulls.query_hash, updated_count, dropped_count: per-series incremental pulls that refresh changed values',
  statements: [
    `ALTER TABLE pulls ADD COLUMN query_hash VARCHAR`,
    `ALTER TABLE pulls ADD COLUMN updated_count BIGINT DEFAULT 0`,
    `ALTER TABLE pulls ADD COLUMN dropped_count BIGINT DEFAULT 0`,
    `UPDATE pulls SET updated_count = 0, dropped_count = 0`,
    ...Object.entries(PULL_COLUMNS).map(([c, text]) => `COMMENT ON COLUMN pulls.${c} IS ${quoteLiteral(text)}`),
    `COMMENT ON COLUMN pulls.sample_count IS ${quoteLiteral('Samples newly stored by this pull (updated values are counted in updated_count).')}`,
    `COMMENT ON TABLE samples IS ${quoteLiteral(
      'Every stored sample. (series_id, ts) is unique: re-pulling a range never duplicates a sample; a value the server now answers differently replaces the stored one (pulls.updated_count).',
    )}`,
    `COMMENT ON COLUMN samples.pull_id IS ${quoteLiteral('The pull that stored its current value (pulls.pull_id): the first pull, or the last one that updated it.')}`,
  ],
};
