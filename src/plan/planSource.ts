import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Which plan file a run was planned with: its path as given and the SHA-256 of its bytes. */
export interface PlanSource {
  readonly file: string;
  readonly sha256: string;
}

/** Hashes the plan file as it is now, so a stored run says exactly which plan made it. */
export function planSourceOf(file: string): PlanSource {
  return { file, sha256: createHash('sha256').update(readFileSync(file)).digest('hex') };
}
