// One interface through which evaluation and serving ask a model for scores. Contract only; the
// implementations (a generic tfjs predict, and a fast path for standard NCF models that computes
// embeddings and the first MLP layer once per user and per item) live beside it.

/**
 * Scores (user, item) pairs of a model. Higher means more relevant. Implementations score in
 * chunks with bounded memory and hold no tensors between calls. `createScorer(model)` makes one
 * for any tfjs model; evaluation and serving accept any object of this shape, e.g. a fixed table.
 *
 * @example
 * ```ts
 * const table = [Float32Array.of(0.9, 0.1, 0.5)]; // one user, three items
 * const scorer: Scorer = {
 *   numUsers: 1, numItems: 3,
 *   scoreItems: (user, items, out = new Float32Array(items.length)) => {
 *     items.forEach((item, t) => (out[t] = table[user][item]));
 *     return out;
 *   },
 *   scoreAllItems: (users, out = new Float32Array(users.length * 3)) => {
 *     users.forEach((user, r) => out.set(table[user], r * 3));
 *     return out;
 *   },
 *   dispose: () => {},
 * };
 * recommend(scorer, 0, { k: 2 }); //=> [{ item: 0, score: 0.9 }, { item: 2, score: 0.5 }]
 * ```
 * @category Evaluation
 */
export interface Scorer {
  /** Number of users the scorer accepts (user indices 0..numUsers-1). */
  readonly numUsers: number;
  /** Number of items the scorer accepts (item indices 0..numItems-1). */
  readonly numItems: number;
  /**
   * Scores the given items for one user.
   * @param user - user index
   * @param items - item indices (any length)
   * @param out - optional output buffer of length >= items.length
   */
  scoreItems(user: number, items: Int32Array, out?: Float32Array): Float32Array;
  /**
   * Scores every item for each of the given users, row-major: `out[u * numItems + i]`.
   * @param users - user indices (the caller keeps this small enough to fit: numUsers x numItems floats)
   */
  scoreAllItems(users: Int32Array, out?: Float32Array): Float32Array;
  /**
   * Optional: scores arbitrary (user, item) pairs, `out[t]` for `(users[t], items[t])`. Evaluation
   * uses it, when present, to score many users' short candidate lists in one call (one
   * `model.predict` per chunk instead of one per user); without it, it calls `scoreItems` per user.
   * @param users - user index of each pair
   * @param items - item index of each pair (same length as `users`)
   * @param out - optional output buffer of length >= items.length
   */
  scorePairs?(users: Int32Array, items: Int32Array, out?: Float32Array): Float32Array;
  /** Releases any cached tensors or buffers. */
  dispose(): void;
}
