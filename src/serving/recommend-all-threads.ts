// `recommendAll` on worker threads: the users' chunks are ranked by score workers (scoring/'s
// score-worker.ts, each with its own copy of the fast scorer's weights and its own WebAssembly SIMD
// kernel) and the batches stream back in the order asked for, with the items and scores one thread
// gives (the same code ranks each chunk). At most two chunks per worker are in flight beyond the
// batch being yielded, so memory stays bounded whatever the number of users. An AbortSignal stops
// the workers at once; closing the stream (`break`, an error) stops them too.
import { chunkSeen, ScoreWorkers, scoreWorkersUnavailable, workerWeights, type RankedChunk, type Scorer } from '../scoring/index.js';
import type { SeenItems } from '../data/seen-items.js';
import type { RecommendAllBatch } from './recommend-all.js';

/** How a `recommendAll` call runs: the threads that score, and why fewer than asked, if so. */
export interface ThreadStatus {
  threads: number;
  fallbackReason: string | undefined;
}

/** What the batches are made from (the checked plan of recommend-all.ts). */
export interface ThreadPlan {
  readonly k: number;
  readonly users: Int32Array;
  readonly seen: SeenItems | undefined;
  readonly candidates: Int32Array | undefined;
  readonly batchUsers: number;
  readonly threads: number;
}

/** Chunks in flight per worker, besides the one being yielded. */
const IN_FLIGHT = 2;

/**
 * Starts the workers for a call, or says why the call runs on the calling thread (the status is
 * updated either way).
 *
 * @returns the running workers, or null
 */
export async function startScoreWorkers(scorer: Scorer, plan: ThreadPlan, status: ThreadStatus): Promise<ScoreWorkers | null> {
  const chunks = Math.ceil(plan.users.length / plan.batchUsers);
  const weights = workerWeights(scorer);
  let reason: string | undefined;
  if (typeof weights === 'string') reason = weights;
  else reason = scoreWorkersUnavailable() ?? (chunks <= 1 ? `the ${plan.users.length} users fit in one batch (batchUsers ${plan.batchUsers}): there is nothing to share` : undefined);
  if (reason === undefined && typeof weights !== 'string') {
    try {
      const workers = await ScoreWorkers.start(Math.min(plan.threads, chunks), { type: 'init', weights, k: plan.k, candidates: plan.candidates });
      status.threads = workers.size;
      return workers;
    } catch (e) {
      reason = `the score workers failed to start (${e instanceof Error ? e.message : String(e)})`;
    }
  }
  status.threads = 1;
  status.fallbackReason = reason;
  return null;
}

const ABORTED = Symbol('aborted');

/**
 * The batches of a call, ranked on `workers`, in order. Stops the workers when it ends, however it
 * ends.
 */
export async function* rankOnWorkers(
  workers: ScoreWorkers,
  plan: ThreadPlan,
  signal: AbortSignal | undefined,
  onProgress: ((done: number, total: number) => void) | undefined,
): AsyncGenerator<RecommendAllBatch, void, undefined> {
  const { k, users, seen, batchUsers } = plan;
  const chunks = Math.ceil(users.length / batchUsers);
  const window = workers.size * IN_FLIGHT + 1;
  const queue: { users: Int32Array; ranked: Promise<RankedChunk> }[] = [];
  let sent = 0;
  const send = (): void => {
    const start = sent * batchUsers;
    const chunk = users.slice(start, Math.min(start + batchUsers, users.length));
    const ranked = workers.rank(sent++, chunk, seen === undefined ? undefined : chunkSeen(seen, chunk));
    ranked.catch(() => undefined); // awaited in turn below; a chunk never awaited (stopped early) must not be unhandled
    queue.push({ users: chunk, ranked });
  };
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => {
      resolve(ABORTED); // first, so that the race below settles with it, not with the chunks the stop rejects
      void workers.terminate();
    };
    signal?.addEventListener('abort', onAbort);
  });
  try {
    for (let c = 0; c < chunks; c++) {
      while (sent < chunks && sent - c < window) send();
      if (signal?.aborted) return;
      const next = queue.shift()!;
      const ranked = await Promise.race([next.ranked, aborted]);
      if (ranked === ABORTED) return;
      const done = Math.min((c + 1) * batchUsers, users.length);
      onProgress?.(done, users.length);
      yield { users: next.users, k, ...ranked };
    }
  } finally {
    signal?.removeEventListener('abort', onAbort!);
    await workers.terminate();
  }
}
