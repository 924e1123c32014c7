// Field splitting and number parsing on the bytes of one line (see lines.ts for why bytes).

const ZERO = 48;
const NINE = 57;
const MINUS = 45;
const COLON = 58;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const utf8 = new TextDecoder('utf-8');

/** Field boundaries of one line, reused across lines. */
export class Fields {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** Number of fields found (may exceed the capacity: only the first `capacity` are stored). */
  count = 0;

  constructor(readonly capacity: number) {
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }
}

/** Splits `buf[start, end)` on a one-byte separator, or on `::` when `separator` is `'::'`. */
export function splitFields(buf: Uint8Array, start: number, end: number, separator: number | '::', out: Fields): number {
  let count = 0;
  let fieldStart = start;
  const cap = out.capacity;
  if (separator === '::') {
    for (let i = start; i < end; i++) {
      if (buf[i] === COLON && i + 1 < end && buf[i + 1] === COLON) {
        if (count < cap) {
          out.starts[count] = fieldStart;
          out.ends[count] = i;
        }
        count++;
        i++;
        fieldStart = i + 1;
      }
    }
  } else {
    // a plain loop: fields are short, so it beats one indexOf call per field
    for (let i = start; i < end; i++) {
      if (buf[i] === separator) {
        if (count < cap) {
          out.starts[count] = fieldStart;
          out.ends[count] = i;
        }
        count++;
        fieldStart = i + 1;
      }
    }
  }
  if (count < cap) {
    out.starts[count] = fieldStart;
    out.ends[count] = end;
  }
  count++;
  out.count = count;
  return count;
}

/** A non-negative integer written with digits only, at most 2^31-1; -1 when it is anything else. */
export function parseIndex(buf: Uint8Array, start: number, end: number): number {
  if (end <= start || end - start > 10) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c < ZERO || c > NINE) return -1;
    value = value * 10 + (c - ZERO);
  }
  return value <= 0x7fffffff ? value : -1;
}

/** A finite decimal number (`12`, `-3`, `4.5`, `1e9`); NaN when the field is anything else. */
export function parseNumber(buf: Uint8Array, start: number, end: number): number {
  if (end <= start) return NaN;
  // fast path: an optionally negative integer of up to 15 digits (exact in a double)
  let i = start;
  const negative = buf[i] === MINUS;
  if (negative) i++;
  if (end > i && end - i <= 15) {
    let value = 0;
    let j = i;
    for (; j < end; j++) {
      const c = buf[j];
      if (c < ZERO || c > NINE) break;
      value = value * 10 + (c - ZERO);
    }
    if (j === end) return negative ? -value : value;
  }
  const text = utf8.decode(buf.subarray(start, end));
  if (!NUMBER.test(text)) return NaN;
  const value = Number(text);
  return Number.isFinite(value) ? value : NaN;
}

/** The text of a field (for error messages). */
export function fieldText(buf: Uint8Array, start: number, end: number): string {
  return utf8.decode(buf.subarray(start, Math.min(end, start + 60)));
}
