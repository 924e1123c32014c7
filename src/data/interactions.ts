import { RecsysError } from '../errors.js';
import { assertIndices, assertInteger, assertSameLength } from '../_lib/validate.js';

/** Largest index space: Int32 indices run up to 2^31 - 1. */
const MAX_INDEX_SPACE = 2 ** 31;

/**
 * Implicit-feedback interactions as parallel typed arrays over dense indices.
 * Entry `k` says "user `users[k]` interacted with item `items[k]`" (at `timestamps[k]` when known).
 * External ids are mapped to these indices once, by an {@link IdMap}.
 *
 * @example
 * ```ts
 * const data: Interactions = {
 *   users: Int32Array.from([0, 0, 1]), items: Int32Array.from([2, 0, 1]),
 *   numUsers: 2, numItems: 3,
 * };
 * ```
 * @category Data
 */
export interface Interactions {
  /** User index of each interaction, in 0..numUsers-1. */
  readonly users: Int32Array;
  /** Item index of each interaction, in 0..numItems-1. */
  readonly items: Int32Array;
  /** Optional time of each interaction (any monotone unit, e.g. seconds since the epoch). */
  readonly timestamps?: Float64Array;
  /**
   * Optional strength of each interaction (e.g. a rating, or how often a duplicate pair occurred).
   * `train` ignores it unless asked (its `weighting` option: `'linear'` or `'log'` confidence).
   */
  readonly weights?: Float32Array;
  /** Number of users (the size of the user index space, not only those present). */
  readonly numUsers: number;
  /** Number of items (the size of the item index space, not only those present). */
  readonly numItems: number;
}

/**
 * Checks that `data` is a well-formed {@link Interactions}: integer sizes, equal lengths, every
 * index in range. Throws a {@link RecsysError} naming the first problem.
 *
 * @param data - the interactions to check
 * @param name - how to call it in messages (default `'data'`)
 * @returns `data`, for chaining
 * @example
 * ```ts
 * validateInteractions({ users: Int32Array.of(0), items: Int32Array.of(5), numUsers: 1, numItems: 3 });
 * //=> throws RecsysError ITEM_OUT_OF_RANGE: data.items[0] = 5 is not an item index in 0..2 (numItems=3)
 * ```
 */
export function validateInteractions<T extends Interactions>(data: T, name = 'data'): T {
  if (data === null || typeof data !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be an Interactions object, got ${data === null ? 'null' : typeof data}`);
  }
  if (!(data.users instanceof Int32Array) || !(data.items instanceof Int32Array)) {
    throw new RecsysError('INVALID_ARGUMENT', `${name}.users and ${name}.items must be Int32Arrays`);
  }
  assertInteger(`${name}.numUsers`, data.numUsers, 1, 'INVALID_SIZE');
  assertInteger(`${name}.numItems`, data.numItems, 1, 'INVALID_SIZE');
  // indices are Int32, so a larger index space cannot be addressed (and would only fail later, in an allocation)
  for (const key of ['numUsers', 'numItems'] as const) {
    if (data[key] > MAX_INDEX_SPACE) {
      throw new RecsysError('INVALID_SIZE', `${name}.${key} must be at most 2^31 = ${MAX_INDEX_SPACE} (indices are Int32), got ${data[key]}`, { value: data[key] });
    }
  }
  assertSameLength(`${name}.users`, data.users, `${name}.items`, data.items);
  if (data.timestamps !== undefined) assertSameLength(`${name}.users`, data.users, `${name}.timestamps`, data.timestamps);
  if (data.weights !== undefined) assertSameLength(`${name}.users`, data.users, `${name}.weights`, data.weights);
  assertIndices('user', `${name}.users`, data.users, data.numUsers);
  assertIndices('item', `${name}.items`, data.items, data.numItems);
  return data;
}
