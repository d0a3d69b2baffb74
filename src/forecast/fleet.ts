import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { forecastOne, type FleetOutput, type FleetTask } from './forecastOne.js';
import type { ForecastOptions } from './forecastSeries.js';

export type { FleetOutput } from './forecastOne.js';

export interface FleetInput {
  readonly id: string;
  readonly samples: { readonly timestamps: Float64Array; readonly values: Float64Array };
  /** Sent to the worker with the series, for a caller's own worker script (`FleetOptions.script`); ignored in this thread. */
  readonly context?: unknown;
}

export interface FleetOptions {
  readonly forecast: ForecastOptions;
  /** Worker threads; 1 forecasts in this thread. Default: one per core, at most 8. */
  readonly workers?: number;
  /** Series queued per worker (default 4): a worker never waits for the reader or the writer between series. */
  readonly queuePerWorker?: number;
  /**
   * The worker script: it answers each `FleetTask` with one message carrying
   * the task's `id` (a `FleetOutput` or the caller's own shape). Tests give
   * one that misbehaves. Default: the compiled fleetWorker.
   */
  readonly script?: string;
}

/**
 * Forecasts a stream of series on a pool of worker threads, yielding each
 * outcome as it completes (not in input order). A few series are queued per
 * worker, so the next one is ready when a forecast ends and the input is read
 * while the workers forecast; memory stays bounded by that queue however
 * large the fleet.
 *
 * A worker that crashes with an error ends the run (the error names the
 * series). A worker that exits without one (an `process.exit` deep in a
 * dependency, a thread killed) fails the series it held with that reason
 * and is replaced; the series queued behind it go to another worker. The
 * run never waits forever for a series.
 */
export async function* forecastFleet<Out extends { readonly id: string } = FleetOutput>(input: AsyncIterable<FleetInput>, options: FleetOptions): AsyncGenerator<Out | FleetOutput> {
  const count = options.workers ?? Math.min(8, availableParallelism());
  const script = options.script ?? workerScript();
  if (count <= 1 || !script) {
    for await (const s of input) yield forecastOne({ id: s.id, timestamps: s.samples.timestamps, values: s.samples.values, options: options.forecast });
    return;
  }
  const depth = Math.max(1, options.queuePerWorker ?? 4);
  /** The tasks each live worker holds, in the order sent (it works through them in that order). */
  const held = new Map<Worker, FleetTask[]>();
  /** Tasks a worker held behind the one it exited on: sent again to another. */
  const retry: FleetTask[] = [];
  const done: (Out | FleetOutput)[] = [];
  let failure: Error | null = null;
  let stopping = false;
  /** Workers in a row that exited before finishing any series. */
  let barrenExits = 0;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const start = () => {
    const worker = new Worker(script);
    const tasks: FleetTask[] = [];
    held.set(worker, tasks);
    let finishedAny = false;
    worker.on('message', (out: Out) => {
      finishedAny = true;
      const at = tasks.findIndex((t) => t.id === out.id);
      if (at >= 0) tasks.splice(at, 1);
      done.push(out);
      notify();
    });
    worker.on('error', (err) => {
      failure ??= new Error(`forecast worker crashed on series ${tasks[0]?.id ?? '?'}: ${err.message}`, { cause: err });
      notify();
    });
    worker.on('exit', (code) => {
      held.delete(worker);
      if (stopping || failure) return;
      // Workers that keep exiting before finishing anything cannot start at all: replacing them would only loop.
      barrenExits = finishedAny ? 0 : barrenExits + 1;
      if (barrenExits > count + 2) {
        failure = new Error(`forecast workers keep exiting (code ${code}) before finishing any series`);
        notify();
        return;
      }
      // It was working on the first task it held; the others never started and go to another worker.
      const [lost, ...waiting] = tasks.splice(0);
      if (lost) done.push({ id: lost.id, error: `the forecast worker exited (code ${code}) while forecasting this series, without an error` });
      retry.push(...waiting);
      start();
      notify();
    });
  };
  for (let i = 0; i < count; i++) start();
  const inFlight = () => {
    let n = 0;
    for (const tasks of held.values()) n += tasks.length;
    return n + retry.length;
  };
  /** The live worker holding the fewest series, if it has room for one more. */
  const leastBusy = (): [Worker, FleetTask[]] | null => {
    let best: [Worker, FleetTask[]] | null = null;
    for (const entry of held) if (entry[1].length < depth && (!best || entry[1].length < best[1].length)) best = entry;
    return best;
  };
  const iterator = input[Symbol.asyncIterator]();
  let inputDone = false;
  try {
    for (;;) {
      for (let target = leastBusy(); (retry.length > 0 || !inputDone) && target && !failure; target = leastBusy()) {
        let task = retry.shift();
        if (!task) {
          const next = await iterator.next();
          if (next.done) {
            inputDone = true;
            break;
          }
          const { id, samples, context } = next.value;
          task = { id, timestamps: samples.timestamps, values: samples.values, options: options.forecast, ...(context === undefined ? {} : { context }) };
        }
        // Reading took a while: the pool may have changed (a worker exited and was replaced).
        const [worker, tasks] = leastBusy() ?? (held.has(target[0]) ? target : ([...held][0] ?? target));
        // Copied, not transferred: the caller keeps its arrays, and the task can be sent again if its worker exits.
        tasks.push(task);
        worker.postMessage(task);
        while (done.length > 0) yield done.shift() as Out | FleetOutput;
      }
      while (done.length > 0) yield done.shift() as Out | FleetOutput;
      if (failure) throw failure;
      if (inputDone && inFlight() === 0) return;
      if (done.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stopping = true;
    await Promise.all([...held.keys()].map((w) => w.terminate()));
    await iterator.return?.();
  }
}

/** The compiled worker script of the fleet (fleetWorker). */
export function workerScript(): string | null {
  return compiledScript(import.meta.url, 'forecast/fleetWorker.js');
}

/**
 * The compiled file of a worker script, `src/<pathInSrc>` once built, for a
 * caller two levels below the root (`src/<dir>/`): beside the caller when it
 * runs from the build output; under `dist/` when it is the .ts source under a
 * TypeScript test runner. Null without a build.
 */
export function compiledScript(callerUrl: string, pathInSrc: string): string | null {
  const here = fileURLToPath(new URL(`./${basename(pathInSrc)}`, callerUrl));
  if (existsSync(here)) return here;
  const built = fileURLToPath(new URL(`../../dist/src/${pathInSrc}`, callerUrl));
  return existsSync(built) ? built : null;
}
