// Seeded synthetic implicit feedback with a planted structure that a collaborative model can learn
// and popularity cannot: the library's built-in data for examples, tests and quick experiments.
import { RecsysError } from '../errors.js';
import { assertFinite, assertInRange, assertInteger, show } from '../_lib/validate.js';
import { mulberry32, type Random } from '../_lib/random.js';
import type { Interactions } from './interactions.js';
import { growableFloat64, growableInt32 } from './_internal/growable.js';
import { shuffle } from './_internal/weighted-draws.js';

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
  const o = syntheticSettings(options);
  const { numUsers, numItems, traits } = o;
  const random = mulberry32(o.seed);
  const itemGroups = 1 << (traits - 1);
  const userTraits = shuffledGroups(random, numUsers, 1 << traits);
  const itemTraits = shuffledGroups(random, numItems, itemGroups);
  const likedTraits = new Int32Array(1 << traits);
  for (let t = 0; t < likedTraits.length; t++) likedTraits[t] = (t ^ (t >> 1)) & (itemGroups - 1);
  // popularity: a random ranking, weight rank^-skew
  const rank = shuffledGroups(random, numItems, numItems);
  const itemWeights = new Float64Array(numItems);
  for (let i = 0; i < numItems; i++) itemWeights[i] = Math.pow(rank[i] + 1, -o.skew);
  const truth = { userTraits, itemTraits, likedTraits, itemWeights };
  const rows = { users: growableInt32(numUsers * o.perUser), items: growableInt32(numUsers * o.perUser), times: growableFloat64(numUsers * o.perUser) };
  const draw = { liked: new Float64Array(numItems), any: new Float64Array(numItems), maxCount: Math.min(numItems, Math.max(2, Math.round(o.perUser * 1.5))) };
  for (let u = 0; u < numUsers; u++) drawUser(u, o, truth, random, draw, rows);
  return { users: rows.users.finish(), items: rows.items.finish(), timestamps: rows.times.finish(), numUsers, numItems, truth };
}

/** The options with their defaults, checked. */
function syntheticSettings(options: SyntheticOptions) {
  if (options === null || typeof options !== 'object') throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
  const o = {
    numUsers: options.numUsers ?? 300,
    numItems: options.numItems ?? 200,
    perUser: options.interactionsPerUser ?? 20,
    traits: options.traits ?? 3,
    noise: options.noise ?? 0.1,
    skew: options.popularitySkew ?? 0.8,
    seed: options.seed ?? 42,
    startTime: options.startTime ?? 1_600_000_000,
  };
  assertInteger('numUsers', o.numUsers, 1, 'INVALID_SIZE');
  assertInteger('numItems', o.numItems, 2, 'INVALID_SIZE');
  assertInteger('traits', o.traits, 2);
  if (o.traits > 8) throw new RecsysError('INVALID_ARGUMENT', `traits must be at most 8, got ${o.traits}`);
  const itemGroups = 1 << (o.traits - 1);
  if (o.numItems < itemGroups) {
    throw new RecsysError('INVALID_SIZE', `numItems must be at least 2^(traits-1) = ${itemGroups} so every item group is used, got ${o.numItems}`);
  }
  assertInRange('interactionsPerUser', o.perUser, 2, o.numItems);
  assertInRange('noise', o.noise, 0, 1, { hiOpen: true });
  assertInRange('popularitySkew', o.skew, 0, 10);
  assertFinite('seed', o.seed, 'INVALID_ARGUMENT');
  assertFinite('startTime', o.startTime, 'INVALID_ARGUMENT');
  return o;
}

/** `count` entries holding 0..groups-1 in turn, shuffled (Fisher-Yates). */
function shuffledGroups(random: Random, count: number, groups: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = i % groups;
  shuffle(random, out);
  return out;
}

/** Draws user `u`'s distinct items: mostly from the trait group it likes, by popularity, in time order. */
function drawUser(
  u: number,
  o: ReturnType<typeof syntheticSettings>,
  truth: SyntheticTruth,
  random: Random,
  draw: { liked: Float64Array; any: Float64Array; maxCount: number },
  rows: { users: ReturnType<typeof growableInt32>; items: ReturnType<typeof growableInt32>; times: ReturnType<typeof growableFloat64> },
): void {
  const { liked, any } = draw;
  const { itemWeights, itemTraits } = truth;
  const want = truth.likedTraits[truth.userTraits[u]];
  let likedTotal = 0;
  let anyTotal = 0;
  for (let i = 0; i < o.numItems; i++) {
    any[i] = itemWeights[i];
    anyTotal += itemWeights[i];
    liked[i] = itemTraits[i] === want ? itemWeights[i] : 0;
    likedTotal += liked[i];
  }
  const count = Math.min(draw.maxCount, Math.max(2, Math.round(o.perUser * (0.5 + random()))));
  let time = Math.floor(o.startTime + random() * 30 * 86_400);
  for (let n = 0; n < count; n++) {
    const fromTaste = random() >= o.noise && likedTotal > 1e-9;
    let item = fromTaste ? drawWeighted(random, liked, likedTotal) : -1;
    if (item < 0) item = drawWeighted(random, any, anyTotal);
    time += 1800 + Math.floor(random() * 3600);
    rows.users.push(u);
    rows.items.push(item);
    rows.times.push(time);
    anyTotal -= any[item];
    any[item] = 0;
    likedTotal -= liked[item];
    liked[item] = 0;
  }
}
