// Small argument checks shared by every area. Each throws a RecsysError whose message names the
// argument and the bad value; none of them clamps or coerces.
import { RecsysError, type RecsysErrorCode } from '../errors.js';

/** Formats a value for an error message (strings quoted, long arrays elided). */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? value.slice(0, 77) + '...' : value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  return `a ${typeof value === 'object' ? ((value as object).constructor?.name ?? 'object') : typeof value}`;
}

/** Asserts a finite number. */
export function assertFinite(name: string, value: unknown, code: RecsysErrorCode = 'NOT_FINITE'): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RecsysError(code, `${name} must be a finite number, got ${show(value)}`, { name, value });
  }
}

/** Asserts an integer >= min (default 1). */
export function assertInteger(
  name: string,
  value: unknown,
  min = 1,
  code: RecsysErrorCode = 'INVALID_ARGUMENT',
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    const what = min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer >= ${min}`;
    throw new RecsysError(code, `${name} must be ${what}, got ${show(value)}`, { name, value });
  }
}

/** Asserts a finite number in [lo, hi] (inclusive unless told). */
export function assertInRange(
  name: string,
  value: unknown,
  lo: number,
  hi: number,
  { loOpen = false, hiOpen = false, code = 'INVALID_ARGUMENT' as RecsysErrorCode } = {},
): asserts value is number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (loOpen ? value > lo : value >= lo) &&
    (hiOpen ? value < hi : value <= hi);
  if (!ok) {
    const range = `${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}`;
    throw new RecsysError(code, `${name} must be a number in ${range}, got ${show(value)}`, { name, value });
  }
}

/** Asserts K for an @K metric: a positive integer. */
export function assertK(value: unknown, name = 'k'): asserts value is number {
  assertInteger(name, value, 1, 'INVALID_K');
}

/** Asserts an id is an integer index in 0..count-1. `kind` is 'user' or 'item'. */
export function assertIndex(kind: 'user' | 'item', value: unknown, count: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= count) {
    const code = kind === 'user' ? 'USER_OUT_OF_RANGE' : 'ITEM_OUT_OF_RANGE';
    const total = kind === 'user' ? 'numUsers' : 'numItems';
    throw new RecsysError(code, `${kind} ${show(value)} is outside 0..${count - 1} (${total}=${count})`, { value, count });
  }
}

/**
 * Asserts every entry of an index array is an integer in 0..count-1. Reports the first bad
 * position. Works on typed arrays and plain arrays.
 */
export function assertIndices(kind: 'user' | 'item', name: string, values: ArrayLike<number>, count: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= 0 && v < count && Number.isInteger(v))) {
      const code = kind === 'user' ? 'USER_OUT_OF_RANGE' : 'ITEM_OUT_OF_RANGE';
      const total = kind === 'user' ? 'numUsers' : 'numItems';
      throw new RecsysError(code, `${name}[${i}] = ${show(v)} is not ${kind === 'item' ? 'an' : 'a'} ${kind} index in 0..${count - 1} (${total}=${count})`, {
        index: i,
        value: v,
        count,
      });
    }
  }
}

/** Asserts two arrays have the same length. */
export function assertSameLength(aName: string, a: ArrayLike<unknown>, bName: string, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) {
    throw new RecsysError('LENGTH_MISMATCH', `${aName} has length ${a.length} but ${bName} has length ${b.length}`, {
      [aName]: a.length,
      [bName]: b.length,
    });
  }
}

/** Asserts an option is one of a fixed set of strings. */
export function assertOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(value)}`, {
      name,
      value,
    });
  }
}

/** Throws unless `options` is undefined or an object. */
export function checkOptions<T extends object>(options: T | undefined): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
  }
  return options;
}

/** A K for metrics at K over `numItems` items: a positive integer no larger than numItems. */
export function checkK(k: unknown, numItems: number): asserts k is number {
  assertK(k);
  if (k > numItems) {
    throw new RecsysError('INVALID_K', `k = ${k} is larger than the number of items (numItems=${numItems})`, { k, numItems });
  }
}
