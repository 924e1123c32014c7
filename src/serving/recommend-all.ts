// Top-K for many users at once (batch jobs, e-mails, precomputed feeds): users are scored in
// chunks through one Scorer (one scoreAllItems call per chunk), the excluded items come from one
// SeenItems index built once, and the results stream out a chunk at a time, so that the top-K
// lists of every user never need to sit in memory together. Between chunks the event loop runs,
// so an AbortSignal (or anything else) gets its turn.
import type * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { yieldToEventLoop } from '../_lib/event-loop.js';
import { assertIndices, checkK, checkOptions, show } from '../_lib/validate.js';
import type { Interactions } from '../data/interactions.js';
import { checkExclude, toSeenItems, type SeenItems } from '../data/seen-items.js';
import { topK } from '../metrics/index.js';
import { resolveScorer, type Scorer } from '../scoring/index.js';

/** Options of {@link recommendAll}. @category Serving */
export interface RecommendAllOptions {
  /** How many items per user. Default 10; at most the number of items (INVALID_K). */
  k?: number;
  /** The users to recommend for, in this order (repeats allowed). Default: every user, 0..numUsers-1. */
  users?: Int32Array;
  /**
   * Items never to recommend to a user: usually the training set, as an {@link Interactions} or a
   * {@link SeenItems} index (either is indexed once per call, not once per user).
   */
  exclude?: Interactions | SeenItems;
  /** Rank only these items (duplicates count once), e.g. the items in stock. Must not be empty. */
  candidates?: Int32Array;
  /**
   * Users per batch (one `scoreAllItems` call and one yielded batch each). Default: as many as keep
   * a batch's score matrix within 4M floats (16 MB), at most 256.
   */
  batchUsers?: number;
  /** Stops the iteration at the next batch boundary (it then ends without error; check `signal.aborted`). */
  signal?: AbortSignal;
  /** Called after each batch with the users done so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * One batch of {@link recommendAll}: for `users[r]`, its top K are `items[r * k .. r * k + counts[r])`
 * with `scores` at the same positions, best first (ties by the lower item index). A user with
 * fewer than K unexcluded items gets fewer (`counts[r] < k`); the unused slots hold item -1 and a
 * NaN score. The arrays belong to the caller (they are not reused).
 *
 * @category Serving
 * @example
 * ```ts
 * for await (const batch of recommendAll(scorer, { k: 10, exclude: seen })) {
 *   const r = 0; // first user of the batch
 *   batch.users[r]; //=> 0
 *   batch.items.subarray(r * batch.k, r * batch.k + batch.counts[r]); //=> Int32Array [1250, 2858, ...]
 * }
 * ```
 */
export interface RecommendAllBatch {
  /** The users of this batch (indices), in the order asked for. */
  readonly users: Int32Array;
  /** K: the row width of `items` and `scores`. */
  readonly k: number;
  /** Item indices, `users.length x k`, row-major; -1 in unused slots. */
  readonly items: Int32Array;
  /** Scores at the same positions; NaN in unused slots. */
  readonly scores: Float32Array;
  /** How many of each row's K slots are used. */
  readonly counts: Int32Array;
}

const CHUNK_FLOATS = 4 * 1024 * 1024;
const MAX_BATCH_USERS = 256;

/**
 * Recommends the top K items for many users, streaming the results a batch of users at a time:
 * every item (or each of `candidates`) is scored for each user, the user's excluded items are
 * dropped, and the K best are kept by partial selection (no full sort). Memory stays bounded by
 * one batch whatever the number of users. The model's weights are read once per call (pass a
 * {@link Scorer} from `createScorer(model)` to reuse them across calls).
 *
 * Everything is checked before the first batch (users, `exclude`, `candidates`, K); an aborted
 * `signal` ends the iteration at the next batch boundary, without error.
 *
 * @param model - a `tf.LayersModel` or a {@link Scorer}
 * @param options - `k`, `users`, `exclude`, `candidates`, `batchUsers`, `signal`, `onProgress`
 * @returns an async iterable of {@link RecommendAllBatch}
 * @category Serving
 * @example
 * ```ts
 * const seen = seenItems(train);
 * for await (const batch of recommendAll(model, { k: 10, exclude: seen })) {
 *   for (let r = 0; r < batch.users.length; r++) {
 *     const top = batch.items.subarray(r * batch.k, r * batch.k + batch.counts[r]);
 *     await feeds.put(batch.users[r], Array.from(top));
 *   }
 * }
 * ```
 */
export function recommendAll(model: tf.LayersModel | Scorer, options?: RecommendAllOptions): AsyncGenerator<RecommendAllBatch, void, undefined> {
  const opts = checkOptions(options);
  const { scorer, owned } = resolveScorer(model);
  let plan: Plan;
  try {
    plan = planRecommendAll(scorer, opts);
  } catch (e) {
    if (owned) scorer.dispose();
    throw e;
  }
  return run(scorer, owned, plan, opts);
}

interface Plan {
  readonly k: number;
  readonly users: Int32Array;
  readonly seen: SeenItems | undefined;
  /** Ascending, distinct; undefined = every item. */
  readonly candidates: Int32Array | undefined;
  readonly batchUsers: number;
}

function planRecommendAll(scorer: Scorer, opts: RecommendAllOptions): Plan {
  const { numUsers, numItems } = scorer;
  const { k = 10, exclude, signal, onProgress } = opts;
  checkK(k, numItems);
  let users: Int32Array;
  if (opts.users === undefined) {
    users = new Int32Array(numUsers);
    for (let u = 0; u < numUsers; u++) users[u] = u;
  } else {
    if (!(opts.users instanceof Int32Array)) throw new RecsysError('INVALID_ARGUMENT', `users must be an Int32Array of user indices, got ${show(opts.users)}`);
    assertIndices('user', 'users', opts.users, numUsers);
    users = opts.users;
  }
  let candidates: Int32Array | undefined;
  if (opts.candidates !== undefined) {
    if (!(opts.candidates instanceof Int32Array)) throw new RecsysError('INVALID_ARGUMENT', `candidates must be an Int32Array of item indices, got ${show(opts.candidates)}`);
    if (opts.candidates.length === 0) throw new RecsysError('EMPTY_INPUT', 'candidates is empty: there is nothing to recommend from');
    assertIndices('item', 'candidates', opts.candidates, numItems);
    candidates = Int32Array.from(new Set(opts.candidates)).sort();
  }
  const checked = checkExclude(exclude, numUsers, numItems);
  const seen = checked === undefined ? undefined : toSeenItems(checked, numUsers);
  const width = candidates?.length ?? numItems;
  const batchUsers = opts.batchUsers ?? Math.max(1, Math.min(MAX_BATCH_USERS, Math.floor(CHUNK_FLOATS / width)));
  if (!(Number.isInteger(batchUsers) && batchUsers >= 1)) throw new RecsysError('INVALID_SIZE', `batchUsers must be a positive integer, got ${show(batchUsers)}`);
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && typeof (signal as AbortSignal).aborted === 'boolean')) {
    throw new RecsysError('INVALID_ARGUMENT', `signal must be an AbortSignal, got ${show(signal)}`);
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new RecsysError('INVALID_ARGUMENT', `onProgress must be a function, got ${show(onProgress)}`);
  return { k, users, seen, candidates, batchUsers };
}

