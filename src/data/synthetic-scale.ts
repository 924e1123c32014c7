// Seeded synthetic implicit feedback shaped like MovieLens-20M (138,493 users, 26,744 items,
// 20,000,263 interactions, power-law activity and popularity, a planted low-rank taste structure):
// the data of the scale benchmark, built in O(interactions) time and memory. No TensorFlow.js here.
import { RecsysError } from '../errors.js';
import { assertFinite, assertInRange, assertInteger, show } from '../_lib/validate.js';
import { mulberry32, randomInt, type Random } from '../_lib/random.js';
import type { Interactions } from './interactions.js';
import { allocate, shuffle, SumTree } from './_internal/weighted-draws.js';

/**
 * The sizes of MovieLens-20M (GroupLens, 2015), which {@link syntheticMovieLens20M} reproduces by
 * default: users, items with at least one rating, ratings, and the fewest ratings of a user.
 *
 * @example
 * ```ts
 * MOVIELENS_20M_SHAPE.numInteractions; //=> 20000263
 * ```
 */
export const MOVIELENS_20M_SHAPE = Object.freeze({
  /** Users (each with at least 20 ratings). */
  numUsers: 138_493,
  /** Movies with at least one rating. */
  numItems: 26_744,
  /** Ratings. */
  numInteractions: 20_000_263,
  /** Fewest ratings of a user. */
  minPerUser: 20,
});

/** Options of {@link syntheticMovieLens20M}. Every field is optional. */
export interface SyntheticMovieLens20MOptions {
  /**
   * Scales MovieLens-20M for a quicker (or larger) run, e.g. 0.05: users and interactions are
   * multiplied by `scale`, items by `sqrt(scale)` (each rounded), so the mean activity stays about
   * 144 per user and a user still holds a small share of the catalogue; in (0, 4]. Default 1.
   * Not allowed together with an explicit `numUsers`, `numItems` or `numInteractions`.
   */
  scale?: number;
  /** Number of users. Default 138,493 (times `scale`). */
  numUsers?: number;
  /** Number of items. Default 26,744 (times `sqrt(scale)`). */
  numItems?: number;
  /** Exact number of interactions (distinct user-item pairs). Default 20,000,263 (times `scale`). */
  numInteractions?: number;
  /** Fewest interactions of a user (MovieLens keeps users with at least 20). Default 20. */
  minPerUser?: number;
  /**
   * Most interactions of a user. Default 35% of the items (MovieLens-20M's most active user rated
   * 9,254 of 26,744 movies), and at least `minPerUser`.
   */
  maxPerUser?: number;
  /**
   * Exponent `a` of user activity: the user of activity rank r (1 = most active, of U) gets
   * `minPerUser` plus a share of the rest proportional to
   * `(r + activityOffset)^-a - (U + activityOffset)^-a` (so the least active user gets exactly
   * `minPerUser`). Default 0.58 (fitted with `activityOffset` to MovieLens-20M: most active user
   * about 9,300 (9,254 in ML-20M), median 68 (68), 10th percentile about 26).
   */
  activityExponent?: number;
  /** Offset of the activity power law (flattens its head). Default 50. */
  activityOffset?: number;
  /**
   * Exponent `b` of item popularity: the item of popularity rank r is drawn with weight
   * `(r + popularityOffset)^-b`. Default 2.32, fitted with `popularityOffset` so that the weights
   * alone would give MovieLens-20M's most popular item (67,310) and median item (18). Draws without
   * replacement flatten this: heavy users reach deep into the tail and a user takes an item at
   * most once, so with the defaults the most popular item gets about 31,000 interactions, the
   * median item about 90, and the top 1% of items about 29% of all interactions.
   */
  popularityExponent?: number;
  /** Offset of the popularity power law (flattens its head). Default 400. */
  popularityOffset?: number;
  /** Number of hidden taste groups (like genres); every item belongs to one. In 1..numItems. Default 10 (fewer when there are fewer items). */
  groups?: number;
  /** Share of a user's draws that ignore taste (drawn by popularity from all items), in [0, 1]. Default 0.3. */
  noise?: number;
  /** Seed of everything random. Default 42. */
  seed?: number;
  /** Earliest possible timestamp, in seconds. Default 789,652,009 (MovieLens-20M's first rating, January 1995). */
  startTime?: number;
}

