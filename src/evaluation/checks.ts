// Argument checks of evaluateSampled and evaluateFull (the option and K checks they share with
// serving live in ../_lib/validate.ts).
import { RecsysError } from '../errors.js';
import { assertIndices, assertOneOf, assertSameLength, show } from '../_lib/validate.js';
import { TIE_POLICIES, type TiePolicy } from '../metrics/index.js';
import type { Scorer } from '../scoring/index.js';

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
