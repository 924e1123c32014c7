// Negative sampling for implicit feedback: for every training positive (user, item), draw items the
// user has not interacted with. Hand-written because it is the library's own craft and sits on the
// training hot path (an ML-1M epoch is ~5M instances, resampled every epoch).
//
// This file is the public face (options, batch types, the NegativeSampler class). Behind it:
//   sampler-state.ts    the precomputed tables (per-user index, membership bitset, draw modes)
//   sampler-draws.ts    one negative for one user (rejection, or exact from the complement)
//   sampler-batches.ts  lazily generated epochs: shuffle, per-position seeds, shards
import { RecsysError } from '../errors.js';
import { assertIndex, assertInteger, assertOneOf, show } from '../_lib/validate.js';
import { deriveSeed, mulberry32, type Random } from '../_lib/random.js';
import type { Interactions } from '../data/interactions.js';
import type { SeenItems } from '../data/seen-items.js';
import { buildTables, checkTables, sharedTables, type SamplerState, type SamplerTables } from './sampler-state.js';
import { MODE_NONE, NegativeDraws } from './sampler-draws.js';
import { checkBatchOptions, DEFAULT_NEGATIVES, epochPlan, pairwiseBatches, pointwiseBatches, shuffledPositives, type Plan } from './sampler-batches.js';

export type { SamplerState } from './sampler-state.js';
export { DEFAULT_NEGATIVES };

/** How negatives are drawn: uniformly over items, or proportionally to `count^alpha`. @category Sampling */
export type SamplingStrategy = 'uniform' | 'popularity';

/**
 * How an interaction's weight `w` (`data.weights`) becomes a confidence `c` on its positive's loss
 * term: `'none'` ignores the weights (c = 1), `'linear'` is c = 1 + scale * w, `'log'` is
 * c = 1 + scale * log(1 + w) (Hu, Koren and Volinsky, "Collaborative Filtering for Implicit
 * Feedback Datasets", ICDM 2008). Sampled negatives always have c = 1.
 *
 * @example
 * ```ts
 * const weighting: Weighting = 'log';
 * await train(model, data, { weighting, weightScale: 1 });
 * ```
 * @category Training
 */
export type Weighting = 'none' | 'linear' | 'log';

/** Options of the {@link NegativeSampler} constructor. Every field has a default. @category Sampling */
export interface NegativeSamplerOptions {
  /** Proposal distribution. Default `'uniform'` (the NCF paper's choice). */
  strategy?: SamplingStrategy;
  /**
   * Popularity exponent: item `i` is proposed with weight `count_i^alpha`, where `count_i` is the
   * number of distinct training users of `i`. 0 is uniform over all items, 1 proportional to
   * popularity. Default 0.75 (word2vec's smoothing, which damps the head of the distribution).
   * Ignored by `'uniform'`. Items without training interactions get weight 0 when `alpha > 0`.
   */
  alpha?: number;
  /**
   * Extra per-user items never sampled as negatives (e.g. held-out validation or test items): an
   * Interactions of the same sizes as the data, or a {@link SeenItems} index over its users.
   */
  exclude?: Interactions | SeenItems;
  /** Seed for shuffling and sampling. Default 42. */
  seed?: number;
  /**
   * Confidence of each positive from `data.weights` (see {@link Weighting}): batches then carry
   * `weights` (the positive's c, 1 for a negative). A pair listed more than once in `data` is one
   * positive whose weight is the sum of its rows' weights. Default `'none'` (no `weights` in batches).
   */
  weighting?: Weighting;
  /** The confidence's scale, a finite number > 0. Default 1. */
  weightScale?: number;
}

/** Which slice of an epoch's positives to produce, for splitting an epoch across worker threads. @category Sampling */
export interface Shard {
  /** This shard's number, an integer in 0..count-1. */
  index: number;
  /** How many shards the epoch is split into, a positive integer. */
  count: number;
}

/** Options of {@link NegativeSampler.batches} and {@link NegativeSampler.pairBatches}. @category Sampling */
export interface BatchOptions {
  /** Rows per batch (instances, or pairs for BPR); the last batch may be smaller. Default 256. */
  batchSize?: number;
  /** Negatives drawn per positive. Default 4; at least 1 for pair batches. */
  negatives?: number;
  /**
   * The former name of {@link BatchOptions.negatives}, still accepted in this release (an error if
   * both are given with different values).
   *
   * @deprecated Use `negatives`.
   */
  negativesPerPositive?: number;
  /** 0-based epoch: selects the shuffle and the negatives. Default 0. */
  epoch?: number;
  /** Produce only this disjoint share of the epoch's positives. Default: the whole epoch. */
  shard?: Shard;
}

/** A pointwise (BCE) training batch: each positive (label 1) followed by its negatives (label 0). @category Sampling */
export interface Batch {
  /** User index of each instance. */
  users: Int32Array;
  /** Item index of each instance. */
  items: Int32Array;
  /** 1 for a positive, 0 for a sampled negative. */
  labels: Float32Array;
  /**
   * Each instance's weight on its loss term, present only when the sampler has a `weighting`: a
   * positive's confidence c, 1 for a sampled negative.
   */
  weights?: Float32Array;
}