/** The hidden structure behind {@link syntheticMovieLens20M}: what an oracle would know. */
export interface SyntheticMovieLens20MTruth {
  /** Each item's taste group, in 0..groups-1. */
  readonly itemGroups: Int32Array;
  /** Each user's primary group (entry 2u) and secondary group (entry 2u+1). */
  readonly userGroups: Int32Array;
  /** Each item's popularity weight (its draw weight before taste). */
  readonly itemWeights: Float64Array;
  /** Each user's number of interactions. */
  readonly userCounts: Int32Array;
}

/** Interactions from {@link syntheticMovieLens20M}: timestamped, with the structure that generated them. */
export interface SyntheticMovieLens20M extends Interactions {
  /** Seconds; strictly increasing within each user. */
  readonly timestamps: Float64Array;
  /** The planted structure (for oracles and tests; models never see it). */
  readonly truth: SyntheticMovieLens20MTruth;
}

const KNOWN_OPTIONS: readonly (keyof SyntheticMovieLens20MOptions)[] = [
  'scale',
  'numUsers',
  'numItems',
  'numInteractions',
  'minPerUser',
  'maxPerUser',
  'activityExponent',
  'activityOffset',
  'popularityExponent',
  'popularityOffset',
  'groups',
  'noise',
  'seed',
  'startTime',
];

/** Seconds over which users' first interactions spread (about 20 years, as in MovieLens-20M). */
const START_SPREAD = 20 * 365 * 86_400;

interface ResolvedOptions {
  numUsers: number;
  numItems: number;
  numInteractions: number;
  minPerUser: number;
  maxPerUser: number;
  activityExponent: number;
  activityOffset: number;
  popularityExponent: number;
  popularityOffset: number;
  groups: number;
  noise: number;
  seed: number;
  startTime: number;
}

