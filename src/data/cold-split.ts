// Cold-start evaluation for new items: hold out whole items (every interaction they have), train
// on the rest, then rank each held-out positive for its user among the other held-out items.
import { RecsysError } from '../errors.js';
import { assertInRange, assertInteger, show } from '../_lib/validate.js';
import { assertTiePolicy, type TiePolicy } from '../metrics/rank.js';
import { mulberry32, randomInt } from '../_lib/random.js';
import { validateInteractions, type Interactions } from './interactions.js';
import { groupByUser } from './_internal/group.js';
import { partition } from './splits.js';

/** Options of {@link coldItemSplit}. */
export interface ColdItemSplitOptions {
  /** Share of the items (among those with at least one interaction) to hold out whole, in (0, 1). */
  fraction: number;
  /** Seed of the draw. Default 42. */
  seed?: number;
}

/** The result of {@link coldItemSplit}. Both parts keep the input's index spaces (numUsers, numItems). */
export interface ColdItemSplit {
  /** Every interaction of the items not held out (input order). */
  readonly train: Interactions;
  /** Every interaction of the held-out items (input order). */
  readonly test: Interactions;
  /** The held-out items, ascending. */
  readonly coldItems: Int32Array;
  /** `isCold[i] === 1` when item `i` is held out. */
  readonly isCold: Uint8Array;
  /** Users with test interactions but none left in train (only their features can describe them). */
  readonly usersWithoutTrain: number;
}

/**
 * What {@link evaluateColdItems} needs from a model: a Scorer's `numUsers`, `numItems` and
 * `scoreItems` (any object of the library's Scorer shape fits).
 */
export interface ColdItemScorer {
  /** Number of user indices accepted. */
  readonly numUsers: number;
  /** Number of item indices accepted. */
  readonly numItems: number;
  /** Scores `items` for `user`; higher = more relevant. */
  scoreItems(user: number, items: Int32Array, out?: Float32Array): Float32Array;
}

/** Options of {@link evaluateColdItems}. */
export interface ColdItemEvaluationOptions {
  /** Cut-off of HR@K and NDCG@K. Default 10. */
  k?: number;
  /** How a positive ranks among candidates with its exact score (see `TiePolicy`). Default `'pessimistic'`. */
  ties?: TiePolicy;
}

/** The result of {@link evaluateColdItems}. */
export interface ColdItemEvaluation {
  /** Share of test interactions whose item ranks within the top K of its candidates. */
  readonly hitRate: number;
  /** Mean NDCG@K (one relevant item per ranking: `1 / log2(rank + 1)` when rank <= K, else 0). */
  readonly ndcg: number;
  /** Number of rankings (= test interactions). */
  readonly positives: number;
  /** Mean number of candidates per ranking (the positive included). */
  readonly meanCandidates: number;
  /** 1-based rank of each test interaction's item, in test order (fractional under `'average'` ties). */
  readonly ranks: Float64Array;
  /** K used. */
  readonly k: number;
  /** Tie policy used. */
  readonly ties: TiePolicy;
}

/**
 * Holds out whole items for cold-start evaluation: `round(fraction * n)` of the `n` items that
 * have interactions (at least 1, at most n - 1), drawn uniformly with a seeded mulberry32 stream,
 * go to `test` with all their interactions; everything else is `train`. Same data and seed give
 * the same split everywhere. Evaluate with {@link evaluateColdItems}.
 *
 * @param data - the interactions
 * @param options - `{ fraction, seed? }`
 * @returns train, test, the held-out items and how many test users have no training interaction
 * @example
 * ```ts
 * const { train, test, coldItems } = coldItemSplit(ncf.train, { fraction: 0.1, seed: 1 });
 * coldItems.length; //=> 370 (10% of 3,704 items)
 * ```
 */
export function coldItemSplit(data: Interactions, options: ColdItemSplitOptions): ColdItemSplit {
  validateInteractions(data);
  if (options === null || typeof options !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `coldItemSplit needs options { fraction, seed? }, got ${show(options)}`);
  }
  assertInRange('fraction', options.fraction, 0, 1, { loOpen: true, hiOpen: true });
  const seed = options.seed ?? 42;
  const random = mulberry32(seed);
  const present = new Uint8Array(data.numItems);
  for (let k = 0; k < data.items.length; k++) present[data.items[k]] = 1;
  const pool: number[] = [];
  for (let i = 0; i < data.numItems; i++) if (present[i] === 1) pool.push(i);
  if (pool.length < 2) {
    throw new RecsysError('EMPTY_INPUT', `coldItemSplit needs at least 2 items with interactions, got ${pool.length}`, { value: pool.length });
  }
  const held = Math.min(pool.length - 1, Math.max(1, Math.round(options.fraction * pool.length)));
  const isCold = new Uint8Array(data.numItems);
  for (let j = 0; j < held; j++) {
    const r = j + randomInt(random, pool.length - j);
    const picked = pool[r];
    pool[r] = pool[j];
    pool[j] = picked;
    isCold[picked] = 1;
  }
  const coldItems = Int32Array.from(pool.slice(0, held)).sort();
  const mask = new Uint8Array(data.items.length);
  let testCount = 0;
  for (let k = 0; k < data.items.length; k++) testCount += mask[k] = isCold[data.items[k]];
  const [train, test] = partition(data, mask, testCount);
  const inTrain = new Uint8Array(data.numUsers);
  for (let k = 0; k < train.users.length; k++) inTrain[train.users[k]] = 1;
  const counted = new Uint8Array(data.numUsers);
  let usersWithoutTrain = 0;
  for (let k = 0; k < test.users.length; k++) {
    const u = test.users[k];
    if (inTrain[u] === 0 && counted[u] === 0) {
      counted[u] = 1;
      usersWithoutTrain++;
    }
  }
  return { train, test, coldItems, isCold, usersWithoutTrain };
}

