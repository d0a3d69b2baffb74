import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatResults, type RangeResult } from '../../../src/source/prometheus/matrix.js';
import { mapInOrder } from '../../../src/source/prometheus/mapInOrder.js';
import { PromApiError } from '../../../src/source/prometheus/PromApiError.js';
import { PromClient } from '../../../src/source/prometheus/PromClient.js';
import { Semaphore } from '../../../src/source/prometheus/Semaphore.js';
import {
  alignRange,
  fetchWindow,
  halveWindow,
  MIN_WINDOW_POINTS,
  splitRange,
  TARGET_SAMPLES_PER_REQUEST,
  windowProducer,
  WindowRefusedError,
  WindowSizer,
  type Window,
} from '../../../src/source/prometheus/splitRange.js';
import { matrixReply, useFakeServer, type FakeReply, type SeenRequest } from './fakeServer.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

describe('splitRange', () => {
  it('aligns inward to the step and keeps every window within maxPoints', () => {
    const w = splitRange(T0 + 1, T0 + 10 * H + 5, H, 4);
    expect(w).toEqual([
      { startMs: T0 + H, endMs: T0 + 4 * H, points: 4 },
      { startMs: T0 + 5 * H, endMs: T0 + 8 * H, points: 4 },
      { startMs: T0 + 9 * H, endMs: T0 + 10 * H, points: 2 },
    ]);
    expect(splitRange(T0 + 1, T0 + H - 1, H)).toEqual([]);
    expect(alignRange(T0, T0, H)).toEqual({ startMs: T0, endMs: T0 });
  });

  it('covers every aligned instant exactly once, for any range and limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 300 }), (a, len, maxPoints) => {
        const step = 60_000;
        const start = T0 + a * 7_001;
        const end = start + len * 13_003;
        const instants = splitRange(start, end, step, maxPoints).flatMap((w) => {
          expect(w.points).toBeLessThanOrEqual(maxPoints);
          expect(w.endMs - w.startMs).toBe((w.points - 1) * step);
          return Array.from({ length: w.points }, (_, k) => w.startMs + k * step);
        });
        const expected: number[] = [];
        for (let t = Math.ceil(start / step) * step; t <= end; t += step) expected.push(t);
        expect(instants).toEqual(expected);
      }),
    );
  });

  it('halves on a step boundary without losing a point', () => {
    const [a, b] = halveWindow({ startMs: T0, endMs: T0 + 4 * H, points: 5 }, H);
    expect(a).toEqual({ startMs: T0, endMs: T0 + 2 * H, points: 3 });
    expect(b).toEqual({ startMs: T0 + 3 * H, endMs: T0 + 4 * H, points: 2 });
  });
});

