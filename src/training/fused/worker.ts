// Entry point of a fused-engine worker thread (Node worker_threads or a browser Web Worker). It is a
// bundle entry of its own ('fused-worker' in tsup.config.ts) so it can be started by URL, and it
// imports no TensorFlow.js: only the kernel, the layout and the sampler.
//
// Each worker trains its shard of every epoch Hogwild-style on the shared weights (see engine.ts for
// why) through the one epoch loop (../epoch-loop.ts: the shared abort flag between batches, the
// divergence rule, throttled progress at least every 100 batches or 50 ms), and takes Adam's step
// number from the shared counter.
import { NegativeSampler } from '../../sampling/index.js';
import { runEpochLoop, sampledEpoch, throttled, type EpochTotals } from '../epoch-loop.js';
import { FusedKernel } from './kernel.js';
import { kernelSteps } from './kernel-steps.js';
import { instantiateTower } from './tower-wasm.js';
import { instantiateCatchUp } from './catch-up-wasm.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './protocol.js';
import { CONTROL_ABORT, CONTROL_STEP, storeViews } from './store.js';
import { importNodeBuiltin } from '../../_lib/node-import.js';

interface Port {
  post(message: WorkerReply): void;
  listen(handler: (message: WorkerRequest) => void): void;
}

interface State {
  init: WorkerInit;
  kernel: FusedKernel;
  sampler: NegativeSampler;
  control: Int32Array;
}

async function start(init: WorkerInit): Promise<State> {
  const buffer = init.memory?.buffer ?? init.buffer;
  // the catch-up module runs on the shared store's own memory (every thread its own instance)
  const simd = init.memory !== null && init.catchUp !== null ? instantiateCatchUp(init.catchUp, init.memory, init.layout.length) : null;
  const store = { ...storeViews(buffer, init.layout.length, init.adam, init.rows, init.offset), featureIndex: init.featureIndex, simd };
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

/** Trains this worker's shard of one epoch through the one epoch loop; resolves with its loss sums. */
function runEpoch(state: State, epoch: number, post: (m: WorkerReply) => void): Promise<EpochTotals> {
  const { init, kernel, sampler, control } = state;
  const spec = { batchSize: init.batchSize, negatives: init.negatives, epoch, shard: init.shard };
  // synchronous steps and no yields: the loop runs the shard in one go, checking the shared abort flag
  return runEpochLoop({
    ...sampledEpoch(sampler, init.kernel.loss, spec, kernelSteps(kernel)),
    apply: () => kernel.apply(Atomics.add(control, CONTROL_STEP, 1) + 1),
    aborted: () => Atomics.load(control, CONTROL_ABORT) !== 0,
    progress: throttled((batches, loss, size) => post({ type: 'progress', batches, loss, size })),
    divergence: { loss: init.kernel.loss, epoch, learningRate: init.kernel.learningRate, shard: init.shard },
  });
}

function serve(port: Port): void {
  let state: State | null = null;
  const fail = (e: unknown): void => {
    const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : undefined;
    const details = (e as { details?: Record<string, unknown> } | null)?.details;
    port.post({ type: 'error', message: e instanceof Error ? e.message : String(e), code, ...(details === undefined ? {} : { details: { ...details } }) });
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
        runEpoch(state, message.epoch, (m) => port.post(m)).then((totals) => port.post({ type: 'done', totals }), fail);
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
