import { benchAccuracy, benchExhaustion } from './accuracy.js';
import { benchFleet } from './fleet.js';
import { benchFleetForecast } from './fleetForecast.js';
import { benchForecast } from './forecast.js';
import { benchIngest } from './ingest.js';
import { benchInput } from './input.js';
import { benchPull } from './pull.js';
import { benchLoad } from './reliability.js';
import { benchStartup } from './startup.js';
import { benchShard } from './shard.js';

/**
 * `npm run bench`: every benchmark, figures printed as Markdown tables. Nothing
 * is asserted: this machine is shared and noisy, so compare ratios within a run.
 * Pick some with `npm run bench -- ingest forecast`.
 */
const BENCHES: Record<string, () => Promise<void>> = {
  startup: benchStartup,
  input: benchInput,
  ingest: benchIngest,
  pull: benchPull,
  forecast: benchForecast,
  accuracy: benchAccuracy,
  exhaustion: benchExhaustion,
  load: benchLoad,
  fleet: benchFleet,
  'fleet-forecast': benchFleetForecast,
  shard: benchShard,
};

const wanted = process.argv.slice(2);
for (const [name, run] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  await run();
}
