import { forecastFleet, type FleetInput, type FleetOptions, type FleetOutput } from './fleet.js';

/** A series with its place in the input, as a streaming reader hands it on. */
export interface OrderedSeries {
  readonly id: string;
  /** Place in the input, 0-based; outcomes come back in this order. */
  readonly index: number;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /** A fuller version of a series given before (its rows were not contiguous): forecast this one instead. */
  readonly replaces: boolean;
}

/**
 * Forecasts series while they stream in, on the fleet's worker pool, and
 * returns one outcome per series in input order. Series ids must be unique
 * per index. A series given again with `replaces` is forecast in a second
 * pass after the first has finished, so the outcome of its partial version
 * can never be mistaken for the whole one. With fewer than two series the
 * forecast runs in this thread: a pool would only add its start-up.
 */
export async function forecastInOrder(input: AsyncIterable<OrderedSeries>, options: FleetOptions): Promise<FleetOutput[]> {
  const iterator = input[Symbol.asyncIterator]();
  // Look ahead two series to choose between the pool and this thread.
  const head: OrderedSeries[] = [];
  let ended = false;
  while (head.length < 2) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
  }
  const fleet: FleetOptions = ended && head.length < 2 ? { ...options, workers: 1 } : options;

  const indexOf = new Map<string, number>();
  const replacements: OrderedSeries[] = [];
  const firstPass = async function* (): AsyncGenerator<FleetInput> {
    const all = async function* () {
      yield* head;
      if (!ended) yield* { [Symbol.asyncIterator]: () => iterator };
    };
    for await (const s of all()) {
      if (s.replaces) {
        replacements.push(s);
        continue;
      }
      indexOf.set(s.id, s.index);
      yield { id: s.id, samples: { timestamps: s.timestamps, values: s.values } };
    }
  };

  const outcomes: FleetOutput[] = [];
  const place = (out: FleetOutput) => {
    const index = indexOf.get(out.id);
    if (index === undefined) throw new Error(`internal: the forecast pool returned series '${out.id}', which was not given`);
    outcomes[index] = out;
  };
  for await (const out of forecastFleet(firstPass(), fleet)) place(out);
  if (replacements.length > 0) {
    const again = async function* (): AsyncGenerator<FleetInput> {
      for (const s of replacements) yield { id: s.id, samples: { timestamps: s.timestamps, values: s.values } };
    };
    for await (const out of forecastFleet(again(), fleet)) place(out);
  }
  // Every series given has exactly one outcome, in its place.
  let missing = 0;
  for (let i = 0; i < indexOf.size; i++) if (outcomes[i] === undefined) missing++;
  if (missing > 0 || outcomes.length !== indexOf.size) {
    throw new Error(`internal: ${indexOf.size} series given to the forecast pool, ${indexOf.size - missing} outcomes came back`);
  }
  return outcomes;
}
