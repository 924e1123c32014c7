// One epoch of training batches, generated lazily from the sampler's tables.
//
// Randomness: the epoch's shuffle of positives comes from mulberry32(deriveSeed(seed, epoch)); the
// negatives of the positive at permuted position p come from a mulberry32 stream seeded by
// deriveSeed(negative seed of the epoch, p). So every instance is a pure function of (seed,
// epoch, position): batch size and sharding across worker threads do not change which negatives
// a positive gets, and the union of the shards is exactly the unsharded epoch. Only the epoch's
// permutation of positives (4 bytes each) is held; each yielded batch owns fresh typed arrays, so
// consumers may keep or transfer them.
import { RecsysError } from '../errors.js';
import { assertInteger, show } from '../_lib/validate.js';
import { optionAlias } from '../_lib/deprecated.js';
import { deriveSeed, mulberry32, reseedableMulberry32 } from '../_lib/random.js';
import type { Batch, BatchOptions, PairBatch } from './negative-sampler.js';
import type { NegativeDraws } from './sampler-draws.js';

/**
 * Negatives drawn per training positive when none is given: the one default of the count, shared by
 * `train({ negatives })`, the sampler's batch options and fold-in (He et al. 2017 use 4).
 */
export const DEFAULT_NEGATIVES = 4;

/** What one epoch (or one shard of it) produces. */
export interface Plan {
  /** Rows per batch. */
  batchSize: number;
  /** Negatives per positive. */
  negatives: number;
  /** First and one-past-last position of the shuffled positives to produce. */
  start: number;
  end: number;
  /** The epoch's shuffled order of positive entries. */
  order: Int32Array;
  /** Seeds each position's negatives (with the position). */
  negativeSeed: number;
}

/** Checked batch options: sizes, the epoch and the shard (index of count). */
export interface CheckedBatchOptions {
  batchSize: number;
  negatives: number;
  epoch: number;
  shardIndex: number;
  shardCount: number;
}

/** Checks batch options (`minNegatives` 1 for pairs) and fills in the defaults. */
export function checkBatchOptions(options: BatchOptions, minNegatives: 0 | 1): CheckedBatchOptions {
  if (options === null || typeof options !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `batch options must be an object, got ${show(options)}`);
  }
  const { batchSize = 256, epoch = 0, shard } = options;
  const alias = optionAlias(options, 'negatives', 'negativesPerPositive');
  const negatives = alias.value ?? DEFAULT_NEGATIVES;
  assertInteger('batchSize', batchSize, 1);
  assertInteger(alias.given, negatives, minNegatives);
  assertInteger('epoch', epoch, 0);
  if (shard === undefined) return { batchSize, negatives, epoch, shardIndex: 0, shardCount: 1 };
  if (shard === null || typeof shard !== 'object') throw new RecsysError('INVALID_ARGUMENT', `shard must be { index, count }, got ${show(shard)}`);
  assertInteger('shard.count', shard.count, 1);
  assertInteger('shard.index', shard.index, 0);
  if (shard.index >= shard.count) {
    throw new RecsysError('INVALID_ARGUMENT', `shard.index must be in 0..${shard.count - 1} (shard.count=${shard.count}), got ${shard.index}`);
  }
  return { batchSize, negatives, epoch, shardIndex: shard.index, shardCount: shard.count };
}

/** The plan of a checked epoch over `numPositives` positives shuffled as `order`. */
export function epochPlan(checked: CheckedBatchOptions, numPositives: number, order: Int32Array, seed: number): Plan {
  const { batchSize, negatives, epoch, shardIndex, shardCount } = checked;
  return {
    batchSize,
    negatives,
    start: Math.floor((numPositives * shardIndex) / shardCount),
    end: Math.floor((numPositives * (shardIndex + 1)) / shardCount),
    order,
    negativeSeed: deriveSeed(seed ^ 0x5bd1e995, epoch),
  };
}

/** The epoch's shuffled order of the positive entries 0..numPositives-1 (Fisher-Yates). */
export function shuffledPositives(numPositives: number, seed: number, epoch: number): Int32Array {
  const order = new Int32Array(numPositives);
  for (let i = 0; i < numPositives; i++) order[i] = i;
  const random = mulberry32(deriveSeed(seed, epoch));
  for (let i = numPositives - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** An epoch (or shard) of pointwise batches: each positive, then its negatives. */
export function* pointwiseBatches(draws: NegativeDraws, plan: Plan): Generator<Batch, void, undefined> {
  const { batchSize, negatives, start, end, order, negativeSeed } = plan;
  const { positiveUsers, positiveItems, positiveWeights } = draws.tables;
  let remaining = (end - start) * (1 + negatives);
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
    // a weighted sampler: the positive's confidence, 1 for each negative
    const weights = positiveWeights === null ? undefined : new Float32Array(size).fill(1);
    for (let b = 0; b < size; b++) {
      if (within === 0) {
        const entry = order[position];
        user = positiveUsers[entry];
        reseed(deriveSeed(negativeSeed, position));
        users[b] = user;
        items[b] = positiveItems[entry];
        labels[b] = 1;
        if (weights !== undefined) weights[b] = (positiveWeights as Float32Array)[entry];
      } else {
        users[b] = user;
        items[b] = draws.draw(user, random);
      }
      if (++within === 1 + negatives) {
        within = 0;
        position++;
      }
    }
    remaining -= size;
    yield weights === undefined ? { users, items, labels } : { users, items, labels, weights };
  }
}

/** An epoch (or shard) of pairwise batches: per positive, one row per sampled negative. */
export function* pairwiseBatches(draws: NegativeDraws, plan: Plan): Generator<PairBatch, void, undefined> {
  const { batchSize, negatives, start, end, order, negativeSeed } = plan;
  const { positiveUsers, positiveItems, positiveWeights } = draws.tables;
  let remaining = (end - start) * negatives;
  let position = start;
  let within = 0;
  let user = 0;
  let positive = 0;
  let confidence = 1;
  // one mulberry32 stream, reseeded per position without allocating
  const { random, reseed } = reseedableMulberry32();
  while (remaining > 0) {
    const size = Math.min(batchSize, remaining);
    const users = new Int32Array(size);
    const positives = new Int32Array(size);
    const drawn = new Int32Array(size);
    const weights = positiveWeights === null ? undefined : new Float32Array(size);
    for (let b = 0; b < size; b++) {
      if (within === 0) {
        const entry = order[position];
        user = positiveUsers[entry];
        positive = positiveItems[entry];
        if (positiveWeights !== null) confidence = positiveWeights[entry];
        reseed(deriveSeed(negativeSeed, position));
      }
      users[b] = user;
      positives[b] = positive;
      if (weights !== undefined) weights[b] = confidence;
      drawn[b] = draws.draw(user, random);
      if (++within === negatives) {
        within = 0;
        position++;
      }
    }
    remaining -= size;
    yield weights === undefined ? { users, positives, negatives: drawn } : { users, positives, negatives: drawn, weights };
  }
}