function resolve(options: SyntheticMovieLens20MOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
  for (const key of Object.keys(options)) {
    if (!(KNOWN_OPTIONS as readonly string[]).includes(key)) {
      throw new RecsysError('INVALID_ARGUMENT', `unknown option ${show(key)} of syntheticMovieLens20M; known: ${KNOWN_OPTIONS.join(', ')}`, { option: key });
    }
  }
  const { scale } = options;
  if (scale !== undefined) {
    assertInRange('scale', scale, 0, 4, { loOpen: true, code: 'INVALID_SIZE' });
    for (const key of ['numUsers', 'numItems', 'numInteractions'] as const) {
      if (options[key] !== undefined) {
        throw new RecsysError('INVALID_ARGUMENT', `scale = ${scale} and ${key} = ${show(options[key])} conflict: give either scale or explicit sizes`, { option: key });
      }
    }
  }
  const factor = scale ?? 1;
  const numUsers = options.numUsers ?? Math.max(1, Math.round(MOVIELENS_20M_SHAPE.numUsers * factor));
  const numItems = options.numItems ?? Math.max(1, Math.round(MOVIELENS_20M_SHAPE.numItems * Math.sqrt(factor)));
  const numInteractions = options.numInteractions ?? Math.round(MOVIELENS_20M_SHAPE.numInteractions * factor);
  assertInteger('numUsers', numUsers, 1, 'INVALID_SIZE');
  assertInteger('numItems', numItems, 1, 'INVALID_SIZE');
  assertInteger('numInteractions', numInteractions, 1, 'INVALID_SIZE');
  if (numInteractions > 2 ** 31 - 1) {
    throw new RecsysError('INVALID_SIZE', `numInteractions must be at most 2^31 - 1 (typed array length), got ${numInteractions}`, { value: numInteractions });
  }
  const minPerUser = options.minPerUser ?? MOVIELENS_20M_SHAPE.minPerUser;
  assertInteger('minPerUser', minPerUser, 1, 'INVALID_SIZE');
  if (minPerUser > numItems) {
    throw new RecsysError('INVALID_SIZE', `minPerUser = ${minPerUser} exceeds numItems = ${numItems}: a user's interactions are distinct items`, { value: minPerUser });
  }
  const maxPerUser = options.maxPerUser ?? Math.min(numItems, Math.max(minPerUser, Math.round(0.35 * numItems)));
  assertInteger('maxPerUser', maxPerUser, minPerUser, 'INVALID_SIZE');
  if (maxPerUser > numItems) {
    throw new RecsysError('INVALID_SIZE', `maxPerUser = ${maxPerUser} exceeds numItems = ${numItems}: a user's interactions are distinct items`, { value: maxPerUser });
  }
  if (numInteractions < numUsers * minPerUser || numInteractions > numUsers * maxPerUser) {
    throw new RecsysError(
      'INVALID_SIZE',
      `numInteractions = ${numInteractions} cannot be split among ${numUsers} users with ${minPerUser}..${maxPerUser} each ` +
        `(possible: ${numUsers * minPerUser}..${numUsers * maxPerUser}); change numInteractions, minPerUser or maxPerUser`,
      { value: numInteractions },
    );
  }
  const activityExponent = options.activityExponent ?? 0.58;
  const activityOffset = options.activityOffset ?? 50;
  const popularityExponent = options.popularityExponent ?? 2.32;
  const popularityOffset = options.popularityOffset ?? 400;
  assertInRange('activityExponent', activityExponent, 0, 10);
  assertInRange('activityOffset', activityOffset, 0, 1e9);
  assertInRange('popularityExponent', popularityExponent, 0, 10);
  assertInRange('popularityOffset', popularityOffset, 0, 1e9);
  const groups = options.groups ?? Math.min(10, numItems);
  assertInteger('groups', groups, 1);
  if (groups > numItems) throw new RecsysError('INVALID_ARGUMENT', `groups = ${groups} exceeds numItems = ${numItems}: every group needs an item`, { value: groups });
  const noise = options.noise ?? 0.3;
  assertInRange('noise', noise, 0, 1);
  const seed = options.seed ?? 42;
  const startTime = options.startTime ?? 789_652_009;
  assertFinite('seed', seed, 'INVALID_ARGUMENT');
  assertFinite('startTime', startTime, 'INVALID_ARGUMENT');
  return {
    numUsers,
    numItems,
    numInteractions,
    minPerUser,
    maxPerUser,
    activityExponent,
    activityOffset,
    popularityExponent,
    popularityOffset,
    groups,
    noise,
    seed,
    startTime,
  };
}

