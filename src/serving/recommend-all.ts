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
import { ChunkRanker, chunkSeen, resolveScorer, type Scorer } from '../scoring/index.js';
import { resolveTrainOptions } from '../training/index.js';
import { rankOnWorkers, type ThreadPlan, type ThreadStatus } from './recommend-all-threads.js';

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
  /**
   * Threads that score (a positive integer, or `'auto'`: the number of logical cores). Default 1.
   * With more than one, the batches are ranked on worker threads (each with its own copy of the
   * weights; the calling thread ranks the first batches while they start) and still arrive in
   * order, with exactly the items and scores of one thread. Only the
   * fast scorer of a standard GMF, MLP or NeuMF can run on workers; any other scorer, a runtime
   * without workers, a missing worker file, or users that fit in one batch run on the calling
   * thread, and the stream's `fallbackReason` says why.
   */
  threads?: number | 'auto';
  /** Stops the iteration at the next batch boundary (it then ends without error; check `signal.aborted`). With workers, they stop at once. */
  signal?: AbortSignal;
  /** Called after each batch with the users done so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The stream of batches {@link recommendAll} returns: an async generator that also says how many
 * threads scored and, when that is fewer than asked, why. Both are final once the stream has ended
 * (until then `threads` is the number asked for, or the workers' once they rank).
 *
 * @category Serving
 * @example
 * ```ts
 * const stream = recommendAll(model, { k: 10, threads: 2 });
 * for await (const batch of stream) save(batch);
 * stream.threads; //=> 2
 * stream.fallbackReason; //=> undefined (or e.g. 'this runtime has no worker threads')
 * ```
 */
export interface RecommendAllStream<T> extends AsyncGenerator<T, void, undefined> {
  /** The threads that score the users (1 on the calling thread). */
  readonly threads: number;
  /** Why fewer threads score than asked for (undefined when as many as asked). */
  readonly fallbackReason: string | undefined;
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
 * Everything is checked before the first batch (users, `exclude`, `candidates`, K, `threads`); an
 * aborted `signal` ends the iteration at the next batch boundary, without error. With `threads` > 1
 * the users' batches are ranked on worker threads, started per call (the calling thread ranks the
 * first batches while they start; the stream's `threads` and `fallbackReason` say what ran);
 * breaking out of the loop, an error or an abort stops them.
 *
 * @param model - a `tf.LayersModel` or a {@link Scorer}
 * @param options - `k`, `users`, `exclude`, `candidates`, `batchUsers`, `threads`, `signal`, `onProgress`
 * @returns a {@link RecommendAllStream} of {@link RecommendAllBatch}
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
export function recommendAll(model: tf.LayersModel | Scorer, options?: RecommendAllOptions): RecommendAllStream<RecommendAllBatch> {
  const opts = checkOptions(options);
  const { scorer, owned } = resolveScorer(model);
  let plan: Plan;
  try {
    plan = planRecommendAll(scorer, opts);
  } catch (e) {
    if (owned) scorer.dispose();
    throw e;
  }
  const status: ThreadStatus = { threads: plan.threads, fallbackReason: undefined };
  return withStatus(run(scorer, owned, plan, opts, status), status);
}

/**
 * `generator` with read-only `threads` and `fallbackReason` that read `status` live.
 *
 * @param generator - the stream
 * @param status - updated by whoever runs the stream
 * @returns the same generator object
 */
export function withStatus<T>(generator: AsyncGenerator<T, void, undefined>, status: ThreadStatus): RecommendAllStream<T> {
  return Object.defineProperties(generator, {
    threads: { get: () => status.threads, enumerable: true },
    fallbackReason: { get: () => status.fallbackReason, enumerable: true },
  }) as RecommendAllStream<T>;
}

/** The checked options of a call. */
type Plan = ThreadPlan;

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
  // the same rule as train's threads: a positive integer or 'auto' (the logical cores)
  const threads = resolveTrainOptions({ threads: opts.threads }).threads;
  return { k, users, seen, candidates, batchUsers, threads };
}

async function* run(
  scorer: Scorer,
  owned: boolean,
  plan: Plan,
  opts: RecommendAllOptions,
  status: ThreadStatus,
): AsyncGenerator<RecommendAllBatch, void, undefined> {
  try {
    if (plan.threads > 1) {
      yield* rankOnWorkers(new ChunkRanker(scorer, plan.k, plan.candidates), plan, status, opts.signal, opts.onProgress);
    } else {
      yield* rankOnThread(scorer, plan, opts);
    }
  } finally {
    if (owned) scorer.dispose();
  }
}

async function* rankOnThread(scorer: Scorer, plan: Plan, opts: RecommendAllOptions): AsyncGenerator<RecommendAllBatch, void, undefined> {
  const { k, users, seen, candidates, batchUsers } = plan;
  const { signal, onProgress } = opts;
  const ranker = new ChunkRanker(scorer, k, candidates);
  for (let start = 0; start < users.length; start += batchUsers) {
    if (signal?.aborted) return;
    const chunk = users.slice(start, Math.min(start + batchUsers, users.length));
    const ranked = ranker.rank(chunk, seen === undefined ? undefined : chunkSeen(seen, chunk));
    onProgress?.(Math.min(start + batchUsers, users.length), users.length);
    yield { users: chunk, k, ...ranked };
    await yieldToEventLoop();
  }
}
