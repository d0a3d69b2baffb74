import { parseSampleValue, type RangeSeries } from './matrix.js';

/** A successful range query answer decoded straight from its bytes. */
export interface DecodedMatrixBody {
  readonly series: RangeSeries[];
  readonly warnings: string[];
}

/**
 * Decodes a whole `query_range` answer held in memory; see
 * `MatrixStreamDecoder`. Null for any shape it does not decode.
 */
export function decodeMatrixBody(bytes: Uint8Array): DecodedMatrixBody | null {
  const decoder = new MatrixStreamDecoder();
  decoder.push(bytes);
  return decoder.end();
}

/** The bytes seen so far end inside the step being parsed, or do not have the expected shape; which one is known at the end. */
class Stop extends Error {}
const STOP = new Stop();

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

/** Exact powers of ten: m / 10^k and m · 10^k are correctly rounded for m < 2^53 and k ≤ 22 (one IEEE operation). */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/** Where the parser is: each state is entered at a token boundary, so it can wait there for more bytes. */
const enum S {
  TopOpen,
  TopKey,
  TopValue,
  TopNext,
  DataOpen,
  DataKey,
  DataValue,
  DataNext,
  ResultOpen,
  ResultFirst,
  ResultNext,
  SeriesOpen,
  SeriesKey,
  SeriesValue,
  SeriesNext,
  ValuesOpen,
  ValuesFirst,
  Pair,
  PairNext,
  Trailing,
  Failed,
}

/**
 * Decodes a `query_range` answer with `status: success` and a matrix result
 * as its bytes arrive, without JSON.parse: chunks are parsed as they come
 * (overlapping the transfer), and a 100 MB answer costs no intermediate
 * arrays or strings per sample. Values go straight into Float64Arrays sized
 * by the expected points per series. Sample values and timestamps are parsed
 * digit by digit on the exact fast path (an integer mantissa below 2^53,
 * |exponent| ≤ 22: the result is the correctly rounded double, identical to
 * `Number`), anything else through `Number`, so the values are exactly those
 * of JSON.parse followed by `decodeMatrix`.
 *
 * A chunk may end anywhere, even inside a number: the parser stops at the
 * last complete token and keeps the rest for the next chunk. `end` returns
 * null for any other shape (an error body, a non-matrix result, unexpected
 * syntax, a truncated body), so the caller can take the general path.
 */
export class MatrixStreamDecoder {
  private b: Uint8Array = new Uint8Array(0);
  private i = 0;
  private state = S.TopOpen;
  /** The key whose value the parser is at. */
  private key = '';
  private status: string | null = null;
  private resultType: string | null = null;
  private sawResult = false;
  private warnings: unknown = [];
  private readonly series: RangeSeries[] = [];
  private labels: unknown = {};
  private ts = new Float64Array(0);
  private vs = new Float64Array(0);
  private n = 0;
  /** Where the step being parsed began, or its last complete part (a pair): a stop rewinds here. */
  private mark = 0;
  /** Bytes held when the last step stopped short; the next try waits for twice as many, so a huge value is not rescanned per chunk. */
  private retryAt = 0;
  /** Chunks received while waiting for `retryAt` bytes, joined once when it is reached. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  /** `expectedPoints`: points per series the answer should hold (sizes the arrays; they grow if it is wrong). */
  constructor(private readonly expectedPoints = 1024) {}

