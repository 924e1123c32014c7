// Worker threads for the fast scorer's many-user calls (scoreAllItems), in Node.
//
// The Scorer interface is synchronous (evaluation and serving call it in plain loops), so the
// threads are driven synchronously too: the calling thread hands each helper a contiguous share of
// the users (their per-user vectors, a_u and p_u ⊙ w_gmf, written into shared memory), wakes it
// with Atomics.notify, scores its own share, then blocks in Atomics.wait until every helper is
// done, and copies the helpers' scores out of shared memory. Each helper runs its own instance of
// the same WebAssembly kernel on a byte copy of the caller's kernel memory (weights and item
// tables laid out once), so the scores are bitwise the caller's.
//
// The helper is a short plain-JS script evaluated in the worker (no file to locate, no TypeScript
// loader: it needs nothing but the compiled module it is sent). It runs only where all of this is
// available: Node with `process.getBuiltinModule` (20.16+; workers started synchronously),
// SharedArrayBuffer, and Atomics.wait on the calling thread. Elsewhere the scorer stays on one
// thread. Nothing can hang: a helper that is not ready within STARTUP_MS, or that takes far longer
// than the caller's own share, is terminated and its share scored by the caller; so is one that
// reports an error.
import type { KernelSnapshot } from './score-wasm.js';

/** Most users one helper scores per round (its result buffer is USERS_PER_ROUND x numItems floats). */
export const USERS_PER_ROUND = 64;
/** How long a helper may take to start, and the least time a job is given before the caller takes it over. */
const STARTUP_MS = 10_000;

// control words (Int32Array over a SharedArrayBuffer), per helper
const JOB = 0; // job counter, bumped by the caller to start a job; -1 asks the helper to exit
const DONE = 1; // the last job the helper finished
const COUNT = 2; // users in the job
const FAILED = 3; // 1 when the job threw
const READY = 4; // 1 once the helper has laid out its memory

