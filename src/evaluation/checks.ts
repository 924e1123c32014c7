// Private argument checks shared by evaluateSampled, evaluateFull and recommend.
import { RecsysError } from '../errors.js';
import { assertIndices, assertK, assertOneOf, assertSameLength, show } from '../_lib/validate.js';
import { validateInteractions, type Interactions } from '../data/interactions.js';
import { TIE_POLICIES, type TiePolicy } from '../metrics/index.js';
import type { Scorer } from './scorer.js';

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

/** A tie policy. */
export function checkTies(ties: unknown): asserts ties is TiePolicy {
  assertOneOf('ties', ties, TIE_POLICIES);
}

/** Checks `{ users, items }` (Int32Arrays of equal, nonzero length, ids within the scorer). */
export function checkPairs(name: string, data: unknown, scorer: Scorer): { users: Int32Array; items: Int32Array } {
  if (data === null || typeof data !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be an object with users and items (Int32Arrays), got ${show(data)}`);
  }
  const { users, items } = data as { users?: unknown; items?: unknown };
  if (!(users instanceof Int32Array) || !(items instanceof Int32Array)) {
    throw new RecsysError('INVALID_ARGUMENT', `${name}.users and ${name}.items must be Int32Arrays, got ${show(users)} and ${show(items)}`);
  }
  assertSameLength(`${name}.users`, users, `${name}.items`, items);
  if (users.length === 0) throw new RecsysError('EMPTY_INPUT', `${name} is empty: there is nothing to evaluate`);
  assertIndices('user', `${name}.users`, users, scorer.numUsers);
  assertIndices('item', `${name}.items`, items, scorer.numItems);
  return { users, items };
}

/** Checks an optional exclusion set: well-formed Interactions whose ids fit the scorer. */
export function checkExclude(exclude: unknown, scorer: Scorer, name = 'exclude'): Interactions | undefined {
  if (exclude === undefined) return undefined;
  const data = validateInteractions(exclude as Interactions, name);
  assertIndices('user', `${name}.users`, data.users, scorer.numUsers);
  assertIndices('item', `${name}.items`, data.items, scorer.numItems);
  return data;
}