/**
 * Seeded synthetic implicit feedback shaped like MovieLens-20M, for benchmarks at scale: by
 * default 138,493 users, 26,744 items and exactly 20,000,263 distinct (user, item) pairs, built in
 * O(interactions + items + users) time and memory (about 20 bytes per interaction: users and items
 * as Int32, timestamps as Float64). Same options, same output, in every runtime.
 *
 * The generative story:
 * 1. **Activity**: users get a random activity rank r; user counts are `minPerUser` plus a share of
 *    the remaining interactions proportional to `(r + activityOffset)^-activityExponent`, at most
 *    `maxPerUser`, summing exactly to `numInteractions`.
 * 2. **Popularity**: items get a random popularity rank r and weight
 *    `(r + popularityOffset)^-popularityExponent`.
 * 3. **Taste** (a planted rank-`groups` structure): items are dealt to `groups` groups by
 *    popularity rank (each round of `groups` ranks shuffled), so every group has the same
 *    popularity curve; each user has a primary and a secondary group (distinct when `groups > 1`).
 * 4. **Draws**: each of a user's interactions is a distinct item, drawn by popularity among the
 *    items the user has not drawn yet from the primary group (probability `2(1-noise)/3`), the
 *    secondary group (`(1-noise)/3`) or all items (`noise`); an exhausted group falls back to all
 *    items. Sum trees make each draw O(log items), so heavy users cost no more per item.
 * 5. **Time**: each user's items are shuffled, then get strictly increasing timestamps from a
 *    random start within 20 years of `startTime`: mostly minutes apart, now and then days.
 *
 * Entries are ordered by user, then time. A model that learns the groups ranks a user's held-out
 * item well above where global popularity puts it.
 *
 * Throws `RecsysError` (INVALID_SIZE, INVALID_ARGUMENT) naming the bad option, for unknown
 * options, or when the sizes cannot be met.
 *
 * @param options - sizes, shape, structure, seed (see {@link SyntheticMovieLens20MOptions})
 * @returns timestamped interactions with their hidden `truth`
 * @example
 * ```ts
 * const data = syntheticMovieLens20M({ scale: 0.01, seed: 1 });
 * [data.numUsers, data.numItems, data.users.length]; //=> [1385, 2674, 200003]
 * const { train, test } = leaveOneOut(data, { by: 'time' });
 * ```
 */
export function syntheticMovieLens20M(options: SyntheticMovieLens20MOptions = {}): SyntheticMovieLens20M {
  const o = resolve(options);
  const random = mulberry32(o.seed);
  const userCounts = dealActivity(o, random);
  const catalogue = dealPopularityAndGroups(o, random);
  const out = { users: new Int32Array(o.numInteractions), items: new Int32Array(o.numInteractions), timestamps: new Float64Array(o.numInteractions), at: 0 };
  const userGroups = new Int32Array(2 * o.numUsers);
  for (let u = 0; u < o.numUsers; u++) drawUser(u, userCounts[u], o, catalogue, random, userGroups, out);
  const { users, items, timestamps } = out;
  const { itemGroups, itemWeights } = catalogue;
  return { users, items, timestamps, numUsers: o.numUsers, numItems: o.numItems, truth: { itemGroups, userGroups, itemWeights, userCounts } };
}

type Settings = ReturnType<typeof resolve>;

/** 1. Activity: interaction counts by rank (a shifted power law), the ranks dealt to users at random. */
function dealActivity(o: Settings, random: Random): Int32Array {
  const { numUsers } = o;
  const activityWeights = new Float64Array(numUsers);
  const floor = Math.pow(numUsers + o.activityOffset, -o.activityExponent);
  for (let r = 0; r < numUsers; r++) activityWeights[r] = Math.pow(r + 1 + o.activityOffset, -o.activityExponent) - floor;
  const extraByRank = allocate(activityWeights, o.numInteractions - numUsers * o.minPerUser, o.maxPerUser - o.minPerUser);
  const userRank = new Int32Array(numUsers);
  for (let u = 0; u < numUsers; u++) userRank[u] = u;
  shuffle(random, userRank);
  const userCounts = new Int32Array(numUsers);
  for (let u = 0; u < numUsers; u++) userCounts[u] = o.minPerUser + extraByRank[userRank[u]];
  return userCounts;
}

/** The items' popularity and groups, and the sum trees the draws read. */
interface Catalogue {
  readonly itemWeights: Float64Array;
  readonly itemGroups: Int32Array;
  /** Each group's items (by item index) from groupStart[g], and each item's place in its group. */
  readonly groupStart: Int32Array;
  readonly groupItems: Int32Array;
  readonly placeInGroup: Int32Array;
  readonly all: SumTree;
  readonly byGroup: SumTree[];
}

