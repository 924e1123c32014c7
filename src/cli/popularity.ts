// The popularity baseline of the command line's metrics: every user gets the same ranking, items by
// how many training interactions they have. The CLI reports it beside the model so a reader sees
// at once whether the model learned anything a "most popular" list would not.
import type { Scorer } from '../scoring/index.js';

/**
 * A Scorer that ranks items by popularity, the same for every user. Equal counts are ordered by
 * item index (as a "most popular" list would be), so every item gets a distinct score and the
 * evaluators' pessimistic ties do not penalise the baseline for ties it would never show.
 *
 * @param counts - interactions per item index
 * @param numUsers - the number of users it answers for
 * @returns a Scorer over `counts.length` items
 * @example
 * ```ts
 * const scorer = popularityScorer([3, 9, 3], 2);
 * scorer.scoreItems(0, Int32Array.of(0, 1, 2)); //=> Float32Array [2, 3, 1]
 * ```
 */
export function popularityScorer(counts: ArrayLike<number>, numUsers: number): Scorer {
  const numItems = counts.length;
  const ranked = Array.from({ length: numItems }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  const score = new Float32Array(numItems);
  for (let position = 0; position < numItems; position++) score[ranked[position]] = numItems - position;
  return {
    numUsers,
    numItems,
    scoreItems(_user, items, out = new Float32Array(items.length)) {
      for (let j = 0; j < items.length; j++) out[j] = score[items[j]];
      return out;
    },
    scoreAllItems(users, out = new Float32Array(users.length * numItems)) {
      for (let r = 0; r < users.length; r++) out.set(score, r * numItems);
      return out;
    },
    dispose() {},
  };
}