async function* run(scorer: Scorer, owned: boolean, plan: Plan, opts: RecommendAllOptions): AsyncGenerator<RecommendAllBatch, void, undefined> {
  const { k, users, seen, candidates, batchUsers } = plan;
  const { signal, onProgress } = opts;
  const numItems = scorer.numItems;
  const width = candidates?.length ?? numItems;
  // excluded[i] === stamp marks item i (or candidate position i) as excluded for the current user
  const excluded = new Int32Array(width).fill(-1);
  // candidate position of each item, to map a user's seen items onto the candidate list
  let position: Int32Array | undefined;
  if (candidates !== undefined && seen !== undefined) {
    position = new Int32Array(numItems).fill(-1);
    for (let p = 0; p < candidates.length; p++) position[candidates[p]] = p;
  }
  let scores: Float32Array = new Float32Array(0);
  let stamp = 0;
  try {
    for (let start = 0; start < users.length; start += batchUsers) {
      if (signal?.aborted) return;
      const chunk = users.slice(start, Math.min(start + batchUsers, users.length));
      if (candidates === undefined) {
        scores = scorer.scoreAllItems(chunk, scores.length >= chunk.length * width ? scores : new Float32Array(chunk.length * width));
      } else {
        if (scores.length < chunk.length * width) scores = new Float32Array(chunk.length * width);
        for (let r = 0; r < chunk.length; r++) scorer.scoreItems(chunk[r], candidates, scores.subarray(r * width, (r + 1) * width));
      }
      const items = new Int32Array(chunk.length * k).fill(-1);
      const top = new Float32Array(chunk.length * k).fill(NaN);
      const counts = new Int32Array(chunk.length);
      for (let r = 0; r < chunk.length; r++) {
        const user = chunk[r];
        const current = stamp++;
        if (seen !== undefined) {
          for (let j = seen.offsets[user]; j < seen.offsets[user + 1]; j++) {
            const at = position === undefined ? seen.items[j] : position[seen.items[j]];
            if (at >= 0) excluded[at] = current;
          }
        }
        const row = scores.subarray(r * width, (r + 1) * width);
        const best = topK(row, k, seen === undefined ? undefined : (index) => excluded[index] === current);
        counts[r] = best.length;
        for (let t = 0; t < best.length; t++) {
          items[r * k + t] = candidates === undefined ? best[t] : candidates[best[t]];
          top[r * k + t] = row[best[t]];
        }
      }
      const done = Math.min(start + batchUsers, users.length);
      onProgress?.(done, users.length);
      yield { users: chunk, k, items, scores: top, counts };
      await yieldToEventLoop();
    }
  } finally {
    if (owned) scorer.dispose();
  }
}
