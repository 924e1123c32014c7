// Top-K recommendations for one user over dense indices: score every item (or the given
// candidates), drop the items the user has already seen, keep the K best.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { assertIndex, assertIndices, checkK, checkOptions, show } from '../_lib/validate.js';
import type { Interactions } from '../data/interactions.js';
import { checkExclude, itemsSeenBy, toSeenItems, type SeenItems } from '../data/seen-items.js';
import { topK } from '../metrics/index.js';
import type { Scorer } from '../scoring/index.js';
import { resolveScorer } from '../scoring/index.js';

/** One recommended item and its score. @category Serving */
export interface Recommendation {
  /** Item index. */
  readonly item: number;
  /** The model's score for (user, item); higher is better (a probability for the standard models). */
  readonly score: number;
}

/** Options of {@link recommend}. @category Serving */
export interface RecommendOptions {
  /**
   * How many items to return. Default 10. A K above the number of items is a `RecsysError`
   * (INVALID_K); when fewer than K items remain after exclusion, all of them are returned.
   */
  k?: number;
  /**
   * Items never to recommend: an {@link Interactions} (the user's own entries are used, e.g. the
   * training set, so seen items are not recommended again; checked and indexed on its first use
   * and the index kept for the same object, so build a new Interactions rather than changing its
   * arrays in place), a {@link SeenItems} index built once with `seenItems(train)`, or any
   * iterable of the user's item indices (e.g. a `Set`).
   */
  exclude?: Interactions | SeenItems | Iterable<number>;
  /**
   * Rank only these items (duplicates count once) instead of the whole catalogue, e.g. the items
   * in stock. Must not be empty.
   */
  candidates?: Int32Array;
}

/** Marks the excluded items of `user` in a fresh mask of numItems bytes. */
function excludedMask(exclude: unknown, user: number, numUsers: number, numItems: number): Uint8Array {
  const mask = new Uint8Array(numItems);
  if (exclude === undefined) return mask;
  if (exclude === null || typeof exclude !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `exclude must be an Interactions, a SeenItems index or an iterable of item indices, got ${show(exclude)}`);
  }
  if (typeof (exclude as Iterable<number>)[Symbol.iterator] === 'function') {
    let position = 0;
    for (const item of exclude as Iterable<unknown>) {
      if (typeof item !== 'number' || !Number.isInteger(item) || item < 0 || item >= numItems) {
        throw new RecsysError('ITEM_OUT_OF_RANGE', `exclude entry ${position} = ${show(item)} is not an item index in 0..${numItems - 1} (numItems=${numItems})`, {
          index: position,
          value: item,
        });
      }
      mask[item] = 1;
      position++;
    }
    return mask;
  }
  const checked = checkExclude(exclude, numUsers, numItems) as Interactions | SeenItems;
  // an Interactions is indexed on its first use and the index kept for the same object, so a loop
  // of calls over many users costs one grouping, not one scan of every row per call
  for (const item of itemsSeenBy(toSeenItems(checked, numUsers), user)) mask[item] = 1;
  return mask;
}

/**
 * Recommends the top K items for one user: every item (or each of `candidates`) is scored, the
 * excluded (already seen) items are dropped, and the K best are returned, best first, ties broken
 * by the lower item index. Fewer than K come back when fewer items remain.
 *
 * Passing a model reads its weights on every call; to serve many requests, create one
 * {@link Scorer} with `createScorer(model)` and pass it instead.
 *
 * @param model - a `tf.LayersModel` or a {@link Scorer}
 * @param user - the user's index, in 0..numUsers-1
 * @param options - `k` (default 10), `exclude`, `candidates`
 * @returns up to K `{ item, score }`, sorted by score descending
 * @example
 * ```ts
 * recommend(model, 0, { k: 3, exclude: train });
 * //=> [{ item: 1250, score: 0.93 }, { item: 2858, score: 0.91 }, { item: 589, score: 0.88 }]
 * ```
 */
export function recommend(model: tf.LayersModel | Scorer, user: number, options?: RecommendOptions): Recommendation[] {
  const opts = checkOptions(options);
  const { k = 10, exclude, candidates } = opts;
  const { scorer, owned } = resolveScorer(model);
  try {
    const { numUsers, numItems } = scorer;
    if (typeof user !== 'number') {
      throw new RecsysError(
        'USER_OUT_OF_RANGE',
        `user ${show(user)} is not a user index: recommend takes the model's user index (0..${numUsers - 1}); ` +
          `to recommend by your own ids use a Recommender (Recommender.fit(rows) or Recommender.from({ model, users, items })), whose recommend(${show(user)}) takes ids`,
        { value: user, count: numUsers },
      );
    }
    assertIndex('user', user, numUsers);
    checkK(k, numItems);
    const mask = excludedMask(exclude, user, numUsers, numItems);
    if (candidates !== undefined) {
      if (!(candidates instanceof Int32Array)) {
        throw new RecsysError('INVALID_ARGUMENT', `candidates must be an Int32Array of item indices, got ${show(candidates)}`);
      }
      if (candidates.length === 0) throw new RecsysError('EMPTY_INPUT', 'candidates is empty: there is nothing to recommend from');
      assertIndices('item', 'candidates', candidates, numItems);
      // Ascending and distinct, so that "ties by lower index" holds for item indices too.
      const items = Int32Array.from(new Set(candidates)).sort();
      const scores = scorer.scoreItems(user, items);
      const best = topK(scores.subarray(0, items.length), k, (index) => mask[items[index]] === 1);
      return Array.from(best, (index) => ({ item: items[index], score: scores[index] }));
    }
    const scores = scorer.scoreAllItems(Int32Array.of(user));
    const best = topK(scores.subarray(0, numItems), k, (item) => mask[item] === 1);
    return Array.from(best, (item) => ({ item, score: scores[item] }));
  } finally {
    if (owned) scorer.dispose();
  }
}
