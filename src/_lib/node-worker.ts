// Whether a runtime has worker threads, and starting one Node.js worker thread (worker_threads) for the library's two worker entries (the
// fused engine's and recommendAll's score workers), from the TypeScript sources (vitest, tsx) or
// from the built package. Browsers start their Web Workers in each pool, with a literal
// `new URL('./<entry>.js', import.meta.url)` that bundlers must see.
import { importNodeBuiltin } from './node-import.js';

interface NodeProcess {
  versions?: { node?: string };
}

/** Whether this is Node.js (worker_threads), rather than a browser (Web Workers). */
export function runsOnNode(): boolean {
  return typeof (globalThis as { process?: NodeProcess }).process?.versions?.node === 'string';
}

/** Whether this runtime can start worker threads at all: Node, or a browser with Web Workers. */
export function workersAvailable(): boolean {
  return runsOnNode() || typeof (globalThis as { Worker?: unknown }).Worker === 'function';
}

/** One running Node worker. */
export interface NodeWorkerHandle<Request, Reply> {
  post(message: Request): void;
  /** Called with every reply; `onError` on an uncaught error or an unexpected exit. */
  listen(onReply: (reply: Reply) => void, onError: (error: Error) => void): void;
  /** Lets the process exit while the worker idles; `ref(true)` undoes it. */
  ref(on: boolean): void;
  terminate(): Promise<void>;
}

/** Where a worker's script is: beside the caller's module (`import.meta.url`). */
export interface NodeWorkerScript {
  /** The caller's `import.meta.url`. */
  readonly from: string;
  /** The TypeScript source beside it, e.g. './worker.ts'. */
  readonly source: string;
  /** The built entry's name without extension, e.g. './fused-worker' (.js or .cjs as the caller's bundle). */
  readonly built: string;
  /** Names the worker in errors, e.g. 'fused-engine worker'. */
  readonly label: string;
}

/**
 * Starts one worker thread running `script`: the .ts source under vitest/tsx, else the built entry.
 *
 * @param script - where the worker's code is, and its name for errors
 * @param onExit - called once when the thread has exited (for whatever reason)
 * @returns its handle; messages may be posted right away
 */
export async function spawnNodeWorker<Request, Reply>(script: NodeWorkerScript, onExit?: () => void): Promise<NodeWorkerHandle<Request, Reply>> {
  const why = `${script.label}s need Node.js worker_threads`;
  const { Worker } = await importNodeBuiltin<typeof import('node:worker_threads')>('worker_threads', why);
  const here = script.from;
  let worker: InstanceType<typeof Worker>;
  if (/\.[cm]?ts$/.test(here)) {
    // From the TypeScript sources (vitest, tsx) the worker must compile TypeScript too. Node 20
    // ignores `--import tsx` in a worker's execArgv, so a tiny bootstrap registers tsx's ESM
    // loader in the worker first, then imports the source.
    const { createRequire } = await importNodeBuiltin<typeof import('node:module')>('module', why);
    const { pathToFileURL } = await importNodeBuiltin<typeof import('node:url')>('url', why);
    const tsxApi = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    const url = new URL(script.source, here).href;
    worker = new Worker(`import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); });`, { eval: true });
  } else {
    worker = new Worker(new URL(`${script.built}${here.endsWith('.cjs') ? '.cjs' : '.js'}`, here));
  }
  let terminating = false;
  let exited = false;
  worker.on('exit', () => {
    exited = true;
    onExit?.();
  });
  return {
    post: (message) => worker.postMessage(message),
    listen(onReply, onError) {
      worker.on('message', onReply);
      worker.on('error', onError);
      worker.on('exit', (code) => {
        if (!terminating) onError(new Error(`${script.label} exited unexpectedly with code ${code}`));
      });
    },
    ref: (on) => (on ? worker.ref() : worker.unref()),
    async terminate() {
      terminating = true;
      if (!exited) await worker.terminate();
    },
  };
}