  /** Parses as much of the answer as the bytes so far allow. */
  push(chunk: Uint8Array): void {
    if (this.state === S.Failed || chunk.length === 0) return;
    // Plain Uint8Array views only: a Buffer here and a Uint8Array there makes every byte read in the hot loops polymorphic.
    this.pending.push(chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    this.pendingBytes += chunk.length;
    if (this.b.length - this.i + this.pendingBytes < this.retryAt) return;
    this.take();
    this.run(false);
  }

  /** The unparsed rest and the pending chunks as one buffer (no copy in the usual case: one chunk, nothing left over). */
  private take(): void {
    const rest = this.b.subarray(this.i);
    if (rest.length === 0 && this.pending.length === 1) this.b = this.pending[0];
    else {
      const joined = new Uint8Array(rest.length + this.pendingBytes);
      joined.set(rest);
      let at = rest.length;
      for (const c of this.pending) {
        joined.set(c, at);
        at += c.length;
      }
      this.b = joined;
    }
    this.i = 0;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** The decoded answer once every byte is in; null when it is not a successful matrix answer. */
  end(): DecodedMatrixBody | null {
    if (this.state !== S.Failed) {
      this.take();
      this.retryAt = 0;
      this.run(true);
    }
    if (this.state !== S.Trailing || this.i !== this.b.length) return null;
    if (this.status !== 'success' || this.resultType !== 'matrix' || !this.sawResult || !Array.isArray(this.warnings)) return null;
    return { series: this.series, warnings: this.warnings.map(String) };
  }

  private run(final: boolean): void {
    for (;;) {
      this.mark = this.i;
      const state = this.state;
      try {
        if (!this.step()) return;
      } catch (err) {
        if (err !== STOP) throw err;
        // A step either completes or leaves nothing changed since its mark: rewind there and wait for more bytes.
        this.i = this.mark;
        this.state = final ? S.Failed : state;
        this.retryAt = 2 * (this.b.length - this.mark);
        return;
      }
    }
  }

  /** One step from the current state; false when there is nothing more to parse in these bytes. */
  private step(): boolean {
    switch (this.state) {
      case S.TopOpen:
        this.expect(LBRACE);
        this.state = this.peek() === RBRACE ? S.TopNext : S.TopKey;
        return true;
      case S.TopKey:
        this.key = this.memberKey();
        this.state = S.TopValue;
        return true;
      case S.TopValue:
        if (this.key === 'status') this.status = this.string();
        else if (this.key === 'data') {
          this.state = S.DataOpen;
          return true;
        } else if (this.key === 'warnings') this.warnings = this.json();
        else this.skip();
        this.state = S.TopNext;
        return true;
      case S.TopNext:
        this.state = this.sep(RBRACE) ? S.Trailing : S.TopKey;
        return true;
      case S.DataOpen:
        this.expect(LBRACE);
        this.state = this.peek() === RBRACE ? S.DataNext : S.DataKey;
        return true;
      case S.DataKey:
        this.key = this.memberKey();
        this.state = S.DataValue;
        return true;
      case S.DataValue:
        if (this.key === 'result') {
          this.state = S.ResultOpen;
          return true;
        }
        if (this.key === 'resultType') this.resultType = this.string();
        else this.skip();
        this.state = S.DataNext;
        return true;
      case S.DataNext:
        this.state = this.sep(RBRACE) ? S.TopNext : S.DataKey;
        return true;
      case S.ResultOpen:
        this.expect(LBRACKET);
        this.sawResult = true;
        this.state = S.ResultFirst;
        return true;
      case S.ResultFirst:
        if (this.peek() === RBRACKET) {
          this.i++;
          this.state = S.DataNext;
        } else this.state = S.SeriesOpen;
        return true;
      case S.ResultNext:
        this.state = this.sep(RBRACKET) ? S.DataNext : S.SeriesOpen;
        return true;
      case S.SeriesOpen:
        this.expect(LBRACE);
        this.labels = {};
        this.ts = new Float64Array(0);
        this.vs = new Float64Array(0);
        this.n = 0;
        if (this.peek() === RBRACE) {
          this.i++;
          this.finishSeries();
        } else this.state = S.SeriesKey;
        return true;
      case S.SeriesKey:
        this.key = this.memberKey();
        this.state = S.SeriesValue;
        return true;
      case S.SeriesValue:
        if (this.key === 'values') {
          this.state = S.ValuesOpen;
          return true;
        }
        if (this.key === 'metric') this.labels = this.json();
        else this.skip(); // native histograms: capacity planning needs floats
        this.state = S.SeriesNext;
        return true;
      case S.SeriesNext:
        if (this.sep(RBRACE)) this.finishSeries();
        else this.state = S.SeriesKey;
        return true;
      case S.ValuesOpen:
        this.expect(LBRACKET);
        this.ts = new Float64Array(this.expectedPoints);
        this.vs = new Float64Array(this.expectedPoints);
        this.n = 0;
        this.state = S.ValuesFirst;
        return true;
      case S.ValuesFirst:
        if (this.peek() === RBRACKET) {
          this.i++;
          this.state = S.SeriesNext;
        } else this.state = S.Pair;
        return true;
      case S.Pair:
        this.pairs();
        return true;
      case S.PairNext:
        this.state = this.sep(RBRACKET) ? S.SeriesNext : S.Pair;
        return true;
      case S.Trailing:
        this.ws();
        if (this.i < this.b.length) throw STOP;
        return false;
      case S.Failed:
        return false;
    }
  }

  private finishSeries(): void {
    const labels = this.labels;
    if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) throw STOP;
    const n = this.n;
    // Exact-size arrays when the guess was far off; a view of the sized ones otherwise (no copy).
    const fit = (a: Float64Array) => (n === a.length ? a : n < a.length / 2 ? a.slice(0, n) : a.subarray(0, n));
    this.series.push({ labels: labels as Record<string, string>, timestamps: fit(this.ts), values: fit(this.vs) });
    this.state = S.ResultNext;
  }

  /**
   * `[t,"v"]` pairs, one after the other, each stored only once it is whole:
   * stopping inside one leaves the series as it was before it.
   */
  private pairs(): void {
    const b = this.b;
    for (;;) {
      // Servers write `[t,"v"]` with no spaces; the general path takes anything else.
      let i = this.i;
      if (b[i] === LBRACKET) i++;
      else {
        this.expect(LBRACKET);
        i = this.i;
      }
      this.i = i;
      const t = this.timestampMs();
      if (b[this.i] === COMMA && b[this.i + 1] === QUOTE) this.i += 2;
      else {
        this.expect(COMMA);
        this.ws();
        if (b[this.i] !== QUOTE) throw STOP;
        this.i++;
      }
      const v = this.sampleValue();
      if (b[this.i] === RBRACKET) this.i++;
      else this.expect(RBRACKET);
      let n = this.n;
      if (n === this.ts.length) this.grow();
      this.ts[n] = t;
      this.vs[n] = v;
      this.n = ++n;
      const c = b[this.i];
      if (c === COMMA) {
        // Committed: a stop in the next pair rewinds to here.
        this.mark = ++this.i;
        continue;
      }
      if (c === RBRACKET) {
        this.i++;
        this.state = S.SeriesNext;
        return;
      }
      this.state = S.PairNext;
      return;
    }
  }

  private grow(): void {
    const size = Math.max(16, this.ts.length * 2);
    const t = new Float64Array(size);
    t.set(this.ts);
    this.ts = t;
    const v = new Float64Array(size);
    v.set(this.vs);
    this.vs = v;
  }

  /** Float seconds (`1767225600`, `1767225600.5`) as whole ms, like `Math.round(x * 1000)`. */
  private timestampMs(): number {
    const b = this.b;
    let i = this.i;
    let c = b[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      this.ws();
      i = this.i;
      c = b[i];
    }
    const start = i;
    let whole = 0;
    // Each byte is read once: this loop and sampleValue's run once per sample.
    while (c >= ZERO && c <= NINE) {
      whole = whole * 10 + (c - ZERO);
      c = b[++i];
    }
    let ms = whole * 1000;
    let digits = i - start;
    if (c === DOT) {
      c = b[++i];
      let scale = 100;
      const fracStart = i;
      while (c >= ZERO && c <= NINE) {
        if (scale >= 1) ms += (c - ZERO) * scale;
        scale /= 10;
        c = b[++i];
      }
      // More than three decimals: let Number round them as decodeMatrix would.
      if (i - fracStart > 3) digits = 99;
    }
    if (digits === 0 || digits > 15 || c === LOWER_E || c === UPPER_E) {
      while (i < b.length && b[i] !== COMMA && b[i] !== RBRACKET) i++;
      if (i >= b.length) throw STOP;
      const x = Number(latin1(b, start, i));
      if (!Number.isFinite(x)) throw STOP;
      ms = Math.round(x * 1000);
    }
    // A number cut by the end of the bytes is not complete until its delimiter is seen.
    if (i >= b.length) throw STOP;
    this.i = i;
    return ms;
  }

  /** The inside of a quoted sample value, closing quote consumed. */
  private sampleValue(): number {
    const b = this.b;
    const start = this.i;
    let i = start;
    let c = b[i];
    let negative = false;
    if (c === MINUS) {
      negative = true;
      c = b[++i];
    } else if (c === PLUS) {
      c = b[++i];
    }
    // Digits accumulate into an integer mantissa; it is exact while it stays a safe integer (checked once at the end:
    // it only grows, so every partial value was exact too), which makes the one division or product below correctly rounded.
    let mantissa = 0;
    let scale = 0;
    const digitsFrom = i;
    while (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      c = b[++i];
    }
    let any = i > digitsFrom;
    if (c === DOT) {
      c = b[++i];
      const fracFrom = i;
      while (c >= ZERO && c <= NINE) {
        mantissa = mantissa * 10 + (c - ZERO);
        c = b[++i];
      }
      scale = fracFrom - i;
      any ||= i > fracFrom;
    }
    let exact = any && mantissa <= Number.MAX_SAFE_INTEGER;
    if (exact && (c === LOWER_E || c === UPPER_E)) {
      c = b[++i];
      let expNegative = false;
      if (c === MINUS || c === PLUS) {
        expNegative = c === MINUS;
        c = b[++i];
      }
      let exp = 0;
      let expDigits = 0;
      while (c >= ZERO && c <= NINE && expDigits < 6) {
        exp = exp * 10 + (c - ZERO);
        expDigits++;
        c = b[++i];
      }
      if (expDigits === 0) exact = false;
      scale += expNegative ? -exp : exp;
    }
    if (exact && c === QUOTE && scale >= -22 && scale <= 22) {
      this.i = i + 1;
      const x = scale < 0 ? mantissa / POW10[-scale] : mantissa * POW10[scale];
      return negative ? -x : x;
    }
    // NaN, ±Inf, long decimals, big exponents: the general parser.
    let end = start;
    while (end < b.length && b[end] !== QUOTE) {
      if (b[end] === BACKSLASH) throw STOP;
      end++;
    }
    if (end >= b.length) throw STOP;
    this.i = end + 1;
    return parseSampleValue(latin1(b, start, end));
  }

  /** A member's `"key":`, cursor left on its value. */
  private memberKey(): string {
    const key = this.string();
    this.expect(COLON);
    this.ws();
    return key;
  }

  /** After a member: true at the closing `close` (consumed), false after a comma. */
  private sep(close: number): boolean {
    this.ws();
    const c = this.b[this.i];
    if (c === COMMA || c === close) {
      this.i++;
      return c === close;
    }
    throw STOP;
  }

  private string(): string {
    this.ws();
    const b = this.b;
    if (b[this.i] !== QUOTE) throw STOP;
    const start = this.i;
    let i = start + 1;
    let plain = true;
    while (i < b.length && b[i] !== QUOTE) {
      if (b[i] === BACKSLASH) {
        plain = false;
        i++;
      } else if (b[i] >= 0x80) {
        plain = false;
      }
      i++;
    }
    if (i >= b.length) throw STOP;
    this.i = i + 1;
    return plain ? latin1(b, start + 1, i) : (JSON.parse(utf8(b, start, i + 1)) as string);
  }

  /** Any JSON value, parsed by JSON.parse (labels, warnings: small). */
  private json(): unknown {
    this.ws();
    const start = this.i;
    this.skip();
    try {
      return JSON.parse(utf8(this.b, start, this.i));
    } catch {
      throw STOP;
    }
  }

  /** Moves past one JSON value of any kind. */
  private skip(): void {
    this.ws();
    const b = this.b;
    const first = b[this.i];
    if (first === QUOTE) {
      this.string();
      return;
    }
    if (first === LBRACE || first === LBRACKET) {
      let depth = 0;
      for (;;) {
        const c = b[this.i];
        if (c === undefined) throw STOP;
        if (c === QUOTE) {
          this.string();
          continue;
        }
        this.i++;
        if (c === LBRACE || c === LBRACKET) depth++;
        else if ((c === RBRACE || c === RBRACKET) && --depth === 0) return;
      }
    }
    // A number, true, false or null: complete only once its delimiter is in.
    const start = this.i;
    while (this.i < b.length && b[this.i] !== COMMA && b[this.i] !== RBRACE && b[this.i] !== RBRACKET && b[this.i] > 0x20) this.i++;
    if (this.i === start || this.i >= b.length) throw STOP;
  }

  private expect(c: number): void {
    this.ws();
    if (this.b[this.i] !== c) throw STOP;
    this.i++;
  }

  private peek(): number {
    this.ws();
    if (this.i >= this.b.length) throw STOP;
    return this.b[this.i];
  }

  private ws(): void {
    const b = this.b;
    while (b[this.i] === 0x20 || b[this.i] === 0x0a || b[this.i] === 0x0d || b[this.i] === 0x09) this.i++;
  }
}

const decoder = new TextDecoder();

function utf8(b: Uint8Array, start: number, end: number): string {
  return decoder.decode(b.subarray(start, end));
}

function latin1(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i += 4096) s += String.fromCharCode(...b.subarray(i, Math.min(end, i + 4096)));
  return s;
}