describe('fetching split windows from a server with limits', () => {
  const serve = useFakeServer();

  /** A server allowing at most `limit` points per query, answering `over` when asked for more. */
  async function limited(limit: number, over: FakeReply) {
    return serve((req: SeenRequest) => {
      const points = (Number(req.form.get('end')) - Number(req.form.get('start'))) / 3600 + 1;
      if (points > limit) return over;
      return matrixReply(req.form, [{ disk: 'a' }, { disk: 'b' }], (i, t) => i * 1e6 + (t - T0) / H);
    });
  }

  async function pull(url: string, windows: Window[], maxHalvings?: number): Promise<{ result: RangeResult; requests: number }> {
    const client = new PromClient({ url, sleep: async () => undefined });
    const parts: RangeResult[] = [];
    let requests = 0;
    await mapInOrder(
      windows,
      3,
      (w) =>
        fetchWindow(
          (x) => {
            requests++;
            return client.queryRange({ query: 'disk', startMs: x.startMs, endMs: x.endMs, stepMs: H });
          },
          w,
          H,
          maxHalvings,
        ),
      async (r) => {
        parts.push(r);
      },
    );
    return { result: concatResults(parts), requests };
  }

  function expectContiguous(r: RangeResult, start: number, end: number): void {
    expect(r.series).toHaveLength(2);
    for (const [i, s] of r.series.entries()) {
      const expected = Array.from({ length: (end - start) / H + 1 }, (_, k) => start + k * H);
      expect(Array.from(s.timestamps)).toEqual(expected);
      expect(Array.from(s.values)).toEqual(expected.map((t) => i * 1e6 + (t - T0) / H));
    }
  }

  it('stitches windows with no duplicate or missing timestamp at the seams', async () => {
    const srv = await limited(100, { status: 400, body: { status: 'error', errorType: 'bad_data', error: 'exceeded maximum resolution of 11,000 points per timeseries' } });
    const end = T0 + 999 * H;
    const { result, requests } = await pull(srv.url, splitRange(T0, end, H, 100));
    expect(requests).toBe(10);
    expectContiguous(result, T0, end);
  });

  it.each([
    ['point limit', { status: 400, body: { status: 'error', errorType: 'bad_data', error: 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)' } }],
    ['VictoriaMetrics point limit', { status: 422, body: { status: 'error', errorType: '422', error: 'too many points for the given step=3600s, start=... and end=...' } }],
    ['sample limit', { status: 422, body: { status: 'error', errorType: 'execution', error: 'query processing would load too many samples into memory in query execution' } }],
    ['query timeout', { status: 503, body: { status: 'error', errorType: 'timeout', error: 'query timed out in query execution' } }],
  ])('halves windows on a %s and still stitches exactly', async (_name, over) => {
    // The server allows 30 points where the client assumed 100: each window halves twice (100 → 50 → 25).
    const srv = await limited(30, over as FakeReply);
    const end = T0 + 199 * H;
    const { result, requests } = await pull(srv.url, splitRange(T0, end, H, 100));
    expect(requests).toBe(2 * (1 + 2 + 4));
    expectContiguous(result, T0, end);
  });

  it('stops halving at the depth bound and reports the server error', async () => {
    const srv = await limited(2, { status: 422, body: { status: 'error', errorType: 'execution', error: 'query processing would load too many samples into memory' } });
    const err = await pull(srv.url, splitRange(T0, T0 + 99 * H, H, 100), 2).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/HTTP 422: execution: query processing would load too many samples/);
  });

  it('halves down to a one-point window before giving up, and says what to change', async () => {
    let requests = 0;
    const refuse = async (): Promise<RangeResult> => {
      requests++;
      throw new PromApiError('POST /api/v1/query_range: HTTP 422: execution: query processing would load too many samples into memory', 422, 'too many samples', 'execution');
    };
    const err = await fetchWindow(refuse, { startMs: T0, endMs: T0 + 99 * H, points: 100 }, H).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WindowRefusedError);
    expect((err as WindowRefusedError).window.points).toBe(1);
    // 100 → 50 → 25 → 13 → 7 → 4 → 2 → 1: one request per size, the first piece of each.
    expect(requests).toBe(8);
    expect((err as Error).message).toMatch(/refused even for a 1-point window .*--query\.max-samples.*--max-points/);
  });

  it('shrinks later windows of a large fleet to the sample target, never past maxPoints or a refused size', () => {
    const sizer = new WindowSizer(11_000);
    const next = windowProducer(T0, T0 + 29_999 * H, H, sizer);
    expect(next()?.points).toBe(11_000);
    // An answer of 1,000 series: 11M samples per window would be; later windows hold the target.
    sizer.observed(1000);
    expect(next()?.points).toBe(TARGET_SAMPLES_PER_REQUEST / 1000);
    // Ten series: the target allows more than the server's limit, which stays the bound.
    sizer.observed(10);
    expect(sizer.points).toBe(11_000);
    sizer.refused(4000);
    expect(sizer.points).toBe(2000);
    // A huge fleet never cuts windows thinner than MIN_WINDOW_POINTS.
    sizer.observed(10_000_000);
    expect(sizer.points).toBe(MIN_WINDOW_POINTS);
  });

  it('cuts the rest of the range at the size the server accepted', async () => {
    const srv = await limited(30, { status: 422, body: { status: 'error', errorType: 'execution', error: 'query processing would load too many samples into memory' } });
    const client = new PromClient({ url: srv.url, sleep: async () => undefined });
    const sizer = new WindowSizer(100);
    const next = windowProducer(T0, T0 + 399 * H, H, sizer);
    const parts: RangeResult[] = [];
    const sizes: number[] = [];
    await mapInOrder(
      next,
      1,
      (w) => {
        sizes.push(w.points);
        return fetchWindow((x) => client.queryRange({ query: 'disk', startMs: x.startMs, endMs: x.endMs, stepMs: H }), w, H, undefined, sizer);
      },
      async (r) => {
        parts.push(r);
      },
    );
    // The first window is refused at 100 and 50, accepted at 25; every later window starts at 25.
    expect(sizes[0]).toBe(100);
    expect(sizes.slice(1).every((n) => n === 25)).toBe(true);
    expect(srv.requests.filter((r) => (Number(r.form.get('end')) - Number(r.form.get('start'))) / 3600 + 1 > 30)).toHaveLength(2);
    expectContiguous(concatResults(parts), T0, T0 + 399 * H);
  });

  it('does not halve on errors a smaller range would not fix', async () => {
    const srv = await serve(() => ({ status: 400, body: { status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected "}"' } }));
    const { requests } = await pull(srv.url, splitRange(T0, T0 + 99 * H, H, 100)).catch(() => ({ requests: -1 }));
    expect(requests).toBe(-1);
    expect(srv.requests).toHaveLength(1);
  });
});

describe('Semaphore and mapInOrder', () => {
  it('never runs more than the limit at once', async () => {
    const sem = new Semaphore(3);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sem.run(async () => {
          peak = Math.max(peak, ++active);
          await new Promise((r) => setTimeout(r, (i % 4) * 3));
          active--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it('delivers in order with bounded look-ahead even when later items finish first', async () => {
    const delivered: number[] = [];
    let inFlight = 0;
    let peak = 0;
    await mapInOrder(
      Array.from({ length: 12 }, (_, i) => i),
      4,
      async (i) => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, (12 - i) * 2));
        inFlight--;
        return i * 10;
      },
      async (r) => {
        delivered.push(r);
      },
    );
    expect(delivered).toEqual(Array.from({ length: 12 }, (_, i) => i * 10));
    expect(peak).toBeLessThanOrEqual(4);
  });

  it('stops at the first failure in order, committing only what came before it', async () => {
    const delivered: number[] = [];
    const err = await mapInOrder(
      [0, 1, 2, 3, 4],
      3,
      async (i) => {
        if (i === 2) throw new Error('window 2 failed');
        return i;
      },
      async (r) => {
        delivered.push(r);
      },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toBe('window 2 failed');
    expect(delivered).toEqual([0, 1]);
  });
});