/**
 * Ranks the held-out items of a {@link coldItemSplit} and reports HR@K and NDCG@K. Protocol: for
 * each test interaction (u, i), the candidates are i plus every held-out item that u has no test
 * interaction with (u's other held-out positives are left out, neither competitors nor hits);
 * the rank of i is 1 + the candidates scoring higher + the ties as `ties` says (pessimistic by
 * default: a model that scores all cold items alike gets HR 0 when there are more than K
 * candidates). Each test interaction counts once; metrics are means over them. Each user's cold
 * items are scored in one `scoreItems` call.
 *
 * @param scorer - any object with a Scorer's `numUsers`, `numItems`, `scoreItems`
 * @param split - the split from {@link coldItemSplit}
 * @param options - `k` (default 10), `ties` (default `'pessimistic'`)
 * @returns HR, NDCG, the number of rankings, the mean candidate count and every rank
 * @example
 * ```ts
 * // all 1,000,209 MovieLens-1M pairs, movies.dat genres (as in bench/cold-start-ml1m.ts)
 * const split = coldItemSplit(all, { fraction: 0.1, seed: 1 });
 * const baseline = featurePopularity(split.train, movies, { fields: ['genre'] });
 * const r = evaluateColdItems(baseline, split, { k: 10 });
 * r.hitRate; //=> 0.0733...
 * r.meanCandidates; //=> 331.5...
 * ```
 */
export function evaluateColdItems(scorer: ColdItemScorer, split: ColdItemSplit, options: ColdItemEvaluationOptions = {}): ColdItemEvaluation {
  if (scorer === null || typeof scorer !== 'object' || typeof scorer.scoreItems !== 'function') {
    throw new RecsysError('INVALID_ARGUMENT', `scorer must have numUsers, numItems and scoreItems(user, items), got ${show(scorer)}`);
  }
  if (split === null || typeof split !== 'object' || !(split.coldItems instanceof Int32Array) || !(split.isCold instanceof Uint8Array)) {
    throw new RecsysError('INVALID_ARGUMENT', `split must come from coldItemSplit, got ${show(split)}`);
  }
  const test = validateInteractions(split.test, 'split.test');
  const k = options.k ?? 10;
  assertInteger('k', k, 1, 'INVALID_K');
  const ties = options.ties ?? 'pessimistic';
  assertTiePolicy(ties);
  if (test.users.length === 0) throw new RecsysError('EMPTY_INPUT', 'the split has no test interactions');
  if (scorer.numUsers < test.numUsers || scorer.numItems < test.numItems) {
    throw new RecsysError(
      'SHAPE_MISMATCH',
      `the scorer covers ${scorer.numUsers} users x ${scorer.numItems} items, the split needs ${test.numUsers} x ${test.numItems}`,
    );
  }
  const cold = split.coldItems;
  const slot = new Int32Array(test.numItems).fill(-1);
  for (let c = 0; c < cold.length; c++) slot[cold[c]] = c;
  for (let t = 0; t < test.items.length; t++) {
    if (slot[test.items[t]] < 0) throw new RecsysError('INVALID_ARGUMENT', `split.test.items[${t}] = ${test.items[t]} is not a held-out item`);
  }
  const { offsets, order } = groupByUser(test.users, test.numUsers);
  const scores = new Float32Array(cold.length);
  const mine = new Uint8Array(cold.length);
  const ranks = new Float64Array(test.users.length);
  let hits = 0;
  let ndcg = 0;
  let candidates = 0;
  for (let u = 0; u < test.numUsers; u++) {
    const start = offsets[u];
    const end = offsets[u + 1];
    if (start === end) continue;
    scorer.scoreItems(u, cold, scores);
    for (let j = start; j < end; j++) mine[slot[test.items[order[j]]]] = 1;
    for (let j = start; j < end; j++) {
      const t = order[j];
      const s = scores[slot[test.items[t]]];
      if (Number.isNaN(s)) throw new RecsysError('NOT_FINITE', `the scorer gave NaN for user ${u}, item ${test.items[t]}`);
      let higher = 0;
      let tied = 0;
      let count = 1;
      for (let c = 0; c < cold.length; c++) {
        if (mine[c] === 1) continue;
        count++;
        const o = scores[c];
        if (Number.isNaN(o)) throw new RecsysError('NOT_FINITE', `the scorer gave NaN for user ${u}, item ${cold[c]}`);
        if (o > s) higher++;
        else if (o === s) tied++;
      }
      const rank = 1 + higher + (ties === 'pessimistic' ? tied : ties === 'average' ? tied / 2 : 0);
      ranks[t] = rank;
      candidates += count;
      if (rank <= k) {
        hits++;
        ndcg += 1 / Math.log2(rank + 1);
      }
    }
    for (let j = start; j < end; j++) mine[slot[test.items[order[j]]]] = 0;
  }
  const n = test.users.length;
  return { hitRate: hits / n, ndcg: ndcg / n, positives: n, meanCandidates: candidates / n, ranks, k, ties };
}
