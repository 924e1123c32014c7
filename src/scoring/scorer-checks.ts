// Argument checks shared by the Scorer implementations. Scorers are called in tight loops by
// evaluation and serving, so every check is one linear pass over arrays that are scored anyway.
import { RecsysError } from '../errors.js';
import { assertIndex, assertIndices, assertSameLength, show } from '../_lib/validate.js';

/** Throws when a scorer is used after dispose(). */
export function checkLive(disposed: boolean): void {
  if (disposed) throw new RecsysError('INVALID_ARGUMENT', 'this Scorer was disposed; create a new one with createScorer(model)');
}

/** Checks a user index against numUsers. */
export function checkUser(user: unknown, numUsers: number): asserts user is number {
  assertIndex('user', user, numUsers);
}

/** Checks an Int32Array of user indices (and, when given, that it pairs with `items`). */
export function checkUsers(users: unknown, numUsers: number, items?: Int32Array): asserts users is Int32Array {
  if (!(users instanceof Int32Array)) throw new RecsysError('INVALID_ARGUMENT', `users must be an Int32Array, got ${show(users)}`);
  if (items !== undefined) assertSameLength('users', users, 'items', items);
  assertIndices('user', 'users', users, numUsers);
}

/** Checks an Int32Array of item indices. */
export function checkItems(items: unknown, numItems: number): asserts items is Int32Array {
  if (!(items instanceof Int32Array)) throw new RecsysError('INVALID_ARGUMENT', `items must be an Int32Array, got ${show(items)}`);
  assertIndices('item', 'items', items, numItems);
}

/** Returns `out` (checked to hold `length` floats) or a new buffer. */
export function checkOut(out: unknown, length: number): Float32Array {
  if (out === undefined) return new Float32Array(length);
  if (!(out instanceof Float32Array)) throw new RecsysError('INVALID_ARGUMENT', `out must be a Float32Array, got ${show(out)}`);
  if (out.length < length) {
    throw new RecsysError('INVALID_SIZE', `out has length ${out.length} but ${length} scores must fit`, { length: out.length, needed: length });
  }
  return out;
}
