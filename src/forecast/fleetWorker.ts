import { parentPort } from 'node:worker_threads';
import { forecastOne, type FleetTask } from './forecastOne.js';

// A worker thread of the fleet pool: forecasts one series per message.
parentPort?.on('message', (task: FleetTask) => {
  parentPort?.postMessage(forecastOne(task));
});
