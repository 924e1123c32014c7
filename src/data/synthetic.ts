// Seeded synthetic implicit feedback with a planted structure that a collaborative model can learn
// and popularity cannot: the library's built-in data for examples, tests and quick experiments.
import { RecsysError } from '../errors.js';
import { assertFinite, assertInRange, assertInteger, show } from '../_lib/validate.js';
import { mulberry32, randomInt, type Random } from '../_lib/random.js';
import type { Interactions } from './interactions.js';
import { growableFloat64, growableInt32 } from './_internal/growable.js';

/** Options of {@link syntheticInteractions}. @category Data */
export interface SyntheticOptions {
  /** Number of users. Default 300. */
  numUsers?: number;
  /** Number of items. Default 200. */
  numItems?: number;
  /** Mean number of interactions per user; each user draws a count uniformly in [0.5, 1.5] times it (at least 2). Default 20. */
  interactionsPerUser?: number;
  /** Number of hidden binary traits of a user (2..8); items have one fewer. Default 3: 8 user groups, 4 item groups. */
  traits?: number;
  /** Share of interactions that ignore taste (an item drawn by popularity alone), in [0, 1). Default 0.1. */
  noise?: number;
  /** Popularity skew: an item's draw weight is `rank^-popularitySkew` over a random ranking (0 = none). Default 0.8. */
  popularitySkew?: number;
  /** Seed of everything random. Default 42. */
  seed?: number;
  /** Time of the earliest possible interaction, in seconds. Default 1_600_000_000 (September 2020). */
  startTime?: number;
}

/** The hidden structure behind {@link syntheticInteractions}: what an oracle would know. @category Data */
export interface SyntheticTruth {
  /** Each user's traits as a bit field (bit k = trait k), in 0..2^traits-1. */
  readonly userTraits: Int32Array;
  /** Each item's traits as a bit field, in 0..2^(traits-1)-1. */
  readonly itemTraits: Int32Array;
  /** For each user trait bit field, the item trait bit field that user likes: `t ^ (t >> 1)` cut to traits-1 bits. */
  readonly likedTraits: Int32Array;
  /** Each item's popularity weight (the draw weight before taste). */
  readonly itemWeights: Float64Array;
}

/** Synthetic interactions: always timestamped, with the hidden structure that generated them. @category Data */
export interface SyntheticInteractions extends Interactions {
  /** Seconds; strictly increasing within each user, no ties. */
  readonly timestamps: Float64Array;
  /** The planted structure (for oracles, tests and demos; models never see it). */
  readonly truth: SyntheticTruth;
}

/** Draws one index of `weights` proportionally (entries with weight 0 never), or -1 when all are 0. */
function drawWeighted(random: Random, weights: Float64Array, total: number): number {
  if (!(total > 0)) return -1;
  let r = random() * total;
  let last = -1;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i] > 0) {
      last = i;
      r -= weights[i];
      if (r < 0) return i;
    }
  }
  return last; // rounding left r >= 0: the last eligible item
}

/**
 * Seeded synthetic implicit feedback with a planted, non-linear taste structure. Same options,
 * same output, in every runtime.
 *
 * The generative story:
 * 1. Every user has `traits` hidden binary traits `a_0..a_{T-1}` and every item `traits - 1`
 *    traits `x_0..x_{T-2}`, assigned in balanced random groups.
 * 2. A user likes an item exactly when `x_k = a_k XOR a_(k+1)` for every k. Each user thus likes
 *    one item group in `2^(traits-1)` (a quarter of the items by default), and opposite users
 *    (all traits flipped) like the same items: taste is an interaction of traits, an XOR, which
 *    no model additive in user and item traits can express, and which popularity ignores.
 * 3. Items have a popularity weight `rank^-popularitySkew` over a random ranking (a mild skew).
 * 4. Each user makes about `interactionsPerUser` interactions with distinct items: each one, with
 *    probability `noise`, is an item drawn by popularity from all items, else an item drawn by
 *    popularity from the liked group (all items once the group is used up).
 * 5. Timestamps: each user starts at a random time within 30 days of `startTime` and then
 *    interacts about once an hour (strictly increasing, no ties); draws are independent of time,
 *    so the latest interaction is as predictable as any other.
 *
 * Entries are ordered by user, then time. An oracle that knows the liked groups reaches a
 * leave-one-out HR@10 (full ranking) several times that of popularity; a collaborative model
 * (NeuMF, GMF) learns the groups from co-occurrence within a few epochs.
 *
 * @param options - sizes, structure, noise, seed (all optional; see {@link SyntheticOptions})
 * @returns timestamped interactions with their hidden `truth`
 * @example
 * ```ts
 * const data = syntheticInteractions({ seed: 1 });
 * [data.numUsers, data.numItems]; //=> [300, 200]
 * data.users.length; // about 6000
 * const { train, test } = leaveOneOut(data, { by: 'time' });
 * test.users.length; //=> 300
 * ```
 */
