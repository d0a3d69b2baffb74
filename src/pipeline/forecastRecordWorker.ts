import { parentPort } from 'node:worker_threads';
import { forecastOne, type FleetTask } from '../forecast/forecastOne.js';
import { forecastRecords, type RecordContext, type RecordsOutput } from './forecastRecords.js';

// A worker thread of a `forecast --db` run: forecasts one series per message and builds its records
// (exhaustion dates, recommendation, scenarios) here rather than on the thread that reads and writes the store.
// A series that cannot be forecast comes back as its FleetOutput error; a failure building records is a crash
// of this worker, which ends the run as it would on the main thread.
parentPort?.on('message', (task: FleetTask & { readonly context?: RecordContext }) => {
  const out = forecastOne(task);
  // Without a context the run builds the records itself from the forecast.
  if (!('result' in out) || !task.context) {
    parentPort?.postMessage(out);
    return;
  }
  const reply: RecordsOutput = { id: out.id, records: forecastRecords(task.context.subject, out.result, task.context.settings) };
  parentPort?.postMessage(reply);
});