/** A pairwise (BPR) training batch: one row per (positive, sampled negative) pair of a user. @category Sampling */
export interface PairBatch {
  /** User index of each pair. */
  users: Int32Array;
  /** The positive item of each pair. */
  positives: Int32Array;
  /** The sampled negative item of each pair. */
  negatives: Int32Array;
  /** Each pair's weight (its positive's confidence c), present only when the sampler has a `weighting`. */
  weights?: Float32Array;
}

/**
 * Samples negatives for implicit-feedback training: items a user has not interacted with (nor is
 * excluded from), uniformly or by popularity, and produces shuffled, lazily generated epochs of
 * training batches. Seeded and deterministic: the same seed and epoch give identical batches.
 *
 * @example
 * ```ts
 * const data = { users: Int32Array.of(0, 0, 1), items: Int32Array.of(0, 1, 2), numUsers: 2, numItems: 4 };
 * const sampler = new NegativeSampler(data, { seed: 7 });
 * sampler.isPositive(0, 1);             //=> true
 * sampler.sample(0, 3);                 //=> Int32Array of 3 items from {2, 3}
 * for (const batch of sampler.batches({ batchSize: 5, negatives: 1 })) {
 *   batch.labels;                       //=> Float32Array [1, 0, 1, 0, 1] then [0]
 * }
 * ```
 * @category Sampling
 */
export class NegativeSampler {
  /** The proposal strategy. */
  declare readonly strategy: SamplingStrategy;
  /** The popularity exponent (kept even for `'uniform'`). */
  declare readonly alpha: number;
  /** The seed. */
  declare readonly seed: number;
  /** Number of users. */
  declare readonly numUsers: number;
  /** Number of items. */
  declare readonly numItems: number;
  /** Number of distinct training positives (one epoch visits each once). */
  declare readonly numPositives: number;

  declare private readonly tables: SamplerTables;
  declare private readonly draws: NegativeDraws;
  /** Smallest user with training positives but no possible negative, or -1. */
  declare private readonly saturatedUser: number;
  declare private random: Random;
  declare private permutationCache: { epoch: number; order: Int32Array } | null;

  /**
   * Indexes the training positives (and excluded items) for fast membership tests and sampling.
   *
   * @param data - the training positives (validated; duplicate pairs count once)
   * @param options - strategy, alpha, exclude, seed and weighting (see {@link NegativeSamplerOptions})
   */
  constructor(data: Interactions, options: NegativeSamplerOptions = {}) {
    this.init(buildTables(data, options));
  }

  /**
   * Rebuilds a sampler from {@link NegativeSampler.getState} (e.g. inside a worker thread) without
   * recomputing anything; only sizes are checked.
   *
   * @param state - a state from `getState()`, possibly structured-cloned
   * @returns a sampler that produces exactly the batches of the original
   * @example
   * ```ts
   * const copy = NegativeSampler.fromState(sampler.getState());
   * copy.sample(0, 2, mulberry32(1)); //=> the same as sampler.sample(0, 2, mulberry32(1))
   * ```
   */
  static fromState(state: SamplerState): NegativeSampler {
    const tables = checkTables(state);
    const sampler = Object.create(NegativeSampler.prototype) as NegativeSampler;
    sampler.init(tables);
    return sampler;
  }

  private init(state: SamplerTables): void {
    const self = this as unknown as Record<string, unknown>;
    self.tables = state;
    self.draws = new NegativeDraws(state);
    self.strategy = state.strategy;
    self.alpha = state.alpha;
    self.seed = state.seed;
    self.numUsers = state.numUsers;
    self.numItems = state.numItems;
    self.numPositives = state.positiveItems.length;
    let saturated = -1;
    for (let u = 0; u < state.numUsers && saturated < 0; u++) {
      if (state.mode[u] === MODE_NONE && state.positiveOffsets[u + 1] > state.positiveOffsets[u]) saturated = u;
    }
    self.saturatedUser = saturated;
    this.random = mulberry32(deriveSeed(state.seed, 0x7fffffff));
    this.permutationCache = null;
  }

  /**
   * The sampler's state as plain typed arrays and numbers, for {@link NegativeSampler.fromState}.
   *
   * @param options - `shared: true` copies every array into a SharedArrayBuffer, so worker threads
   *   can use one copy of the memory instead of each receiving its own clone
   * @returns a structured-cloneable {@link SamplerState}
   * @example
   * ```ts
   * worker.postMessage(sampler.getState({ shared: true }));
   * ```
   */
  getState(options: { shared?: boolean } = {}): SamplerState {
    return options.shared === true ? sharedTables(this.tables) : { ...this.tables };
  }

