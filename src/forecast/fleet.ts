import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { forecastOne, type FleetOutput, type FleetTask } from './forecastOne.js';
import type { ForecastOptions } from './forecastSeries.js';

export type { FleetOutput } from './forecastOne.js';

export interface FleetInput {
  readonly id: string;
  readonly samples: { readonly timestamps: Float64Array; readonly values: Float64Array };
}

export interface FleetOptions {
  readonly forecast: ForecastOptions;
  /** Worker threads; 1 forecasts in this thread. Default: one per core, at most 8. */
  readonly workers?: number;
}

/**
 * Forecasts a stream of series on a pool of worker threads, yielding each
 * outcome as it completes (not in input order). At most one series per
 * worker is in flight, so memory stays flat however large the fleet.
 */
export async function* forecastFleet(input: AsyncIterable<FleetInput>, options: FleetOptions): AsyncGenerator<FleetOutput> {
  const count = options.workers ?? Math.min(8, availableParallelism());
  const script = workerScript();
  if (count <= 1 || !script) {
    for await (const s of input) yield forecastOne({ id: s.id, timestamps: s.samples.timestamps, values: s.samples.values, options: options.forecast });
    return;
  }
  const workers: Worker[] = [];
  const idle: Worker[] = [];
  const current = new Map<Worker, string>();
  const done: FleetOutput[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  for (let i = 0; i < count; i++) {
    const worker = new Worker(script);
    worker.on('message', (out: FleetOutput) => {
      done.push(out);
      current.delete(worker);
      idle.push(worker);
      notify();
    });
    worker.on('error', (err) => {
      failure = new Error(`forecast worker crashed on series ${current.get(worker) ?? '?'}: ${err.message}`, { cause: err });
      notify();
    });
    workers.push(worker);
    idle.push(worker);
  }
  const iterator = input[Symbol.asyncIterator]();
  let inputDone = false;
  try {
    for (;;) {
      while (!inputDone && idle.length > 0) {
        const next = await iterator.next();
        if (next.done) {
          inputDone = true;
          break;
        }
        const worker = idle.pop() as Worker;
        const timestamps = next.value.samples.timestamps.slice();
        const values = next.value.samples.values.slice();
        const task: FleetTask = { id: next.value.id, timestamps, values, options: options.forecast };
        current.set(worker, task.id);
        worker.postMessage(task, [timestamps.buffer, values.buffer]);
      }
      while (done.length > 0) yield done.shift() as FleetOutput;
      if (failure) throw failure;
      if (inputDone && current.size === 0) return;
      if (done.length === 0 && (idle.length === 0 || inputDone)) await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    await iterator.return?.();
  }
}

/**
 * The compiled worker script. Under a TypeScript test runner this module is
 * the .ts source, whose sibling .js does not exist; the build output does.
 */
export function workerScript(): string | null {
  const here = fileURLToPath(new URL('./fleetWorker.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = fileURLToPath(new URL('../../dist/src/forecast/fleetWorker.js', import.meta.url));
  return existsSync(built) ? built : null;
}
