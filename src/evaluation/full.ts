// Full-ranking evaluation: every item is a candidate, the user's known positives (training items)
// are removed, and the held-out positives are placed in the ranked list of what remains.
//
// Users are scored in chunks (a chunk x numItems score matrix, about 4M floats at most), so memory
// stays bounded for any number of users. A held-out item's list position counts the remaining
// non-held-out items scoring above it (and, with pessimistic ties, those scoring the same), plus the
// user's other held-out items ahead of it (higher score, or the same score and a lower index, so
// that positions are distinct as in a real list). The @K metrics then come from those positions.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { assertIndices, checkK, checkOptions, show } from '../_lib/validate.js';
import { validateInteractions, type Interactions } from '../data/interactions.js';
import { averagePrecision, hitRate, mrr, ndcg, precision, rankOf, recall, type TiePolicy } from '../metrics/index.js';
import type { Scorer } from '../scoring/index.js';
import { resolveScorer } from '../scoring/index.js';
import { checkTies } from './checks.js';
import { checkExclude, groupSeenItems, itemsSeenBy, toSeenItems, type SeenItems } from '../data/seen-items.js';

/** Options of {@link evaluateFull}. @category Evaluation */
export interface EvaluateFullOptions {
  /**
   * Known positives removed from every user's ranking (usually the training set). A held-out
   * item is never removed, even when it is listed here too. An Interactions is checked and indexed
   * on its first use and the index kept for the object; or pass a {@link SeenItems} index built with
   * `seenItems(train)`.
   */
  exclude?: Interactions | SeenItems;
  /** The cut-off K. Default 10. */
  k?: number;
  /**
   * How a held-out item ranks among items with exactly its score: `'pessimistic'` (default; they
   * rank above it) or `'optimistic'` (below). `'average'` is not available here: with several
   * held-out items per user, metrics need whole list positions.
   */
  ties?: TiePolicy;
  /** Evaluate only these users (duplicates count once; those without held-out items are skipped). Default: every user in `test`. */
  users?: Int32Array;
  /**
   * Users scored per chunk. Default: as many as keep the chunk's score matrix within 4M floats
   * (16 MB), at most 256.
   */
  batchUsers?: number;
  /** Called after each chunk with the users done so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** The result of {@link evaluateFull}: means over users of the metrics at K, and the protocol. @category Evaluation */
export interface FullEvaluation {
  /** Always `'full'`: every item ranked, the user's excluded positives removed. */
  readonly protocol: 'full';
  /** One sentence naming the protocol, e.g. for logs and reports. */
  readonly description: string;
  /** The cut-off K. */
  readonly k: number;
  /** The tie policy used. */
  readonly ties: TiePolicy;
  /** Number of users evaluated (those with at least one held-out item); the metrics are means over them. */
  readonly users: number;
  /** Users asked for (option `users`) that had no held-out item and were skipped. */
  readonly skippedUsers: number;
  /** Mean hit rate at K: 1 when any held-out item is in the top K. */
  readonly hr: number;
  /** Mean NDCG at K (binary relevance, ideal DCG of min(#held-out, K) hits). */
  readonly ndcg: number;
  /** Mean recall at K: share of the user's held-out items in the top K. */
  readonly recall: number;
  /** Mean precision at K: share of the top K that is held out. */
  readonly precision: number;
  /** MAP at K: mean average precision, normalised by min(#held-out, K). */
  readonly map: number;
  /** Mean reciprocal rank of the first held-out item within K (0 beyond K). */
  readonly mrr: number;
}

/** Score-matrix budget of one chunk, in floats. */
const CHUNK_FLOATS = 1 << 22;
const MAX_BATCH_USERS = 256;

/**
 * Evaluates a model by full ranking: for each user with held-out items, every item is scored, the
 * user's `exclude` positives are removed (never the held-out items themselves), and HR, NDCG,
 * recall, precision, MAP and MRR at K are computed from the held-out items' positions, then
 * averaged over users. Ties count against the held-out items by default.
 *
 * @param model - a `tf.LayersModel` (scored through {@link createScorer}) or any {@link Scorer}
 * @param test - the held-out positives
 * @param options - `exclude` (usually the training set), `k`, `ties`, `users`, `batchUsers`, `onProgress`
 * @returns the mean metrics and a description of the protocol, see {@link FullEvaluation}
 * @example
 * ```ts
 * const result = evaluateFull(model, test, { exclude: train, k: 10 });
 * result.recall;      //=> 0.0853
 * result.description; //=> 'full ranking: 6040 users, all 3706 items, training positives excluded; ...'
 * ```
 */
export function evaluateFull(model: tf.LayersModel | Scorer, test: Interactions, options?: EvaluateFullOptions): FullEvaluation {
  const opts = checkOptions(options);
  const { k = 10, ties = 'pessimistic', onProgress } = opts;
  checkTiesAndProgress(ties, onProgress);
  const { scorer, owned } = resolveScorer(model);
  try {
    const { numUsers, numItems } = scorer;
    checkK(k, numItems);
    validateInteractions(test, 'test');
    if (test.users.length === 0) throw new RecsysError('EMPTY_INPUT', 'test is empty: there is nothing to evaluate');
    assertIndices('user', 'test.users', test.users, numUsers);
    assertIndices('item', 'test.items', test.items, numItems);
    const exclude = checkExclude(opts.exclude, numUsers, numItems);
    const heldOut = groupSeenItems(test.users, test.items, numUsers);
    const excluded = exclude ? toSeenItems(exclude, numUsers) : null;

    const asked = selectUsers(opts.users, heldOut.offsets, numUsers);
    const evaluated = asked.filter((u) => heldOut.offsets[u + 1] > heldOut.offsets[u]);
    if (evaluated.length === 0) {
      throw new RecsysError('EMPTY_INPUT', `none of the ${asked.length} users asked for has a held-out item in test: there is nothing to evaluate`);
    }
    const batchUsers = opts.batchUsers ?? Math.max(1, Math.min(MAX_BATCH_USERS, Math.floor(CHUNK_FLOATS / numItems)));
    if (!(Number.isInteger(batchUsers) && batchUsers >= 1)) {
      throw new RecsysError('INVALID_SIZE', `batchUsers must be a positive integer, got ${show(batchUsers)}`);
    }

    // mark[i]: 1 excluded, 2 held out, for the user being ranked (reset after each user).
    const mark = new Uint8Array(numItems);
    const others = new Float32Array(numItems);
    const chunkScores = new Float32Array(Math.min(batchUsers, evaluated.length) * numItems);
    const sums: MetricSums = { hr: 0, ndcg: 0, recall: 0, precision: 0, map: 0, mrr: 0 };
    for (let start = 0; start < evaluated.length; start += batchUsers) {
      const chunk = evaluated.subarray(start, Math.min(start + batchUsers, evaluated.length));
      const scores = scorer.scoreAllItems(chunk, chunkScores.subarray(0, chunk.length * numItems));
      for (let r = 0; r < chunk.length; r++) {
        const user = chunk[r];
        const row = scores.subarray(r * numItems, (r + 1) * numItems);
        const relevant = itemsSeenBy(heldOut, user);
        const removed = excluded ? itemsSeenBy(excluded, user) : new Int32Array(0);
        const positions = heldOutPositions(user, row, relevant, removed, mark, others, ties);
        addUserMetrics(sums, positions, relevant.length, k);
      }
      onProgress?.(start + chunk.length, evaluated.length);
    }

    const n = evaluated.length;
    const description =
      `full ranking: ${n} users, all ${numItems} items${exclude ? ', excluded positives removed' : ''}; ` +
      `HR, NDCG, recall, precision, MAP, MRR @${k}; ${ties} ties`;
    return {
      protocol: 'full',
      description,
      k,
      ties,
      users: n,
      skippedUsers: asked.length - n,
      hr: sums.hr / n,
      ndcg: sums.ndcg / n,
      recall: sums.recall / n,
      precision: sums.precision / n,
      map: sums.map / n,
      mrr: sums.mrr / n,
    };
  } finally {
    if (owned) scorer.dispose();
  }
}

/** evaluateFull's tie policy (not 'average') and progress callback. */
function checkTiesAndProgress(ties: unknown, onProgress: unknown): asserts ties is 'pessimistic' | 'optimistic' {
  checkTies(ties);
  if (ties === 'average') {
    throw new RecsysError(
      'INVALID_ARGUMENT',
      `evaluateFull supports ties 'pessimistic' or 'optimistic', got 'average': with several held-out items per user, precision, recall and MAP need whole list positions`,
    );
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new RecsysError('INVALID_ARGUMENT', `onProgress must be a function, got ${show(onProgress)}`);
  }
}

type MetricSums = { hr: number; ndcg: number; recall: number; precision: number; map: number; mrr: number };

/** Adds one user's metrics at K, from the 1-based positions of their held-out items. */
function addUserMetrics(sums: MetricSums, positions: ArrayLike<number>, numRelevant: number, k: number): void {
  let first = Infinity;
  for (let p = 0; p < positions.length; p++) first = Math.min(first, positions[p]);
  sums.hr += hitRate(first, k);
  sums.mrr += mrr(first, k);
  sums.ndcg += ndcg(positions, numRelevant, k);
  sums.recall += recall(positions, numRelevant, k);
  sums.precision += precision(positions, k);
  sums.map += averagePrecision(positions, numRelevant, k);
}

/** The users to evaluate: the option (checked), else every user with a held-out item. */
function selectUsers(users: unknown, offsets: Int32Array, numUsers: number): Int32Array {
  if (users === undefined) {
    const all: number[] = [];
    for (let u = 0; u < numUsers; u++) if (offsets[u + 1] > offsets[u]) all.push(u);
    return Int32Array.from(all);
  }
  if (!(users instanceof Int32Array)) throw new RecsysError('INVALID_ARGUMENT', `users must be an Int32Array, got ${show(users)}`);
  if (users.length === 0) throw new RecsysError('EMPTY_INPUT', 'users is empty: there is nothing to evaluate');
  assertIndices('user', 'users', users, numUsers);
  // A user listed twice is still one user: averaging over distinct users.
  return Int32Array.from(new Set(users));
}

/** Whole 1-based list positions of the user's held-out items (see the file header). */
function heldOutPositions(
  user: number,
  row: Float32Array,
  relevant: Int32Array,
  removed: Int32Array,
  mark: Uint8Array,
  others: Float32Array,
  ties: TiePolicy,
): Int32Array {
  for (let j = 0; j < removed.length; j++) mark[removed[j]] = 1;
  for (let j = 0; j < relevant.length; j++) mark[relevant[j]] = 2;
  try {
    const positions = new Int32Array(relevant.length);
    // few held-out items (one per user in leave-one-out): count the items above each in one pass
    if (relevant.length <= FEW_HELD_OUT) return fewHeldOutPositions(user, row, relevant, mark, ties, positions);
    let count = 0;
    for (let i = 0; i < row.length; i++) {
      const s = row[i];
      if (s !== s) throw new RecsysError('NOT_FINITE', `the model scored NaN for user ${user}, item ${i}`, { user, item: i });
      if (mark[i] === 0) others[count++] = s;
    }
    const candidates = others.subarray(0, count);
    // rankOf scans the candidates once per held-out item; with many held-out items, sorting
    // once and binary-searching is cheaper.
    const sorted = relevant.length > 8 ? candidates.slice().sort() : null;
    for (let a = 0; a < relevant.length; a++) {
      const s = row[relevant[a]];
      const among = sorted ? 1 + countAbove(sorted, s, ties) : rankOf(s, candidates, ties);
      positions[a] = among + heldOutAhead(row, relevant, a);
    }
    return positions;
  } finally {
    for (let j = 0; j < removed.length; j++) mark[removed[j]] = 0;
    for (let j = 0; j < relevant.length; j++) mark[relevant[j]] = 0;
  }
}

const FEW_HELD_OUT = 4;

/**
 * heldOutPositions for at most FEW_HELD_OUT held-out items: one pass over the row, counting for
 * each held-out item the unmarked items that rank above it (ties by `ties`), plus the held-out
 * items ahead of it (higher score, or equal and listed earlier), as the general path does.
 */
function fewHeldOutPositions(user: number, row: Float32Array, relevant: Int32Array, mark: Uint8Array, ties: TiePolicy, positions: Int32Array): Int32Array {
  const k = relevant.length;
  const pessimistic = ties === 'pessimistic';
  const s0 = row[relevant[0]];
  const s1 = k > 1 ? row[relevant[1]] : 0;
  const s2 = k > 2 ? row[relevant[2]] : 0;
  const s3 = k > 3 ? row[relevant[3]] : 0;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  for (let i = 0; i < row.length; i++) {
    const s = row[i];
    if (s !== s) throw new RecsysError('NOT_FINITE', `the model scored NaN for user ${user}, item ${i}`, { user, item: i });
    if (mark[i] !== 0) continue;
    if (s > s0 || (pessimistic && s === s0)) c0++;
    if (k > 1 && (s > s1 || (pessimistic && s === s1))) c1++;
    if (k > 2 && (s > s2 || (pessimistic && s === s2))) c2++;
    if (k > 3 && (s > s3 || (pessimistic && s === s3))) c3++;
  }
  const counts = [c0, c1, c2, c3];
  for (let a = 0; a < k; a++) positions[a] = 1 + counts[a] + heldOutAhead(row, relevant, a);
  return positions;
}

/** The user's other held-out items ranked above held-out item `a`: higher score, or equal and listed earlier. */
function heldOutAhead(row: Float32Array, relevant: Int32Array, a: number): number {
  const s = row[relevant[a]];
  let ahead = 0;
  for (let b = 0; b < relevant.length; b++) {
    const t = row[relevant[b]];
    if (t > s || (t === s && b < a)) ahead++;
  }
  return ahead;
}

/** Entries of ascending `sorted` above `s` (and equal to it, when ties are pessimistic). */
function countAbove(sorted: Float32Array, s: number, ties: TiePolicy): number {
  const inclusive = ties === 'pessimistic';
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < s || (!inclusive && sorted[mid] === s)) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}
