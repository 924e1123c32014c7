// The validation set train() ranks at every validation epoch, fixed once up front.
//
// Why sample here rather than let evaluateSampled sample each time: model selection compares
// epochs, and that comparison is only fair when every epoch ranks the same positives against the
// same negatives. Drawing them once (seeded) removes the sampling noise between epochs. Negatives are
// distinct per positive, never one of the user's training or validation positives, and never an item
// listed in `excludeFromNegatives` (e.g. held-out test items, which are positives too).
import { RecsysError } from '../errors.js';
import { assertIndices, assertSameLength, show } from '../_lib/validate.js';
import { validateInteractions, type Interactions } from '../data/interactions.js';
import { deriveSeed, mulberry32 } from '../_lib/random.js';
import { checkExclude, groupSeenItems, itemsSeenBy, toSeenItems } from '../data/seen-items.js';
import { BlockedItems, drawDistinct } from '../sampling/distinct.js';
import type { ValidationOptions } from './types.js';

/** Held-out positives with explicit negatives: the NCF evaluation form. */
export interface RankedValidationSet {
  users: Int32Array;
  items: Int32Array;
  negatives: Int32Array[];
}

// A seed stream no epoch uses (epochs count from 0), so validation negatives are independent of
// the training negatives of any epoch.
const VALIDATION_STREAM = 0x7fffffff;

function isExplicit(data: ValidationOptions['data']): data is RankedValidationSet {
  return Array.isArray((data as Partial<RankedValidationSet>).negatives);
}

/**
 * Turns `validation.data` into a {@link RankedValidationSet}: explicit negatives are checked and
 * kept; interactions get `negatives` distinct sampled negatives per positive.
 *
 * @param data - validation positives (interactions) or the NCF form with explicit negatives
 * @param train - the training positives (never sampled as validation negatives)
 * @param numItems - the item index space to sample from and check against
 * @param numUsers - the user index space to check against
 * @param negatives - sampled negatives per positive (ignored for explicit negatives)
 * @param seed - the training seed
 * @param exclude - more items never to sample, per user
 * @returns the fixed validation set
 * @example
 * ```ts
 * const v = prepareValidationSet(valid, train, 3706, 6040, 99, 42);
 * v.negatives[0].length; //=> 99
 * ```
 */
export function prepareValidationSet(
  data: ValidationOptions['data'],
  train: Interactions,
  numItems: number,
  numUsers: number,
  negatives: number,
  seed: number,
  exclude?: Interactions,
): RankedValidationSet {
  if (isExplicit(data)) {
    const { users, items } = data;
    if (!(users instanceof Int32Array) || !(items instanceof Int32Array)) {
      throw new RecsysError('INVALID_ARGUMENT', 'validation.data.users and validation.data.items must be Int32Arrays');
    }
    assertSameLength('validation.data.users', users, 'validation.data.items', items);
    assertSameLength('validation.data.users', users, 'validation.data.negatives', data.negatives);
    if (users.length === 0) throw new RecsysError('EMPTY_INPUT', 'validation.data has no positives');
    assertIndices('user', 'validation.data.users', users, numUsers);
    assertIndices('item', 'validation.data.items', items, numItems);
    data.negatives.forEach((row, p) => {
      if (!(row instanceof Int32Array) || row.length === 0) {
        throw new RecsysError('INVALID_ARGUMENT', `validation.data.negatives[${p}] must be a non-empty Int32Array, got ${show(row)}`);
      }
      assertIndices('item', `validation.data.negatives[${p}]`, row, numItems);
    });
    return { users, items, negatives: data.negatives };
  }

  validateInteractions(data, 'validation.data');
  if (data.users.length === 0) throw new RecsysError('EMPTY_INPUT', 'validation.data has no positives');
  assertIndices('user', 'validation.data.users', data.users, numUsers);
  assertIndices('item', 'validation.data.items', data.items, numItems);

  // Blocked for a validated user: all their validation positives, their training positives and the
  // items `exclude` lists for them; the draw is the library's one distinct draw (sampling/distinct).
  const indexes = [groupSeenItems(data.users, data.items, numUsers), groupSeenItems(train.users, train.items, numUsers)];
  const excluded = checkExclude(exclude, numUsers, numItems, 'excludeFromNegatives');
  if (excluded !== undefined) indexes.push(toSeenItems(excluded, numUsers));
  const random = mulberry32(deriveSeed(seed, VALIDATION_STREAM));
  const blocked = new BlockedItems(numItems);
  const rows: Int32Array[] = new Array(data.users.length);
  for (let p = 0; p < data.users.length; p++) {
    const user = data.users[p];
    blocked.clear();
    for (const index of indexes) blocked.blockAll(itemsSeenBy(index, user));
    const available = blocked.available;
    if (available < negatives) {
      throw new RecsysError(
        'NO_NEGATIVES',
        `validation user ${user} has only ${available} item(s) outside their positives, fewer than ` +
          `validation.negatives = ${negatives}; lower validation.negatives or pass explicit negatives`,
        { user, available, negatives },
      );
    }
    rows[p] = drawDistinct(random, blocked, negatives);
  }
  return { users: data.users, items: data.items, negatives: rows };
}