  /**
   * Is `item` off-limits as a negative for `user`: a training positive, or an excluded item?
   *
   * @param user - user index
   * @param item - item index
   * @returns true when the sampler never returns `item` for `user`
   * @example
   * ```ts
   * sampler.isPositive(0, 1); //=> true
   * ```
   */
  isPositive(user: number, item: number): boolean {
    assertIndex('user', user, this.numUsers);
    assertIndex('item', item, this.numItems);
    return this.draws.blocked(user, item);
  }

  /**
   * Draws negatives for one user: never a positive or excluded item of that user; with replacement
   * (an item may repeat, within and across calls).
   *
   * @param user - user index
   * @param count - how many negatives, a non-negative integer
   * @param random - optional generator; default the sampler's own stream (seeded from `seed`)
   * @returns an Int32Array of `count` item indices
   * @throws RecsysError `NO_NEGATIVES` when every item is a positive or excluded for `user`
   * @example
   * ```ts
   * sampler.sample(0, 3, mulberry32(1)); //=> Int32Array of 3 items, none a positive of user 0
   * ```
   */
  sample(user: number, count: number, random: Random = this.random): Int32Array {
    assertIndex('user', user, this.numUsers);
    assertInteger('count', count, 0);
    if (typeof random !== 'function') throw new RecsysError('INVALID_ARGUMENT', `random must be a function () => number, got ${show(random)}`);
    const out = new Int32Array(count);
    if (count === 0) return out;
    if (this.tables.mode[user] === MODE_NONE) throw this.draws.noNegatives(user);
    for (let i = 0; i < count; i++) out[i] = this.draws.draw(user, random);
    return out;
  }

  /**
   * Instances (or pairs) one epoch produces.
   *
   * @param negatives - negatives per positive, a non-negative integer
   * @param kind - `'instances'` (default) for {@link NegativeSampler.batches}: positives x (1 +
   *   negatives); `'pairs'` for {@link NegativeSampler.pairBatches}: positives x negatives
   * @returns the number of rows of an epoch
   * @example
   * ```ts
   * sampler.epochSize(4);          //=> 5 * sampler.numPositives
   * sampler.epochSize(4, 'pairs'); //=> 4 * sampler.numPositives
   * ```
   */
  epochSize(negatives: number, kind: 'instances' | 'pairs' = 'instances'): number {
    assertInteger('negatives', negatives, 0);
    assertOneOf('kind', kind, ['instances', 'pairs'] as const);
    return this.numPositives * (kind === 'pairs' ? negatives : 1 + negatives);
  }

  /**
   * An epoch of pointwise training batches, generated lazily: positives in a shuffled order, each
   * followed by `negatives` fresh negatives. Fully validated before the first batch.
   *
   * @param options - batch size, negatives per positive, epoch and shard (see {@link BatchOptions})
   * @returns a generator of {@link Batch}es; the last may be smaller than `batchSize`
   * @throws RecsysError `NO_POSITIVES` for data without interactions, `NO_NEGATIVES` naming a user
   *   who has every item among their positives and excluded items
   * @example
   * ```ts
   * for (const { users, items, labels } of sampler.batches({ batchSize: 256, negatives: 4, epoch })) {
   *   // train on the batch
   * }
   * ```
   */
  batches(options: BatchOptions = {}): Generator<Batch, void, undefined> {
    return pointwiseBatches(this.draws, this.plan(options, 0));
  }

  /**
   * An epoch of pairwise (BPR) batches, generated lazily: for each positive in a shuffled order,
   * `negatives` rows (user, positive, sampled negative). The negatives equal those that
   * {@link NegativeSampler.batches} draws for the same seed and epoch.
   *
   * @param options - batch size, negatives per positive (at least 1), epoch and shard
   * @returns a generator of {@link PairBatch}es; the last may be smaller than `batchSize`
   * @throws RecsysError as {@link NegativeSampler.batches}
   * @example
   * ```ts
   * for (const { users, positives, negatives } of sampler.pairBatches({ negatives: 1 })) {
   *   // minimise -log sigmoid(score(users, positives) - score(users, negatives))
   * }
   * ```
   */
  pairBatches(options: BatchOptions = {}): Generator<PairBatch, void, undefined> {
    return pairwiseBatches(this.draws, this.plan(options, 1));
  }

  /** Checks an epoch's options (NO_POSITIVES, NO_NEGATIVES before any batch) and plans it. */
  private plan(options: BatchOptions, minNegatives: 0 | 1): Plan {
    const checked = checkBatchOptions(options, minNegatives);
    if (this.numPositives === 0) throw new RecsysError('NO_POSITIVES', 'the data has no interactions: an epoch would be empty');
    if (checked.negatives > 0 && this.saturatedUser >= 0) throw this.draws.noNegatives(this.saturatedUser);
    return epochPlan(checked, this.numPositives, this.permutation(checked.epoch), this.seed);
  }

  /** The epoch's shuffled order of positive entries (cached for the last epoch asked). */
  private permutation(epoch: number): Int32Array {
    const cached = this.permutationCache;
    if (cached !== null && cached.epoch === epoch) return cached.order;
    const order = shuffledPositives(this.numPositives, this.seed, epoch);
    this.permutationCache = { epoch, order };
    return order;
  }
}
