// Entry point of a fused-engine worker thread (Node worker_threads or a browser Web Worker). It is a
// bundle entry of its own ('fused-worker' in tsup.config.ts) so it can be started by URL, and it
// imports no TensorFlow.js: only the kernel, the layout and the sampler.
//
// Each worker trains its shard of every epoch Hogwild-style on the shared weights (see engine.ts for
// why), checks the shared abort flag between batches, takes Adam's step number from the shared
// counter, and reports progress at least every 100 batches or 50 ms.
import { NegativeSampler } from '../../sampling/index.js';
import { FusedKernel } from './kernel.js';
import { instantiateTower } from './tower-wasm.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './protocol.js';
import { CONTROL_ABORT, CONTROL_STEP, storeViews } from './store.js';
import { importNodeBuiltin } from '../../_lib/node-import.js';

interface Port {
  post(message: WorkerReply): void;
  listen(handler: (message: WorkerRequest) => void): void;
}

const REPORT_EVERY_BATCHES = 100;
const REPORT_EVERY_MS = 50;

interface State {
  init: WorkerInit;
  kernel: FusedKernel;
  sampler: NegativeSampler;
  control: Int32Array;
}

async function start(init: WorkerInit): Promise<State> {
  const store = storeViews(init.buffer, init.layout.length, init.adam, init.rows);
  const control = new Int32Array(init.control);
  // each worker instantiates the module with its own private memory (no module, e.g. from an engine
  // built before the tower existed: the JS kernel)
  const tower = init.tower ? await instantiateTower(init.tower, init.layout, init.kernel.loss === 'bpr' ? 2 : 1) : null;
  return {
    init,
    // the shared step count tells the kernel how far to catch skipped rows up (dense Adam)
    kernel: new FusedKernel(init.layout, store, init.kernel, tower, control),
    sampler: NegativeSampler.fromState(init.sampler),
    control,
  };
}

function runEpoch(state: State, epoch: number, post: (m: WorkerReply) => void): void {
  const { init, kernel, sampler, control } = state;
  const spec = { batchSize: init.batchSize, negatives: init.negatives, epoch, shard: init.shard };
  let lossSum = 0;
  let instances = 0;
  let batches = 0;
  let unreported = 0;
  let lastReport = performance.now();
  let aborted = false;
  const step = (loss: number, size: number): boolean => {
    if (!Number.isFinite(loss)) {
      post({ type: 'diverged', loss, batch: batches });
      return false;
    }
    kernel.apply(Atomics.add(control, CONTROL_STEP, 1) + 1);
    lossSum += loss * size;
    instances += size;
    batches++;
    unreported++;
    const now = performance.now();
    if (unreported >= REPORT_EVERY_BATCHES || now - lastReport >= REPORT_EVERY_MS) {
      post({ type: 'progress', batches: unreported, loss, size });
      unreported = 0;
      lastReport = now;
    }
    return true;
  };
  let last = { loss: NaN, size: 0 };
  if (init.kernel.loss === 'bpr') {
    for (const b of sampler.pairBatches(spec)) {
      if (Atomics.load(control, CONTROL_ABORT) !== 0) {
        aborted = true;
        break;
      }
      const loss = kernel.gradientsBpr(b.users, b.positives, b.negatives, b.weights);
      if (!step(loss, b.users.length)) return;
      last = { loss, size: b.users.length };
    }
  } else {
    for (const b of sampler.batches(spec)) {
      if (Atomics.load(control, CONTROL_ABORT) !== 0) {
        aborted = true;
        break;
      }
      const loss = kernel.gradientsBce(b.users, b.items, b.labels, b.weights);
      if (!step(loss, b.users.length)) return;
      last = { loss, size: b.users.length };
    }
  }
  if (unreported > 0) post({ type: 'progress', batches: unreported, loss: last.loss, size: last.size });
  post({ type: 'done', lossSum, instances, batches, aborted });
}

function serve(port: Port): void {
  let state: State | null = null;
  const fail = (e: unknown): void => {
    const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : undefined;
    port.post({ type: 'error', message: e instanceof Error ? e.message : String(e), code });
  };
  port.listen((message) => {
    try {
      if (message.type === 'init') {
        start(message).then((s) => {
          state = s;
          port.post({ type: 'ready' });
        }, fail);
      } else if (message.type === 'epoch') {
        if (state === null) throw new Error('fused worker: epoch before init');
        runEpoch(state, message.epoch, (m) => port.post(m));
      }
    } catch (e) {
      fail(e);
    }
  });
}

async function main(): Promise<void> {
  const scope = globalThis as unknown as {
    WorkerGlobalScope?: unknown;
    postMessage(m: unknown): void;
    addEventListener(type: 'message', h: (e: { data: WorkerRequest }) => void): void;
  };
  if (scope.WorkerGlobalScope !== undefined) {
    serve({ post: (m) => scope.postMessage(m), listen: (h) => scope.addEventListener('message', (e) => h(e.data)) });
    return;
  }
  const { parentPort } = await importNodeBuiltin<typeof import('node:worker_threads')>('worker_threads', 'a fused worker needs worker_threads');
  if (parentPort === null) return; // imported on a main thread: nothing to serve
  serve({ post: (m) => parentPort.postMessage(m), listen: (h) => parentPort.on('message', h) });
}

void main();
