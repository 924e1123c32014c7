// Starting and stopping the fused engine's worker threads, in Node (worker_threads, through
// _lib/node-worker.ts) and in browsers (module Web Workers), from the TypeScript sources (vitest,
// tsx) and from the built package.
import type { WorkerReply, WorkerRequest } from './protocol.js';
import { runsOnNode, spawnNodeWorker } from '../../_lib/node-worker.js';
import { RecsysError } from '../../errors.js';

/** One running worker, whatever the runtime. */
export interface ThreadHandle {
  post(message: WorkerRequest): void;
  /** Called with every reply; `error` on an uncaught error or an unexpected exit. */
  listen(onReply: (reply: WorkerReply) => void, onError: (error: Error) => void): void;
  /** Lets the process exit while the worker idles (Node); `ref` undoes it. */
  ref(on: boolean): void;
  terminate(): Promise<void>;
}

/**
 * Starts one worker thread running worker.ts.
 *
 * @returns its handle; messages may be posted right away
 */
export async function spawnWorker(): Promise<ThreadHandle> {
  if (runsOnNode()) {
    return spawnNodeWorker<WorkerRequest, WorkerReply>({ from: import.meta.url, source: './worker.ts', built: './fused-worker', label: 'fused-engine worker' });
  }
  return spawnWebWorker();
}

/**
 * The error for a Web Worker's `error` event. A worker whose script never loaded (typically a
 * bundler that did not emit fused-worker.js) fires a plain Event without a message: say which file
 * is missing and what to do, rather than "worker failed: undefined".
 *
 * @param event - the error event (an ErrorEvent when the running worker threw)
 * @param url - the worker script's URL
 * @returns the error to report
 */
export function webWorkerFailure(event: { message?: unknown }, url: string): Error {
  if (typeof event.message === 'string' && event.message.length > 0) return new Error(`fused-engine worker failed: ${event.message}`);
  return new RecsysError(
    'UNSUPPORTED_RUNTIME',
    `the fused engine's worker could not start from ${url}: fused-worker.js is missing there or failed to load. ` +
      `Your bundler must emit neural-recsys's dist/fused-worker.js beside the bundled library (Vite and webpack 5 do so for ` +
      `new URL('./fused-worker.js', import.meta.url); with other bundlers copy node_modules/neural-recsys/dist/fused-worker.js there), ` +
      `or train on the page's own thread with threads: 1`,
    { url },
  );
}

async function spawnWebWorker(): Promise<ThreadHandle> {
  // Written literally so that bundlers (Vite, webpack 5) see and emit the worker file.
  const worker = new Worker(new URL('./fused-worker.js', import.meta.url), { type: 'module' });
  return {
    post: (message) => worker.postMessage(message),
    listen(onReply, onError) {
      worker.onmessage = (e: MessageEvent<WorkerReply>) => onReply(e.data);
      worker.onerror = (e: ErrorEvent) => onError(webWorkerFailure(e, new URL('./fused-worker.js', import.meta.url).href));
    },
    ref: () => undefined,
    async terminate() {
      worker.terminate();
    },
  };
}
