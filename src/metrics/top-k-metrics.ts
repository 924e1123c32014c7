// Full-ranking metrics for one user: from the top-K list (see topK) and the user's held-out items
// to every @K metric at once, so evaluation code needs no sort and no second pass.
import { RecsysError } from '../errors.js';
import { assertK, show } from '../_lib/validate.js';
import { idealDcg } from './ndcg.js';
import { isArrayLike } from './_checks.js';

/** Every cut-off metric of one user's ranked list, see {@link topKMetrics}. @category Metrics */
export interface TopKMetrics {
  /** 1 when any relevant item is in the top K, else 0. */
  hr: number;
  /** Share of the top K that is relevant. */
  precision: number;
  /** Share of the relevant items found in the top K. */
  recall: number;
  /** NDCG at K with binary relevance, normalised by the ideal DCG of min(#relevant, K) hits. */
  ndcg: number;
  /** Average precision at K (MAP at K when averaged over users), normalised by min(#relevant, K). */
  map: number;
  /** Reciprocal rank of the first relevant item within K, else 0. */
  mrr: number;
}

/**
 * The 1-based positions at which relevant items appear in a ranked list.
 *
 * @param rankedItems - item indices, best first (e.g. from {@link topK})
 * @param relevantItems - the user's relevant (held-out) item indices
 * @returns ascending 1-based ranks of the relevant items found in `rankedItems`
 * @example
 * ```ts
 * relevantRanks(Int32Array.of(7, 3, 9, 1), [1, 7, 5]); //=> Int32Array [1, 4]
 * ```
 */
export function relevantRanks(rankedItems: ArrayLike<number>, relevantItems: ArrayLike<number>): Int32Array {
  const relevant = toSet('relevantItems', relevantItems);
  checkArray('rankedItems', rankedItems);
  const found: number[] = [];
  const seen = new Set<number>();
  for (let p = 0; p < rankedItems.length; p++) {
    const item = rankedItems[p];
    if (typeof item !== 'number') throw notAnItem(p, item);
    if (!relevant.has(item)) continue;
    if (seen.has(item)) {
      throw new RecsysError('INVALID_ARGUMENT', `rankedItems lists item ${show(item)} twice (at position ${p + 1}): a ranked list holds distinct items`, { item });
    }
    seen.add(item);
    found.push(p + 1);
  }
  return Int32Array.from(found);
}

/**
 * Hit rate, precision, recall, NDCG, average precision and reciprocal rank at K for one user,
 * from a ranked list and the user's relevant items. Equivalent to calling {@link hitRate},
 * {@link precision}, {@link recall}, {@link ndcg}, {@link averagePrecision} and {@link mrr} on
 * {@link relevantRanks}, in one pass.
 *
 * @param rankedItems - item indices, best first; only the first `k` count (a shorter list simply
 *   has fewer hits)
 * @param relevantItems - the user's relevant item indices (at least one; duplicates count once)
 * @param k - the cut-off, a positive integer
 * @returns the six metrics, each in [0, 1]
 * @example
 * ```ts
 * topKMetrics(Int32Array.of(4, 2, 8), [2, 5], 3);
 * //=> { hr: 1, precision: 0.333..., recall: 0.5, ndcg: 0.386..., map: 0.25, mrr: 0.5 }
 * ```
 */
export function topKMetrics(rankedItems: ArrayLike<number>, relevantItems: ArrayLike<number>, k: number): TopKMetrics {
  const relevant = toSet('relevantItems', relevantItems);
  checkArray('rankedItems', rankedItems);
  assertK(k);
  const numRelevant = relevant.size;
  if (numRelevant === 0) throw new RecsysError('EMPTY_INPUT', 'relevantItems is empty: a user without relevant items has no metrics at K');
  const depth = Math.min(k, rankedItems.length);
  let hits = 0;
  let dcg = 0;
  let apSum = 0;
  let firstRank = 0;
  const seen = new Set<number>();
  for (let p = 0; p < depth; p++) {
    const item = rankedItems[p];
    if (typeof item !== 'number') throw notAnItem(p, item);
    if (!relevant.has(item)) continue;
    if (seen.has(item)) {
      throw new RecsysError('INVALID_ARGUMENT', `rankedItems lists item ${show(item)} twice (at position ${p + 1}): a ranked list holds distinct items`, { item });
    }
    seen.add(item);
    const rank = p + 1;
    hits++;
    dcg += 1 / Math.log2(rank + 1);
    apSum += hits / rank;
    if (firstRank === 0) firstRank = rank;
  }
  const cap = Math.min(numRelevant, k);
  return {
    hr: hits > 0 ? 1 : 0,
    precision: hits / k,
    recall: hits / numRelevant,
    ndcg: dcg / idealDcg(cap),
    map: apSum / cap,
    mrr: firstRank > 0 ? 1 / firstRank : 0,
  };
}

function checkArray(name: string, values: ArrayLike<number>): void {
  if (!isArrayLike(values)) {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be an array of item indices, got ${show(values)}`);
  }
}

function toSet(name: string, values: ArrayLike<number>): Set<number> {
  checkArray(name, values);
  const set = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    const item = values[i];
    // a non-number could never match a ranked item; and an array-like may claim any length
    if (typeof item !== 'number') throw new RecsysError('INVALID_ARGUMENT', `${name}[${i}] must be an item index, got ${show(item)}`, { index: i });
    set.add(item);
  }
  return set;
}

/** A ranked entry that is not a number (an array-like may also claim a length it does not hold). */
function notAnItem(position: number, value: unknown): RecsysError {
  return new RecsysError('INVALID_ARGUMENT', `rankedItems[${position}] must be an item index, got ${show(value)}`, { index: position });
}