export function syntheticInteractions(options: SyntheticOptions = {}): SyntheticInteractions {
  if (options === null || typeof options !== 'object') throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
  const numUsers = options.numUsers ?? 300;
  const numItems = options.numItems ?? 200;
  const perUser = options.interactionsPerUser ?? 20;
  const traits = options.traits ?? 3;
  const noise = options.noise ?? 0.1;
  const skew = options.popularitySkew ?? 0.8;
  const seed = options.seed ?? 42;
  const startTime = options.startTime ?? 1_600_000_000;
  assertInteger('numUsers', numUsers, 1, 'INVALID_SIZE');
  assertInteger('numItems', numItems, 2, 'INVALID_SIZE');
  assertInteger('traits', traits, 2);
  if (traits > 8) throw new RecsysError('INVALID_ARGUMENT', `traits must be at most 8, got ${traits}`);
  const itemGroups = 1 << (traits - 1);
  if (numItems < itemGroups) {
    throw new RecsysError('INVALID_SIZE', `numItems must be at least 2^(traits-1) = ${itemGroups} so every item group is used, got ${numItems}`);
  }
  assertInRange('interactionsPerUser', perUser, 2, numItems);
  assertInRange('noise', noise, 0, 1, { hiOpen: true });
  assertInRange('popularitySkew', skew, 0, 10);
  assertFinite('seed', seed, 'INVALID_ARGUMENT');
  assertFinite('startTime', startTime, 'INVALID_ARGUMENT');

  const random = mulberry32(seed);
  const shuffledGroups = (count: number, groups: number): Int32Array => {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = i % groups;
    for (let i = count - 1; i > 0; i--) {
      const j = randomInt(random, i + 1);
      const tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
    return out;
  };
  const userTraits = shuffledGroups(numUsers, 1 << traits);
  const itemTraits = shuffledGroups(numItems, itemGroups);
  const likedTraits = new Int32Array(1 << traits);
  for (let t = 0; t < likedTraits.length; t++) likedTraits[t] = (t ^ (t >> 1)) & (itemGroups - 1);
  // popularity: a random ranking, weight rank^-skew
  const rank = shuffledGroups(numItems, numItems);
  const itemWeights = new Float64Array(numItems);
  for (let i = 0; i < numItems; i++) itemWeights[i] = Math.pow(rank[i] + 1, -skew);

  const users = growableInt32(numUsers * perUser);
  const items = growableInt32(numUsers * perUser);
  const times = growableFloat64(numUsers * perUser);
  const liked = new Float64Array(numItems);
  const any = new Float64Array(numItems);
  const maxCount = Math.min(numItems, Math.max(2, Math.round(perUser * 1.5)));
  for (let u = 0; u < numUsers; u++) {
    const want = likedTraits[userTraits[u]];
    let likedTotal = 0;
    let anyTotal = 0;
    for (let i = 0; i < numItems; i++) {
      any[i] = itemWeights[i];
      anyTotal += itemWeights[i];
      liked[i] = itemTraits[i] === want ? itemWeights[i] : 0;
      likedTotal += liked[i];
    }
    const count = Math.min(maxCount, Math.max(2, Math.round(perUser * (0.5 + random()))));
    let time = Math.floor(startTime + random() * 30 * 86_400);
    for (let n = 0; n < count; n++) {
      const fromTaste = random() >= noise && likedTotal > 1e-9;
      let item = fromTaste ? drawWeighted(random, liked, likedTotal) : -1;
      if (item < 0) item = drawWeighted(random, any, anyTotal);
      time += 1800 + Math.floor(random() * 3600);
      users.push(u);
      items.push(item);
      times.push(time);
      anyTotal -= any[item];
      any[item] = 0;
      likedTotal -= liked[item];
      liked[item] = 0;
    }
  }
  return {
    users: users.finish(),
    items: items.finish(),
    timestamps: times.finish(),
    numUsers,
    numItems,
    truth: { userTraits, itemTraits, likedTraits, itemWeights },
  };
}
