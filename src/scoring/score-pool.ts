// Score workers for `recommendAll` with `threads` > 1: which scorers can be sent to a worker, and
// starting, feeding and stopping the workers in Node (worker_threads) and browsers (module Web
// Workers), from the TypeScript sources (vitest, tsx) and from the built package (score-worker.js).
//
// A worker gets a copy of the fast scorer's weights (plain typed arrays) and builds its own scorer
// and WebAssembly SIMD kernel instance; then it ranks the chunks of users it is sent, in order.
// While a worker has no chunk to rank it is unref'd (Node), so a caller that abandons the stream
// without closing it does not keep the process alive.
import { runsOnNode, spawnNodeWorker, workersAvailable } from '../_lib/node-worker.js';
import { RecsysError } from '../errors.js';
import type { ChunkSeen, RankedChunk } from './rank-chunk.js';
import type { Scorer } from './scorer.js';
import { NcfFastScorer, type NcfWeights } from './scorer-fast.js';
import type { ScoreInit, ScoreReply } from './score-protocol.js';

/**
 * The weights a score worker needs to score like `scorer`, or a sentence saying why `scorer`
 * cannot be scored on workers (only the fast scorer of a standard NCF model can: its weights are
 * plain typed arrays; a baseline, a custom Scorer or a `model.predict` scorer stays on the
 * calling thread).
 *
 * @param scorer - any scorer
 * @returns the weights, or the reason
 */
export function workerWeights(scorer: Scorer): NcfWeights | string {
  if (scorer instanceof NcfFastScorer) return scorer.weights;
  return 'only the fast scorer of a standard GMF, MLP or NeuMF model can score on worker threads (this is a baseline, a custom Scorer or a model.predict scorer)';
}

/** Why this runtime cannot start score workers, or undefined when it can. */
export function scoreWorkersUnavailable(): string | undefined {
  return workersAvailable() ? undefined : 'this runtime has no worker threads';
}

let live = 0;

/** How many score workers are running now, in this process (for tests: none after a call ends). */
export function liveScoreWorkers(): number {
  return live;
}

/** One running worker, whatever the runtime. */
interface Thread {
  post(message: unknown): void;
  listen(onReply: (reply: ScoreReply) => void, onError: (error: Error) => void): void;
  ref(on: boolean): void;
  terminate(): Promise<void>;
}

async function spawnNodeThread(): Promise<Thread> {
  const thread = await spawnNodeWorker<unknown, ScoreReply>(
    { from: import.meta.url, source: './score-worker.ts', built: './score-worker', label: 'score worker' },
    () => live--,
  );
  live++;
  return thread;
}

function spawnWebThread(): Thread {
  // Written literally so that bundlers (Vite, webpack 5) see and emit the worker file.
  const url = new URL('./score-worker.js', import.meta.url);
  const worker = new Worker(url, { type: 'module' });
  live++;
  let stopped = false;
  return {
    post: (message) => worker.postMessage(message),
    listen(onReply, onError) {
      worker.onmessage = (e: MessageEvent<ScoreReply>) => onReply(e.data);
      worker.onerror = (e: ErrorEvent) =>
        onError(
          typeof e.message === 'string' && e.message.length > 0
            ? new Error(`a score worker failed: ${e.message}`)
            : new Error(`the score worker could not start from ${url.href}: score-worker.js is missing there (your bundler must emit neural-recsys's dist/score-worker.js beside the library)`),
        );
    },
    ref: () => undefined,
    async terminate() {
      if (stopped) return;
      stopped = true;
      worker.terminate();
      live--;
    },
  };
}

interface Pending {
  resolve(chunk: RankedChunk): void;
  reject(error: Error): void;
}

/** The workers of one `recommendAll` call: each ranks the chunks it is sent, in order. */
export class ScoreWorkers {
  private readonly pending: Map<number, Pending>[];
  private failure: Error | null = null;
  private stopped = false;

  private constructor(private readonly threads: Thread[]) {
    this.pending = threads.map(() => new Map());
  }

  /** How many workers run. */
  get size(): number {
    return this.threads.length;
  }

  /**
   * Starts `count` workers and waits until each has built its scorer. On any failure every
   * started worker is stopped and the promise rejects.
   *
   * @param count - how many workers
   * @param init - the weights, K and candidates each gets
   * @returns the running workers
   */
  static async start(count: number, init: ScoreInit): Promise<ScoreWorkers> {
    const threads: Thread[] = [];
    const ready: Promise<void>[] = [];
    let group: ScoreWorkers | null = null;
    try {
      for (let w = 0; w < count; w++) threads.push(runsOnNode() ? await spawnNodeThread() : spawnWebThread());
      group = new ScoreWorkers(threads);
      const self = group;
      threads.forEach((thread, w) => {
        ready.push(
          new Promise<void>((resolve, reject) => {
            thread.listen(
              (reply) => {
                if (reply.type === 'ready') resolve();
                else if (reply.type === 'error') reject(replyError(reply));
                self.settle(w, reply);
              },
              (error) => {
                reject(error);
                self.fail(error);
              },
            );
          }),
        );
        thread.post(init);
      });
      await Promise.all(ready);
    } catch (e) {
      await Promise.all(threads.map((t) => t.terminate()));
      throw e;
    }
    threads.forEach((t) => t.ref(false));
    return group;
  }

  /**
   * Ranks one chunk on the worker with the fewest chunks in hand.
   *
   * @param id - the chunk's number (distinct within the call)
   * @param users - the chunk's users
   * @param seen - their excluded items, or undefined
   * @returns the chunk's top K; rejects when any worker fails or the workers are stopped
   */
  rank(id: number, users: Int32Array, seen: ChunkSeen | undefined): Promise<RankedChunk> {
    if (this.failure !== null) return Promise.reject(this.failure);
    let w = 0;
    for (let v = 1; v < this.threads.length; v++) if (this.pending[v].size < this.pending[w].size) w = v;
    const promise = new Promise<RankedChunk>((resolve, reject) => this.pending[w].set(id, { resolve, reject }));
    this.threads[w].ref(true);
    this.threads[w].post({ type: 'chunk', id, users, seenOffsets: seen?.offsets, seenItems: seen?.items });
    return promise;
  }

  /** Stops every worker (the pending chunks reject); safe to call twice. */
  async terminate(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.fail(new Error('the score workers were stopped'));
    await Promise.all(this.threads.map((t) => t.terminate()));
  }

  private settle(w: number, reply: ScoreReply): void {
    if (reply.type === 'error') {
      this.fail(replyError(reply));
      return;
    }
    if (reply.type !== 'ranked') return;
    const waiting = this.pending[w].get(reply.id);
    this.pending[w].delete(reply.id);
    if (this.pending[w].size === 0) this.threads[w].ref(false);
    waiting?.resolve({ items: reply.items, scores: reply.scores, counts: reply.counts });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const map of this.pending) {
      for (const p of map.values()) p.reject(this.failure);
      map.clear();
    }
  }
}

function replyError(reply: { message: string; code: string | undefined }): Error {
  return reply.code === undefined ? new Error(reply.message) : new RecsysError(reply.code as never, reply.message);
}
