// Negative sampling for implicit feedback: for every training positive (user, item), draw items the
// user has not interacted with. Hand-written because it is the library's own craft and sits on the
// training hot path (an ML-1M epoch is ~5M instances, resampled every epoch).
//
// Design, and why:
// - Positives are deduplicated into a per-user CSR (offsets + sorted items). The items a user must
//   never receive as a negative ("blocked": training positives plus the optional `exclude` set) form
//   a second CSR, shared with the first when nothing is excluded.
// - Membership ("is this item blocked for this user?") is a bitset of numUsers x numItems bits when
//   that fits in 16 MiB (ML-1M: 6,040 x 3,706 = 2.8 MB; one load and a shift per test), else a
//   binary search in the user's sorted CSR row (O(log row length), no extra memory).
// - Draws are rejection sampling from the proposal (uniform, or popularity `count^alpha` through a
//   Vose alias table), accepted when not blocked. Rejection is used only for users whose blocked
//   share of the proposal mass is below one half, so the expected number of proposals is < 2, and
//   is cut off after 32 proposals anyway. Other users (and the cut-off case) draw *exactly* from the
//   complement: uniform by mapping the r-th free slot through the sorted blocked row, popularity by
//   inverting the complement's cumulative mass with two binary searches (per blocked entry we
//   precompute the complement mass below it). Nothing loops unboundedly; a user whose blocked
//   set is every item gets NO_NEGATIVES before any batch is produced.
// - Randomness: the epoch's shuffle of positives comes from mulberry32(deriveSeed(seed, epoch)); the
//   negatives of the positive at permuted position p come from a mulberry32 stream seeded by
//   deriveSeed(negative seed of the epoch, p). So every instance is a pure function of (seed,
//   epoch, position): batch size and sharding across worker threads do not change which negatives
//   a positive gets, and the union of the shards is exactly the unsharded epoch.
// - Batches are produced lazily (only the epoch's permutation of positives, 4 bytes each, exists);
//   each yielded batch owns fresh typed arrays, so consumers may keep or transfer them.
import { RecsysError } from '../errors.js';
import { assertFinite, assertIndex, assertInteger, assertOneOf, show } from '../_lib/validate.js';
import { validateInteractions, type Interactions } from '../data/interactions.js';
import { checkExclude, groupSeenItems, isSeenItems, mergeSeenItems, toSeenItems, type SeenItems } from '../data/seen-items.js';
import { buildAliasTable } from './alias.js';
import { deriveSeed, mulberry32, reseedableMulberry32, type Random } from '../_lib/random.js';

/** How negatives are drawn: uniformly over items, or proportionally to `count^alpha`. */
export type SamplingStrategy = 'uniform' | 'popularity';

/** Options of the {@link NegativeSampler} constructor. Every field has a default. */
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
}

/** Which slice of an epoch's positives to produce, for splitting an epoch across worker threads. */
export interface Shard {
  /** This shard's number, an integer in 0..count-1. */
  index: number;
  /** How many shards the epoch is split into, a positive integer. */
  count: number;
}

/** Options of {@link NegativeSampler.batches} and {@link NegativeSampler.pairBatches}. */
export interface BatchOptions {
  /** Rows per batch (instances, or pairs for BPR); the last batch may be smaller. Default 256. */
  batchSize?: number;
  /** Negatives drawn per positive. Default 4; at least 1 for pair batches. */
  negativesPerPositive?: number;
  /** 0-based epoch: selects the shuffle and the negatives. Default 0. */
  epoch?: number;
  /** Produce only this disjoint share of the epoch's positives. Default: the whole epoch. */
  shard?: Shard;
}

/** A pointwise (BCE) training batch: each positive (label 1) followed by its negatives (label 0). */
export interface Batch {
  /** User index of each instance. */
  users: Int32Array;
  /** Item index of each instance. */
  items: Int32Array;
  /** 1 for a positive, 0 for a sampled negative. */
  labels: Float32Array;
}