/** 2-3. Popularity ranks dealt to items at random, and groups dealt round by round along the ranks. */
function dealPopularityAndGroups(o: Settings, random: Random): Catalogue {
  const { numItems, groups } = o;
  const itemOfRank = new Int32Array(numItems);
  for (let i = 0; i < numItems; i++) itemOfRank[i] = i;
  shuffle(random, itemOfRank);
  const itemWeights = new Float64Array(numItems);
  const itemGroups = new Int32Array(numItems);
  const round = new Int32Array(groups);
  for (let r = 0; r < numItems; r++) {
    if (r % groups === 0) {
      for (let g = 0; g < groups; g++) round[g] = g;
      shuffle(random, round);
    }
    const item = itemOfRank[r];
    itemWeights[item] = Math.pow(r + 1 + o.popularityOffset, -o.popularityExponent);
    itemGroups[item] = round[r % groups];
  }
  const groupStart = new Int32Array(groups + 1);
  for (let i = 0; i < numItems; i++) groupStart[itemGroups[i] + 1]++;
  for (let g = 0; g < groups; g++) groupStart[g + 1] += groupStart[g];
  const groupItems = new Int32Array(numItems);
  const placeInGroup = new Int32Array(numItems);
  const fill = groupStart.slice(0, groups);
  for (let i = 0; i < numItems; i++) {
    const g = itemGroups[i];
    placeInGroup[i] = fill[g] - groupStart[g];
    groupItems[fill[g]++] = i;
  }
  const byGroup: SumTree[] = [];
  for (let g = 0; g < groups; g++) {
    byGroup.push(new SumTree(Array.from(groupItems.subarray(groupStart[g], groupStart[g + 1]), (i) => itemWeights[i])));
  }
  return { itemWeights, itemGroups, groupStart, groupItems, placeInGroup, all: new SumTree(itemWeights), byGroup };
}

/** 4-5. User `u`'s two groups, `count` distinct items drawn without replacement, then their times. */
function drawUser(
  u: number,
  count: number,
  o: Settings,
  c: Catalogue,
  random: Random,
  userGroups: Int32Array,
  out: { users: Int32Array; items: Int32Array; timestamps: Float64Array; at: number },
): void {
  const { groups } = o;
  const { all, byGroup, itemGroups, itemWeights, groupItems, groupStart, placeInGroup } = c;
  const { users, items, timestamps } = out;
  const pPrimary = ((1 - o.noise) * 2) / 3;
  const pTaste = 1 - o.noise;
  const primary = randomInt(random, groups);
  const secondary = groups === 1 ? primary : (primary + 1 + randomInt(random, groups - 1)) % groups;
  userGroups[2 * u] = primary;
  userGroups[2 * u + 1] = secondary;
  const from = out.at;
  let at = from;
  for (let n = 0; n < count; n++) {
    const draw = random();
    const g = draw < pPrimary ? primary : draw < pTaste ? secondary : -1;
    const item = g >= 0 && byGroup[g].total > 0 ? groupItems[groupStart[g] + byGroup[g].draw(random)] : all.draw(random);
    all.set(item, 0);
    byGroup[itemGroups[item]].set(placeInGroup[item], 0);
    users[at] = u;
    items[at++] = item;
  }
  // restore the user's items, then order them in time at random
  for (let k = from; k < at; k++) {
    const item = items[k];
    all.set(item, itemWeights[item]);
    byGroup[itemGroups[item]].set(placeInGroup[item], itemWeights[item]);
  }
  shuffle(random, items, from, at);
  let time = Math.floor(o.startTime + random() * START_SPREAD);
  for (let k = from; k < at; k++) {
    // mostly within a session (up to 10 minutes), one gap in fifty of up to 30 days
    time += 1 + Math.floor(random() < 0.02 ? random() * 30 * 86_400 : random() * 600);
    timestamps[k] = time;
  }
  out.at = at;
}
