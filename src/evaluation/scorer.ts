// One interface through which evaluation and serving ask a model for scores. Contract only; the
// implementations (a generic tfjs predict, and a fast path for standard NCF models that computes
// embeddings and the first MLP layer once per user and per item) live beside it.

/**
 * Scores (user, item) pairs of a model. Higher means more relevant. Implementations score in
 * chunks with bounded memory and hold no tensors between calls.
 */
export interface Scorer {
  readonly numUsers: number;
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
  /** Releases any cached tensors or buffers. */
  dispose(): void;
}