/** A pairwise (BPR) training batch: one row per (positive, sampled negative) pair of a user. */
export interface PairBatch {
  /** User index of each pair. */
  users: Int32Array;
  /** The positive item of each pair. */
  positives: Int32Array;
  /** The sampled negative item of each pair. */
  negatives: Int32Array;
}

/**
 * Everything a {@link NegativeSampler} needs, as plain numbers and typed arrays: structured-cloneable
 * (postMessage to a worker) and cheap to rebuild with {@link NegativeSampler.fromState}. Treat it as
 * read-only; arrays may be shared with the sampler or backed by a SharedArrayBuffer.
 */
export interface SamplerState {
  /** Layout version of this object. */
  version: 1;
  /** The strategy. */
  strategy: SamplingStrategy;
  /** The popularity exponent. */
  alpha: number;
  /** The seed. */
  seed: number;
  /** Number of users. */
  numUsers: number;
  /** Number of items. */
  numItems: number;
  /** CSR offsets of the distinct training positives per user (length numUsers + 1). */
  positiveOffsets: Int32Array;
  /** The distinct training positives' items, sorted within each user. */
  positiveItems: Int32Array;
  /** The user of each entry of `positiveItems`. */
  positiveUsers: Int32Array;
  /** CSR offsets of each user's blocked items (positives plus excluded; length numUsers + 1). */
  blockedOffsets: Int32Array;
  /** Each user's blocked items, sorted. */
  blockedItems: Int32Array;
  /** numUsers x numItems membership bits (row stride ceil(numItems / 32) words), or null when too big. */
  bitset: Uint32Array | null;
  /** Per user, how draws are made (0 rejection, 1 exact popularity, 2 exact uniform, 3 no negatives). */
  mode: Uint8Array;
  /** Alias table probabilities over items (popularity only, else null). */
  aliasProbability: Float64Array | null;
  /** Alias table outcomes over items (popularity only, else null). */
  aliasIndex: Int32Array | null;
  /** Cumulative popularity weight, length numItems + 1 (popularity only, else null). */
  cumulativeWeight: Float64Array | null;
  /** Per user, the popularity mass of the items not blocked (popularity only, else null). */
  complementMass: Float64Array | null;
  /** Per blocked entry, the complement popularity mass below that item (popularity only, else null). */
  massBelow: Float64Array | null;
}

const MODE_REJECT = 0;
const MODE_EXACT_POPULARITY = 1;
const MODE_EXACT_UNIFORM = 2;
const MODE_NONE = 3;