const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, bytes, cfg, au, gu, out, p1, pf, numItems, control, vectors, result } = workerData;
const ctl = new Int32Array(control);
const ex = new WebAssembly.Instance(module, {}).exports;
const have = ex.memory.buffer.byteLength;
if (have < bytes.byteLength) ex.memory.grow(Math.ceil((bytes.byteLength - have) / 65536));
new Uint8Array(ex.memory.buffer).set(new Uint8Array(bytes));
ex.configure(cfg);
const buffer = ex.memory.buffer;
const auView = new Float32Array(buffer, au, p1);
const guView = new Float32Array(buffer, gu, pf);
const outView = new Float32Array(buffer, out, numItems);
const vec = new Float32Array(vectors);
const res = new Float32Array(result);
const stride = p1 + pf;
Atomics.store(ctl, ${READY}, 1);
Atomics.notify(ctl, ${READY});
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${JOB}, seen);
  seen = Atomics.load(ctl, ${JOB});
  if (seen < 0) break;
  try {
    const n = Atomics.load(ctl, ${COUNT});
    for (let r = 0; r < n; r++) {
      if (p1 > 0) auView.set(vec.subarray(r * stride, r * stride + p1));
      if (pf > 0) guView.set(vec.subarray(r * stride + p1, (r + 1) * stride));
      ex.scoreRange(0, numItems);
      res.set(outView, r * numItems);
    }
    Atomics.store(ctl, ${FAILED}, 0);
  } catch (e) {
    Atomics.store(ctl, ${FAILED}, 1);
  }
  Atomics.store(ctl, ${DONE}, seen);
  Atomics.notify(ctl, ${DONE});
}
`;

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
}
type WorkerConstructor = new (source: string, options: { eval: boolean; workerData: unknown }) => NodeWorker;

/** Node's Worker, reached synchronously; null where threads cannot be driven synchronously. */
function workerConstructor(): WorkerConstructor | null {
  try {
    if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object' || typeof Atomics.wait !== 'function') return null;
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const threads = proc?.getBuiltinModule?.('node:worker_threads') as { Worker?: WorkerConstructor; isMainThread?: boolean } | undefined;
    if (typeof threads?.Worker !== 'function') return null;
    // Atomics.wait throws on threads that may not block (a browser's main thread); probe it.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return threads.Worker;
  } catch {
    return null;
  }
}

/** Whether helper threads can be driven synchronously here (see the file header). */
export function threadsAvailable(): boolean {
  return workerConstructor() !== null;
}

/** One helper thread and its shared buffers. */
interface Helper {
  worker: NodeWorker;
  control: Int32Array;
  vectors: Float32Array;
  result: Float32Array;
  job: number;
}

/**
 * Helper threads for one scorer. The caller computes the per-user vectors; `run` scores the given
 * rows on the helpers and on the calling thread together.
 */
export class ScoreThreads {
  private readonly helpers: Helper[];
  private readonly numItems: number;
  private readonly stride: number;
  private readonly patienceMs: number;

  private constructor(helpers: Helper[], numItems: number, stride: number, patienceMs: number) {
    this.helpers = helpers;
    this.numItems = numItems;
    this.stride = stride;
    this.patienceMs = patienceMs;
  }

  /** Helper threads the caller is joined by. */
  get count(): number {
    return this.helpers.length;
  }

  /**
   * Starts `count` helpers on a copy of the kernel's memory and waits (blocking) until they are
   * ready. Returns null when threads are not available here or a helper fails to start in time.
   * `patienceMs` is the least time a job is given before the caller scores it itself (tests lower it).
   */
  static start(module: WebAssembly.Module, snapshot: KernelSnapshot, count: number, patienceMs = STARTUP_MS): ScoreThreads | null {
    const Worker = workerConstructor();
    if (Worker === null || count < 1) return null;
    const stride = snapshot.p1 + snapshot.pf;
    const helpers: Helper[] = [];
    try {
      for (let h = 0; h < count; h++) {
        const control = new Int32Array(new SharedArrayBuffer(8 * 4));
        const vectors = new Float32Array(new SharedArrayBuffer(USERS_PER_ROUND * stride * 4));
        const result = new Float32Array(new SharedArrayBuffer(USERS_PER_ROUND * snapshot.numItems * 4));
        const { bytes, cfg, au, gu, out, p1, pf, numItems } = snapshot;
        const worker = new Worker(HELPER_SOURCE, {
          eval: true,
          workerData: { module, bytes, cfg, au, gu, out, p1, pf, numItems, control: control.buffer, vectors: vectors.buffer, result: result.buffer },
        });
        worker.unref();
        helpers.push({ worker, control, vectors, result, job: 0 });
      }
      for (const helper of helpers) {
        if (Atomics.wait(helper.control, READY, 0, STARTUP_MS) === 'timed-out' && Atomics.load(helper.control, READY) !== 1) {
          throw new Error('a scoring thread did not start');
        }
      }
    } catch {
      for (const helper of helpers) void helper.worker.terminate();
      return null;
    }
    return new ScoreThreads(helpers, snapshot.numItems, stride, patienceMs);
  }

  /**
   * Scores `n` users: `userVectors(r, into)` writes row r's a_u then p_u ⊙ w_gmf into `into`;
   * `scoreHere(from, to)` scores rows from..to-1 on the calling thread into their places of `out`
   * (row r at r * numItems). Rows go to the threads in rounds of at most USERS_PER_ROUND per helper.
   * Returns false, having scored everything, when a helper failed (the threads are then stopped
   * and must not be used again).
   */
  run(n: number, userVectors: (row: number, into: Float32Array) => void, scoreHere: (from: number, to: number) => void, out: Float32Array, offset: number): boolean {
    const { helpers, numItems, stride } = this;
    const parts = helpers.length + 1;
    let healthy = true;
    for (let start = 0; start < n; ) {
      const round = Math.min(n - start, parts * USERS_PER_ROUND);
      const share = Math.ceil(round / parts);
      // the caller takes the first share, helper h the (h + 1)-th
      const bounds: Array<[number, number]> = [];
      for (let h = 0; h < helpers.length; h++) {
        const from = Math.min(start + (h + 1) * share, start + round);
        const to = Math.min(from + share, start + round);
        bounds.push([from, to]);
        const helper = helpers[h];
        for (let r = from; r < to; r++) userVectors(r, helper.vectors.subarray((r - from) * stride, (r - from + 1) * stride));
        if (to > from) {
          helper.job++;
          Atomics.store(helper.control, COUNT, to - from);
          Atomics.store(helper.control, JOB, helper.job);
          Atomics.notify(helper.control, JOB);
        }
      }
      const started = Date.now();
      scoreHere(start, Math.min(start + share, start + round));
      const mine = Date.now() - started;
      for (let h = 0; h < helpers.length; h++) {
        const [from, to] = bounds[h];
        if (to <= from) continue;
        const helper = helpers[h];
        if (this.await(helper, mine) && Atomics.load(helper.control, FAILED) === 0) {
          out.set(helper.result.subarray(0, (to - from) * numItems), offset + from * numItems);
        } else {
          healthy = false;
          scoreHere(from, to);
        }
      }
      start += round;
      if (!healthy) {
        this.stop();
        scoreHere(start, n);
        return false;
      }
    }
    return true;
  }

  /** Waits for the helper's current job: true when done, false after far longer than the caller's own share took. */
  private await(helper: Helper, mineMs: number): boolean {
    const deadline = Date.now() + Math.max(this.patienceMs, 50 * mineMs);
    for (;;) {
      const done = Atomics.load(helper.control, DONE);
      if (done === helper.job) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(helper.control, DONE, done, left);
    }
  }

  /** Terminates one helper behind the pool's back (tests: what happens when a thread dies). */
  killForTest(h: number): Promise<number> {
    return this.helpers[h].worker.terminate();
  }

  /** Asks the helpers to exit and terminates them. */
  stop(): void {
    for (const helper of this.helpers) {
      Atomics.store(helper.control, JOB, -1);
      Atomics.notify(helper.control, JOB);
      void helper.worker.terminate();
    }
    this.helpers.length = 0;
  }
}
