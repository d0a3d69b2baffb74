import { benchIngest } from './ingest.js';

/**
 * `npm run bench`: every benchmark, figures printed as Markdown tables. Nothing
 * is asserted: this machine is shared and noisy, so compare ratios within a run.
 * Pick some with `npm run bench -- ingest forecast`.
 */
const BENCHES: Record<string, () => Promise<void>> = {
  ingest: benchIngest,
};

const wanted = process.argv.slice(2);
for (const [name, run] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  await run();
}