/** Rejection sampling gives up after this many proposals and draws exactly instead. */
const MAX_PROPOSALS = 32;
/** Largest membership bitset, in bits (16 MiB). */
const MAX_BITSET_BITS = 2 ** 27;
const STRATEGIES: readonly SamplingStrategy[] = ['uniform', 'popularity'];

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
 * for (const batch of sampler.batches({ batchSize: 5, negativesPerPositive: 1 })) {
 *   batch.labels;                       //=> Float32Array [1, 0, 1, 0, 1] then [0]
 * }
 * ```
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

  declare private readonly state: SamplerState;
  declare private readonly wordsPerUser: number;
  /** Smallest user with training positives but no possible negative, or -1. */
  declare private readonly saturatedUser: number;
  declare private random: Random;
  declare private permutationCache: { epoch: number; order: Int32Array } | null;

  /**
   * Indexes the training positives (and excluded items) for fast membership tests and sampling.
   *
   * @param data - the training positives (validated; duplicate pairs count once)
   * @param options - strategy, alpha, exclude and seed (see {@link NegativeSamplerOptions})
   */
  constructor(data: Interactions, options: NegativeSamplerOptions = {}) {
    this.init(buildState(data, options));
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
    checkState(state);
    const sampler = Object.create(NegativeSampler.prototype) as NegativeSampler;
    sampler.init(state);
    return sampler;
  }

  private init(state: SamplerState): void {
    const self = this as unknown as Record<string, unknown>;
    self.state = state;
    self.strategy = state.strategy;
    self.alpha = state.alpha;
    self.seed = state.seed;
    self.numUsers = state.numUsers;
    self.numItems = state.numItems;
    self.numPositives = state.positiveItems.length;
    self.wordsPerUser = (state.numItems + 31) >>> 5;
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
    if (options.shared !== true) return { ...this.state };
    const copies = new Map<object, unknown>();
    const share = <T extends Int32Array | Uint32Array | Uint8Array | Float64Array>(a: T | null): T | null => {
      if (a === null) return null;
      const known = copies.get(a);
      if (known !== undefined) return known as T;
      const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
      const copy = new Ctor(new SharedArrayBuffer(a.byteLength));
      copy.set(a as never);
      copies.set(a, copy);
      return copy;
    };
    const s = this.state;
    return {
      ...s,
      positiveOffsets: share(s.positiveOffsets)!,
      positiveItems: share(s.positiveItems)!,
      positiveUsers: share(s.positiveUsers)!,
      blockedOffsets: share(s.blockedOffsets)!,
      blockedItems: share(s.blockedItems)!,
      bitset: share(s.bitset),
      mode: share(s.mode)!,
      aliasProbability: share(s.aliasProbability),
      aliasIndex: share(s.aliasIndex),
      cumulativeWeight: share(s.cumulativeWeight),
      complementMass: share(s.complementMass),
      massBelow: share(s.massBelow),
    };
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
    return this.blocked(user, item);
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
    if (this.state.mode[user] === MODE_NONE) throw this.noNegatives(user);
    for (let i = 0; i < count; i++) out[i] = this.draw(user, random);
    return out;
  }

  /**
   * Instances (or pairs) one epoch produces.
   *
   * @param negativesPerPositive - negatives per positive, a non-negative integer
   * @param kind - `'instances'` (default) for {@link NegativeSampler.batches}: positives x (1 +
   *   negatives); `'pairs'` for {@link NegativeSampler.pairBatches}: positives x negatives
   * @returns the number of rows of an epoch
   * @example
   * ```ts
   * sampler.epochSize(4);          //=> 5 * sampler.numPositives
   * sampler.epochSize(4, 'pairs'); //=> 4 * sampler.numPositives
   * ```
   */
  epochSize(negativesPerPositive: number, kind: 'instances' | 'pairs' = 'instances'): number {
    assertInteger('negativesPerPositive', negativesPerPositive, 0);
    assertOneOf('kind', kind, ['instances', 'pairs'] as const);
    return this.numPositives * (kind === 'pairs' ? negativesPerPositive : 1 + negativesPerPositive);
  }

  /**
   * An epoch of pointwise training batches, generated lazily: positives in a shuffled order, each
   * followed by `negativesPerPositive` fresh negatives. Fully validated before the first batch.
   *
   * @param options - batch size, negatives per positive, epoch and shard (see {@link BatchOptions})
   * @returns a generator of {@link Batch}es; the last may be smaller than `batchSize`
   * @throws RecsysError `NO_POSITIVES` for data without interactions, `NO_NEGATIVES` naming a user
   *   who has every item among their positives and excluded items
   * @example
   * ```ts
   * for (const { users, items, labels } of sampler.batches({ batchSize: 256, negativesPerPositive: 4, epoch })) {
   *   // train on the batch
   * }
   * ```
   */
  batches(options: BatchOptions = {}): Generator<Batch, void, undefined> {
    const plan = this.plan(options, 0);
    return this.generateBatches(plan);
  }

  /**
   * An epoch of pairwise (BPR) batches, generated lazily: for each positive in a shuffled order,
   * `negativesPerPositive` rows (user, positive, sampled negative). The negatives equal those that
   * {@link NegativeSampler.batches} draws for the same seed and epoch.
   *
   * @param options - batch size, negatives per positive (at least 1), epoch and shard
   * @returns a generator of {@link PairBatch}es; the last may be smaller than `batchSize`
   * @throws RecsysError as {@link NegativeSampler.batches}
   * @example
   * ```ts
   * for (const { users, positives, negatives } of sampler.pairBatches({ negativesPerPositive: 1 })) {
   *   // minimise -log sigmoid(score(users, positives) - score(users, negatives))
   * }
   * ```
   */
  pairBatches(options: BatchOptions = {}): Generator<PairBatch, void, undefined> {
    const plan = this.plan(options, 1);
    return this.generatePairs(plan);
  }

  // ---- internals ----

  private plan(options: BatchOptions, minNegatives: number): Plan {
    if (options === null || typeof options !== 'object') {
      throw new RecsysError('INVALID_ARGUMENT', `batch options must be an object, got ${show(options)}`);
    }
    const { batchSize = 256, negativesPerPositive = 4, epoch = 0, shard } = options;
    assertInteger('batchSize', batchSize, 1);
    if (minNegatives === 1) assertInteger('negativesPerPositive', negativesPerPositive, 1);
    else assertInteger('negativesPerPositive', negativesPerPositive, 0);
    assertInteger('epoch', epoch, 0);
    let index = 0;
    let count = 1;
    if (shard !== undefined) {
      if (shard === null || typeof shard !== 'object') throw new RecsysError('INVALID_ARGUMENT', `shard must be { index, count }, got ${show(shard)}`);
      assertInteger('shard.count', shard.count, 1);
      assertInteger('shard.index', shard.index, 0);
      if (shard.index >= shard.count) {
        throw new RecsysError('INVALID_ARGUMENT', `shard.index must be in 0..${shard.count - 1} (shard.count=${shard.count}), got ${shard.index}`);
      }
      index = shard.index;
      count = shard.count;
    }
    if (this.numPositives === 0) throw new RecsysError('NO_POSITIVES', 'the data has no interactions: an epoch would be empty');
    if (negativesPerPositive > 0 && this.saturatedUser >= 0) throw this.noNegatives(this.saturatedUser);
    const p = this.numPositives;
    return {
      batchSize,
      negatives: negativesPerPositive,
      start: Math.floor((p * index) / count),
      end: Math.floor((p * (index + 1)) / count),
      order: this.permutation(epoch),
      negativeSeed: deriveSeed(this.seed ^ 0x5bd1e995, epoch),
    };
  }

  private *generateBatches(plan: Plan): Generator<Batch, void, undefined> {
    const { batchSize, negatives, start, end, order, negativeSeed } = plan;
    const { positiveUsers, positiveItems } = this.state;
    const group = 1 + negatives;
    let remaining = (end - start) * group;
    let position = start;
    let within = 0;
    let user = 0;
    // one mulberry32 stream, reseeded per position without allocating
    const { random, reseed } = reseedableMulberry32();
    while (remaining > 0) {
      const size = Math.min(batchSize, remaining);
      const users = new Int32Array(size);
      const items = new Int32Array(size);
      const labels = new Float32Array(size);
      for (let b = 0; b < size; b++) {
        if (within === 0) {
          const entry = order[position];
          user = positiveUsers[entry];
          reseed(deriveSeed(negativeSeed, position));
          users[b] = user;
          items[b] = positiveItems[entry];
          labels[b] = 1;
        } else {
          users[b] = user;
          items[b] = this.draw(user, random);
        }
        if (++within === group) {
          within = 0;
          position++;
        }
      }
      remaining -= size;
      yield { users, items, labels };
    }
  }

  private *generatePairs(plan: Plan): Generator<PairBatch, void, undefined> {
    const { batchSize, negatives: perPositive, start, end, order, negativeSeed } = plan;
    const { positiveUsers, positiveItems } = this.state;
    let remaining = (end - start) * perPositive;
    let position = start;
    let within = 0;
    let user = 0;
    let positive = 0;
    // one mulberry32 stream, reseeded per position without allocating
    const { random, reseed } = reseedableMulberry32();
    while (remaining > 0) {
      const size = Math.min(batchSize, remaining);
      const users = new Int32Array(size);
      const positives = new Int32Array(size);
      const negatives = new Int32Array(size);
      for (let b = 0; b < size; b++) {
        if (within === 0) {
          const entry = order[position];
          user = positiveUsers[entry];
          positive = positiveItems[entry];
          reseed(deriveSeed(negativeSeed, position));
        }
        users[b] = user;
        positives[b] = positive;
        negatives[b] = this.draw(user, random);
        if (++within === perPositive) {
          within = 0;
          position++;
        }
      }
      remaining -= size;
      yield { users, positives, negatives };
    }
  }

  /** The epoch's shuffled order of positive entries (cached for the last epoch asked). */
  private permutation(epoch: number): Int32Array {
    const cached = this.permutationCache;
    if (cached !== null && cached.epoch === epoch) return cached.order;
    const n = this.numPositives;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const random = mulberry32(deriveSeed(this.seed, epoch));
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    this.permutationCache = { epoch, order };
    return order;
  }

  private blocked(user: number, item: number): boolean {
    const bits = this.state.bitset;
    if (bits !== null) return ((bits[user * this.wordsPerUser + (item >>> 5)] >>> (item & 31)) & 1) === 1;
    const rowItems = this.state.blockedItems;
    let lo = this.state.blockedOffsets[user];
    let hi = this.state.blockedOffsets[user + 1];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = rowItems[mid];
      if (v === item) return true;
      if (v < item) lo = mid + 1;
      else hi = mid;
    }
    return false;
  }

  /** One negative for a user whose mode is not MODE_NONE. */
  private draw(user: number, random: Random): number {
    const s = this.state;
    switch (s.mode[user]) {
      case MODE_REJECT: {
        const n = s.numItems;
        const probability = s.aliasProbability;
        const alias = s.aliasIndex;
        for (let attempt = 0; attempt < MAX_PROPOSALS; attempt++) {
          let item: number;
          if (probability === null || alias === null) item = Math.floor(random() * n);
          else {
            const column = Math.floor(random() * n);
            item = random() < probability[column] ? column : alias[column];
          }
          if (!this.blocked(user, item)) return item;
        }
        return probability === null ? this.exactUniform(user, random) : this.exactPopularity(user, random);
      }
      case MODE_EXACT_POPULARITY:
        return this.exactPopularity(user, random);
      case MODE_EXACT_UNIFORM:
        return this.exactUniform(user, random);
      default:
        throw this.noNegatives(user);
    }
  }

  /** Uniform over the user's free items: the r-th free item is r plus the blocked items before it. */
  private exactUniform(user: number, random: Random): number {
    const { blockedOffsets, blockedItems, numItems } = this.state;
    const start = blockedOffsets[user];
    const end = blockedOffsets[user + 1];
    const r = Math.floor(random() * (numItems - (end - start)));
    // count blocked entries j with blockedItems[j] - (j - start) <= r (non-decreasing in j)
    let lo = start;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (blockedItems[mid] - (mid - start) <= r) lo = mid + 1;
      else hi = mid;
    }
    return r + (lo - start);
  }

  /** Popularity-weighted over the user's free items, by inverting the complement's cumulative mass. */
  private exactPopularity(user: number, random: Random): number {
    const s = this.state;
    const blockedItems = s.blockedItems;
    const cumulative = s.cumulativeWeight!;
    const massBelow = s.massBelow!;
    const start = s.blockedOffsets[user];
    const end = s.blockedOffsets[user + 1];
    const t = random() * s.complementMass![user];
    // c = number of blocked entries whose complement mass below them is <= t: the draw lies after them
    let lo = start;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (massBelow[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    const c = lo;
    const gapStart = c > start ? blockedItems[c - 1] + 1 : 0;
    const gapEnd = c < end ? blockedItems[c] : s.numItems;
    // blocked mass below the gap, so that t maps onto the global cumulative weights
    const blockedBelow =
      c < end ? cumulative[blockedItems[c]] - massBelow[c] : cumulative[s.numItems] - s.complementMass![user];
    const target = t + blockedBelow;
    // first x in the gap with cumulative[x + 1] > target
    lo = gapStart;
    hi = gapEnd;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid + 1] <= target) lo = mid + 1;
      else hi = mid;
    }
    let x = Math.min(lo, gapEnd - 1);
    if (cumulative[x + 1] > cumulative[x]) return x;
    // rounding put the draw on a zero-weight item: take the nearest weighted free item instead
    for (x = lo; x < gapEnd; x++) if (cumulative[x + 1] > cumulative[x]) return x;
    for (x = Math.min(lo, gapEnd) - 1; x >= gapStart; x--) if (cumulative[x + 1] > cumulative[x]) return x;
    // last resort (unreachable barring pathological rounding): the first weighted free item
    for (x = 0; x < s.numItems; x++) if (cumulative[x + 1] > cumulative[x] && !this.blocked(user, x)) return x;
    return this.exactUniform(user, random);
  }

  private noNegatives(user: number): RecsysError {
    return new RecsysError(
      'NO_NEGATIVES',
      `user ${user} has every one of the ${this.numItems} items among their positives and excluded items: there is no negative to sample`,
      { user },
    );
  }
}

interface Plan {
  batchSize: number;
  negatives: number;
  start: number;
  end: number;
  order: Int32Array;
  negativeSeed: number;
}

/** Validates the inputs and precomputes every table. */
function buildState(data: Interactions, options: NegativeSamplerOptions): SamplerState {
  validateInteractions(data, 'data');
  if (options === null || typeof options !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
  }
  const { strategy = 'uniform', alpha = 0.75, exclude, seed = 42 } = options;
  assertOneOf('strategy', strategy, STRATEGIES);
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0) {
    throw new RecsysError('INVALID_ARGUMENT', `alpha must be a finite number >= 0, got ${show(alpha)}`, { value: alpha });
  }
  assertFinite('seed', seed, 'INVALID_ARGUMENT');
  const { numUsers, numItems } = data;
  if (exclude !== undefined && exclude !== null && typeof exclude === 'object' && !isSeenItems(exclude)) {
    validateInteractions(exclude, 'exclude');
    if (exclude.numUsers !== numUsers || exclude.numItems !== numItems) {
      throw new RecsysError(
        'INVALID_SIZE',
        `exclude has ${exclude.numUsers} users x ${exclude.numItems} items but data has ${numUsers} x ${numItems}: both must index the same users and items`,
      );
    }
  }
  const checked = checkExclude(exclude, numUsers, numItems);
  const excluded = checked === undefined ? null : toSeenItems(checked, numUsers);

  const positives = groupSeenItems(data.users, data.items, numUsers);
  const positiveUsers = new Int32Array(positives.items.length);
  for (let u = 0; u < numUsers; u++) positiveUsers.fill(u, positives.offsets[u], positives.offsets[u + 1]);
  const blocked = excluded === null || excluded.items.length === 0 ? positives : mergeSeenItems(positives, excluded);

  let bitset: Uint32Array | null = null;
  const wordsPerUser = (numItems + 31) >>> 5;
  if (numUsers * wordsPerUser * 32 <= MAX_BITSET_BITS) {
    bitset = new Uint32Array(numUsers * wordsPerUser);
    for (let u = 0; u < numUsers; u++) {
      const base = u * wordsPerUser;
      for (let j = blocked.offsets[u]; j < blocked.offsets[u + 1]; j++) {
        const item = blocked.items[j];
        bitset[base + (item >>> 5)] |= 1 << (item & 31);
      }
    }
  }

  const mode = new Uint8Array(numUsers);
  let aliasProbability: Float64Array | null = null;
  let aliasIndex: Int32Array | null = null;
  let cumulativeWeight: Float64Array | null = null;
  let complementMass: Float64Array | null = null;
  let massBelow: Float64Array | null = null;

  if (strategy === 'uniform') {
    for (let u = 0; u < numUsers; u++) {
      const m = blocked.offsets[u + 1] - blocked.offsets[u];
      mode[u] = m === numItems ? MODE_NONE : 2 * m <= numItems ? MODE_REJECT : MODE_EXACT_UNIFORM;
    }
  } else {
    // normalising by the largest count keeps count^alpha finite for any alpha
    const counts = new Float64Array(numItems);
    for (let j = 0; j < positives.items.length; j++) counts[positives.items[j]]++;
    let maxCount = 0;
    for (let i = 0; i < numItems; i++) if (counts[i] > maxCount) maxCount = counts[i];
    const weights = new Float64Array(numItems);
    let weightedItems = 0;
    for (let i = 0; i < numItems; i++) {
      weights[i] = maxCount > 0 ? Math.pow(counts[i] / maxCount, alpha) : alpha === 0 ? 1 : 0;
      if (weights[i] > 0) weightedItems++;
    }
    cumulativeWeight = new Float64Array(numItems + 1);
    for (let i = 0; i < numItems; i++) cumulativeWeight[i + 1] = cumulativeWeight[i] + weights[i];
    const total = cumulativeWeight[numItems];
    if (weightedItems > 0) {
      const table = buildAliasTable(weights);
      aliasProbability = table.probability;
      aliasIndex = table.alias;
    }
    complementMass = new Float64Array(numUsers);
    massBelow = new Float64Array(blocked.items.length);
    for (let u = 0; u < numUsers; u++) {
      const start = blocked.offsets[u];
      const end = blocked.offsets[u + 1];
      let below = 0;
      let weightedBlocked = 0;
      for (let j = start; j < end; j++) {
        const item = blocked.items[j];
        massBelow[j] = cumulativeWeight[item] - below;
        below += weights[item];
        if (weights[item] > 0) weightedBlocked++;
      }
      complementMass[u] = total - below;
      const m = end - start;
      if (m === numItems) mode[u] = MODE_NONE;
      else if (weightedBlocked === weightedItems) mode[u] = MODE_EXACT_UNIFORM; // only zero-weight items are free
      else mode[u] = 2 * complementMass[u] >= total ? MODE_REJECT : MODE_EXACT_POPULARITY;
    }
  }

  return {
    version: 1,
    strategy,
    alpha,
    seed,
    numUsers,
    numItems,
    positiveOffsets: positives.offsets,
    positiveItems: positives.items,
    positiveUsers,
    blockedOffsets: blocked.offsets,
    blockedItems: blocked.items,
    bitset,
    mode,
    aliasProbability,
    aliasIndex,
    cumulativeWeight,
    complementMass,
    massBelow,
  };
}

/** Cheap consistency checks of a state handed to fromState. */
function checkState(state: SamplerState): void {
  if (state === null || typeof state !== 'object' || state.version !== 1) {
    throw new RecsysError('INVALID_ARGUMENT', `state must be a SamplerState of version 1 (from getState()), got ${show(state)}`);
  }
  assertOneOf('state.strategy', state.strategy, STRATEGIES);
  assertInteger('state.numUsers', state.numUsers, 1, 'INVALID_SIZE');
  assertInteger('state.numItems', state.numItems, 1, 'INVALID_SIZE');
  const { numUsers, numItems } = state;
  const expect = (name: string, value: unknown, Ctor: unknown, length: number | null): void => {
    if (!(value instanceof (Ctor as typeof Int32Array)) || (length !== null && value.length !== length)) {
      throw new RecsysError(
        'INVALID_ARGUMENT',
        `state.${name} must be a ${(Ctor as { name: string }).name}${length !== null ? ` of length ${length}` : ''}, got ${show(value)}`,
      );
    }
  };
  expect('positiveOffsets', state.positiveOffsets, Int32Array, numUsers + 1);
  expect('positiveItems', state.positiveItems, Int32Array, state.positiveOffsets[numUsers]);
  expect('positiveUsers', state.positiveUsers, Int32Array, state.positiveItems.length);
  expect('blockedOffsets', state.blockedOffsets, Int32Array, numUsers + 1);
  expect('blockedItems', state.blockedItems, Int32Array, state.blockedOffsets[numUsers]);
  expect('mode', state.mode, Uint8Array, numUsers);
  if (state.bitset !== null) expect('bitset', state.bitset, Uint32Array, numUsers * ((numItems + 31) >>> 5));
  if (state.strategy === 'popularity') {
    expect('cumulativeWeight', state.cumulativeWeight, Float64Array, numItems + 1);
    expect('complementMass', state.complementMass, Float64Array, numUsers);
    expect('massBelow', state.massBelow, Float64Array, state.blockedItems.length);
    if (state.aliasProbability !== null) {
      expect('aliasProbability', state.aliasProbability, Float64Array, numItems);
      expect('aliasIndex', state.aliasIndex, Int32Array, numItems);
    }
  }
}
