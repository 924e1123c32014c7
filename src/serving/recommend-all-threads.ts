// `recommendAll` on worker threads: the users' chunks are ranked by score workers (scoring/'s
// score-worker.ts, each with its own copy of the fast scorer's weights and its own WebAssembly SIMD
// kernel) and the batches stream back in the order asked for, with the items and scores one thread
// gives (the same code ranks each chunk). Until the workers are ready (a few hundred ms) the
// calling thread ranks the first chunks itself. At most two chunks per worker are in flight beyond
// the batch being yielded, so memory stays bounded whatever the number of users. An AbortSignal
// stops the workers at once; closing the stream (`break`, an error) stops them too.
import { yieldToEventLoop } from '../_lib/event-loop.js';
import { chunkSeen, ScoreWorkers, scoreWorkersUnavailable, workerWeights, type ChunkRanker, type RankedChunk, type Scorer } from '../scoring/index.js';
import type { SeenItems } from '../data/seen-items.js';
import type { RecommendAllBatch } from './recommend-all.js';

/** How a `recommendAll` call runs: the threads that score, and why fewer than asked, if so. */
export interface ThreadStatus {
  threads: number;
  fallbackReason: string | undefined;
}

/** What the batches are made from: the checked options of a `recommendAll` call. */
export interface ThreadPlan {
  readonly k: number;
  readonly users: Int32Array;
  readonly seen: SeenItems | undefined;
  /** Ascending, distinct; undefined = every item. */
  readonly candidates: Int32Array | undefined;
  readonly batchUsers: number;
  /** Threads asked for ('auto' resolved). */
  readonly threads: number;
}

/** Chunks in flight per worker, besides the one being yielded. */
const IN_FLIGHT = 2;

/**
 * Starts the workers for a call, or says why the call runs on the calling thread.
 *
 * @returns the running workers, or the reason
 */
export async function startScoreWorkers(scorer: Scorer, plan: ThreadPlan): Promise<ScoreWorkers | string> {
  const chunks = Math.ceil(plan.users.length / plan.batchUsers);
  const weights = workerWeights(scorer);
  if (typeof weights === 'string') return weights;
  const unavailable = scoreWorkersUnavailable();
  if (unavailable !== undefined) return unavailable;
  if (chunks <= 1) return `the ${plan.users.length} users fit in one batch (batchUsers ${plan.batchUsers}): there is nothing to share`;
  try {
    return await ScoreWorkers.start(Math.min(plan.threads, chunks), { type: 'init', weights, k: plan.k, candidates: plan.candidates });
  } catch (e) {
    return `the score workers failed to start (${e instanceof Error ? e.message : String(e)})`;
  }
}

let rankWhileStarting = true;

/**
 * Internal, for tests: whether the calling thread ranks the first chunks while the workers start
 * (default true); false waits for the workers (or their failure) before the first batch.
 *
 * @param on - the setting
 */
export function setRankWhileWorkersStart(on: boolean): void {
  rankWhileStarting = on;
}

const ABORTED = Symbol('aborted');

/**
 * The batches of a call, in order: ranked on the calling thread with `local` until the workers
 * are ready (so a short call never waits for them, and a long one loses no time to their start),
 * then on the workers. Stops the workers when it ends, however it ends (also workers still
 * starting then).
 */
export async function* rankOnWorkers(
  local: ChunkRanker,
  plan: ThreadPlan,
  status: ThreadStatus,
  signal: AbortSignal | undefined,
  onProgress: ((done: number, total: number) => void) | undefined,
): AsyncGenerator<RecommendAllBatch, void, undefined> {
  const { k, users, seen, batchUsers } = plan;
  const chunks = Math.ceil(users.length / batchUsers);
  let workers: ScoreWorkers | null = null;
  let closed = false;
  let onWorkers = 0; // chunks ranked on the workers
  const starting = startScoreWorkers(local.scorer, plan).then((started) => {
    if (typeof started === 'string') status.fallbackReason ??= started;
    else if (closed) void started.terminate();
    else workers = started;
  });
  if (!rankWhileStarting) await starting;
  const chunkUsers = (c: number): Int32Array => users.slice(c * batchUsers, Math.min((c + 1) * batchUsers, users.length));
  const seenOf = (chunk: Int32Array) => (seen === undefined ? undefined : chunkSeen(seen, chunk));
  // chunks [c, sent) are on the workers, in this order
  const queue: { users: Int32Array; ranked: Promise<RankedChunk> }[] = [];
  let sent = 0;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => {
      resolve(ABORTED); // first, so that the race below settles with it, not with the chunks the stop rejects
      void (workers as ScoreWorkers | null)?.terminate();
    };
    signal?.addEventListener('abort', onAbort);
  });
  try {
    for (let c = 0; c < chunks; c++) {
      if (signal?.aborted) return;
      const group = workers as ScoreWorkers | null;
      while (group !== null && sent < chunks && sent - c < group.size * IN_FLIGHT + 1) {
        const chunk = chunkUsers(sent);
        const ranked = group.rank(sent++, chunk, seenOf(chunk));
        ranked.catch(() => undefined); // awaited in turn below; one never awaited (stopped early) must not be unhandled
        queue.push({ users: chunk, ranked });
      }
      let batch: RecommendAllBatch;
      if (queue.length > 0) {
        const next = queue.shift()!;
        const ranked = await Promise.race([next.ranked, aborted]);
        if (ranked === ABORTED) return;
        batch = { users: next.users, k, ...ranked };
        onWorkers++;
        status.threads = (workers as ScoreWorkers | null)?.size ?? status.threads;
      } else {
        // the workers are not ready yet: this chunk is ranked here
        const chunk = chunkUsers(c);
        sent = c + 1;
        batch = { users: chunk, k, ...local.rank(chunk, seenOf(chunk)) };
      }
      onProgress?.(Math.min((c + 1) * batchUsers, users.length), users.length);
      yield batch;
      if (workers === null) await yieldToEventLoop(); // lets the workers' start progress and report
    }
  } finally {
    closed = true;
    signal?.removeEventListener('abort', onAbort!);
    const group = workers as ScoreWorkers | null;
    status.threads = onWorkers > 0 && group !== null ? group.size : 1;
    if (status.threads === 1 && status.fallbackReason === undefined && !signal?.aborted) {
      status.fallbackReason = `the calling thread ranked all ${chunks} batches before the score workers had started`;
    }
    await group?.terminate();
  }
}
