import { benchAccuracy, benchExhaustion } from './accuracy.js';
import { benchFleet } from './fleet.js';
import { benchFleetForecast } from './fleetForecast.js';
import { benchForecast } from './forecast.js';
import { benchGrowthExhaustion, benchSubDaily } from './exhaustionCorpus.js';
import { benchIngest } from './ingest.js';
import { benchInput } from './input.js';
import { benchModels } from './models.js';
import { benchRealCorpus } from './realCorpus.js';
import { benchRealDev, benchRealExtra } from './realDev.js';
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
  real: benchRealCorpus,
  'real-dev': benchRealDev,
  'real-extra': benchRealExtra,
  accuracy: async () => {
    await benchRealCorpus();
    await benchRealExtra();
    await benchSubDaily();
    await benchAccuracy();
  },
  growth: benchGrowthExhaustion,
  subdaily: benchSubDaily,
  exhaustion: async () => {
    await benchGrowthExhaustion();
    await benchExhaustion();
  },
  load: benchLoad,
  fleet: benchFleet,
  'fleet-forecast': benchFleetForecast,
  shard: benchShard,
  models: benchModels,
};

const wanted = process.argv.slice(2);
for (const [name, run] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  await run();
}
