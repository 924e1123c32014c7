// The fused CPU training engine: the hand-written kernel (kernel.ts) driven over the negative
// sampler's epochs, on the calling thread or on worker threads, trading weights with the LayersModel
// only at the boundaries (syncToModel / syncFromModel).
//
// Parallelism: Hogwild (Recht et al. 2011), as word2vec, fastText and LightFM do. Each worker trains
// its own shard of the epoch (sampler.batches with `shard`) on ONE copy of the weights and Adam
// moments in a SharedArrayBuffer, lock-free; Adam's step number comes from a shared atomic counter.
// Why not synchronised gradients: a step takes ~1-2 ms at batch 256, so an all-reduce barrier per
// step (wake-up latency of Atomics.wait/notify, the slowest worker gating every step) would eat a
// large share of the gain of a second core, and the embedding part of a gradient is sparse and
// batch-specific, awkward to reduce. Hogwild's races are benign here for the same reason it works for
// word2vec: two threads rarely touch the same embedding row at the same moment (thousands of rows,
// a few hundred per step), and the dense block (a few thousand numbers) sees interleaved but
// individually valid updates; each step reads the dense weights once into a private copy, so a
// forward/backward pass is internally consistent. The price: threads > 1 is not bit-for-bit
// reproducible (threads: 1 is), and the epoch is as good as a sequential one only in expectation
// (the convergence test in engine.test.ts checks the result, not the bits).
//
// Where SharedArrayBuffer or workers are missing (browsers without cross-origin isolation), or the
// workers fail to start, the engine falls back to one thread and says why in `fallbackReason`.
//
// The dense MLP tower runs in WebAssembly SIMD where the runtime has it (tower-wasm.ts; about 2.6-3x
// the whole engine's single-thread speed): the module is compiled once here, asynchronously, and
// handed to each worker by postMessage, which instantiates its own copy with private memory (the
// weights stay in the shared store). Without WebAssembly SIMD the JS kernel runs; `kernel` says which.
import type * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../../errors.js';
import { assertInteger } from '../../_lib/validate.js';
import type { NcfArchitecture } from '../../ncf/index.js';
import { NegativeSampler } from '../../sampling/index.js';
import type { EngineSetup, EpochHooks, EpochResult, TrainingEngine } from '../types.js';
import { FusedKernel, type KernelOptions } from './kernel.js';
import { RowCatchUp } from './catch-up.js';
import { paramLayout, type ParamLayout } from './layout.js';
import { readFeatureIndex, readModelWeights, writeModelWeights } from './model-weights.js';
import { spawnWorker, type ThreadHandle } from './pool.js';
import { workersAvailable } from '../../_lib/node-worker.js';
import type { WorkerReply } from './protocol.js';
import { allocateControl, allocateStore, CONTROL_ABORT, CONTROL_STEP, sharedMemoryAvailable } from './store.js';
import { compileCatchUp, instantiateCatchUp } from './catch-up-wasm.js';
import { fusedSupport, kernelL2 } from './support.js';
import { compileTower, instantiateTower, type KernelKind } from './tower-wasm.js';
import { epochResult, everyBatch, mergeTotals, runEpochLoop, sampledEpoch, YIELD_EVERY_MS, type EpochTotals } from '../epoch-loop.js';
import { kernelSteps } from './kernel-steps.js';

/** The fused engine: a {@link TrainingEngine} plus why it runs on fewer threads than asked, if so. */
export interface FusedEngine extends TrainingEngine {
  readonly name: 'fused';
  /** Why the engine uses one thread although more were asked (no shared memory, no workers), else undefined. */
  readonly fallbackReason: string | undefined;
  /**
   * Which implementation runs the dense MLP tower: 'wasm-simd' (WebAssembly SIMD, where the runtime
   * has it and the model has a dense layer) or 'js' (the JS kernel: no WebAssembly SIMD, or GMF).
   */
  readonly kernel: KernelKind;
  /**
   * Which implementation runs the dense-Adam catch-up of skipped rows: 'wasm-simd' (WebAssembly
   * SIMD on a store in WebAssembly memory), 'js', or null when there is none (SGD, lazy Adam).
   */
  readonly catchUp: KernelKind | null;
}

/** The worker threads of one engine, started once and reused for every epoch. */
class WorkerGroup {
  private readonly sinks: ((reply: WorkerReply | Error) => void)[] = [];

  private constructor(private readonly handles: ThreadHandle[]) {
    handles.forEach((handle, w) => {
      this.sinks[w] = () => undefined;
      handle.listen(
        (reply) => this.sinks[w](reply),
        (error) => this.sinks[w](error),
      );
    });
  }

  /** Starts `count` workers and waits until each has built its kernel and sampler. */
  static async start(count: number, init: (index: number) => Parameters<ThreadHandle['post']>[0]): Promise<WorkerGroup> {
    const handles: ThreadHandle[] = [];
    try {
      for (let w = 0; w < count; w++) handles.push(await spawnWorker());
    } catch (e) {
      await Promise.all(handles.map((h) => h.terminate()));
      throw e;
    }
    const group = new WorkerGroup(handles);
    try {
      await Promise.all(
        handles.map(
          (handle, w) =>
            new Promise<void>((resolve, reject) => {
              group.sinks[w] = (reply) => {
                if (reply instanceof Error) reject(reply);
                else if (reply.type === 'ready') resolve();
                else if (reply.type === 'error') reject(new Error(reply.message));
              };
              handle.post(init(w));
            }),
        ),
      );
    } catch (e) {
      await group.terminate();
      throw e;
    }
    handles.forEach((h) => h.ref(false));
    return group;
  }

  /**
   * Runs one epoch on every worker; resolves with the summed totals once all are done. Rejects
   * (after all have stopped) on a worker's error, its divergence included.
   */
  run(epoch: number, control: Int32Array, onProgress: (batches: number, loss: number, size: number) => void): Promise<EpochTotals> {
    const parts: EpochTotals[] = [];
    this.handles.forEach((h) => h.ref(true));
    return new Promise<EpochTotals>((resolve, reject) => {
      let pending = this.handles.length;
      let failure: Error | null = null;
      const fail = (error: Error): void => {
        failure ??= error;
        Atomics.store(control, CONTROL_ABORT, 1);
      };
      const finish = (): void => {
        if (--pending > 0) return;
        this.handles.forEach((h) => h.ref(false));
        if (failure !== null) reject(failure);
        else resolve(mergeTotals(parts));
      };
      this.handles.forEach((handle, w) => {
        let finished = false;
        this.sinks[w] = (reply) => {
          if (finished) return;
          if (reply instanceof Error) {
            fail(reply);
          } else if (reply.type === 'progress') {
            try {
              onProgress(reply.batches, reply.loss, reply.size);
            } catch (e) {
              fail(e instanceof Error ? e : new Error(String(e)));
            }
            return;
          } else if (reply.type === 'done') {
            parts.push(reply.totals);
          } else if (reply.type === 'error') {
            fail(reply.code === undefined ? new Error(reply.message) : new RecsysError(reply.code as never, reply.message, reply.details));
          } else {
            return;
          }
          finished = true;
          finish();
        };
        handle.post({ type: 'epoch', epoch });
      });
    });
  }

  async terminate(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.terminate()));
  }
}

/**
 * Creates the fused CPU engine for a standard GMF, MLP or NeuMF model: copies the model's weights
 * into flat Float32Arrays, trains them with hand-written forward/backward passes (Adam with
 * row-wise updates of the embedding tables, or SGD) on `options.threads` threads, and writes them
 * back with `syncToModel()`. Throws `UNSUPPORTED_ENGINE` for any other model (see {@link fusedSupport}).
 *
 * Optimizer: dense weights get tfjs's Adam (or SGD) exactly. Embedding tables get dense Adam's
 * semantics by default (`adamRows: 'dense'`): a batch updates the rows it touched, and the steps a
 * row sat out are applied in closed form when a batch next reads it and, for every row, at the end
 * of each epoch (catch-up.ts), so rows skipped by a batch keep moving as in tfjs's Adam at a cost
 * per step proportional to the batch. `adamRows: 'lazy'` is LazyAdam (TensorFlow's LazyAdam,
 * PyTorch's SparseAdam): skipped rows stay put and their moments do not decay.
 *
 * Batch callbacks: on one thread `onBatchEnd` runs after every batch (a returned promise is awaited);
 * with workers it runs on the main thread as reports arrive, at least every 100 batches (or 50 ms)
 * per worker and after each worker's last batch, with that batch's loss and size; the workers do not
 * wait for a returned promise.
 *
 * @param setup - model, architecture, data, negatives to exclude and resolved options
 * @returns the engine; call `dispose()` when done (it stops the workers)
 * @example
 * ```ts
 * const model = NeuMF({ numUsers: 100, numItems: 50, factors: 8, layers: [16, 8] });
 * const engine = await createFusedEngine({ model, architecture: inspectModel(model), data, options: resolveTrainOptions({ threads: 2 }) });
 * const { loss } = await engine.runEpoch(0, {});
 * engine.syncToModel();
 * await engine.dispose();
 * engine.name; //=> 'fused'
 * ```
 */
export async function createFusedEngine(setup: EngineSetup): Promise<FusedEngine> {
  const { model, options } = setup;
  const support = fusedSupport(model, setup.architecture, options);
  if (!support.supported) {
    throw new RecsysError('UNSUPPORTED_ENGINE', `the fused engine cannot train this model: ${support.reason}`);
  }
  assertInteger('threads', options.threads, 1);
  const layout = paramLayout(setup.architecture as NcfArchitecture);
  const adam = options.optimizer === 'adam';
  const sampler = new NegativeSampler(setup.data, {
    strategy: options.sampling,
    exclude: setup.excludeFromNegatives,
    seed: options.seed,
    weighting: options.weighting,
    weightScale: options.weightScale,
  });
  let fallbackReason: string | undefined;
  let wanted = options.threads;
  if (wanted > 1 && !sharedMemoryAvailable()) {
    fallbackReason = 'SharedArrayBuffer is unavailable (in browsers it needs cross-origin isolation)';
    wanted = 1;
  } else if (wanted > 1 && !workersAvailable()) {
    fallbackReason = 'this runtime has no worker threads';
    wanted = 1;
  }
  const shared = wanted > 1;
  const rows = layout.tableRows;
  const rowsMode = options.adamRows ?? 'dense';
  const denseRows = adam && rowsMode === 'dense';
  // dense Adam: the catch-up's jump in WebAssembly when it can run, on a store in its memory
  const catchUpModule = denseRows ? await compileCatchUp(shared) : null;
  const { buffer, offset, memory, store } = allocateStore(layout.length, adam, shared, rows, catchUpModule !== null);
  const simdModule = memory === null ? null : catchUpModule;
  store.simd = simdModule === null ? null : instantiateCatchUp(simdModule, memory!, layout.length);
  const control = allocateControl(shared);
  readModelWeights(model, layout, store.params);
  const featureIndex = readFeatureIndex(model, layout);
  store.featureIndex = featureIndex;
  const penalties = kernelL2(model, layout);
  const kernelOptions: KernelOptions = {
    loss: options.loss,
    optimizer: options.optimizer,
    learningRate: options.learningRate,
    rows: rowsMode,
    ...(penalties.length === 0 ? {} : { kernelL2: penalties }),
  };
  // dense Adam: every row is brought up to date at the end of an epoch, on the main thread
  const catchUp =
    denseRows ? new RowCatchUp(layout, store.params, store.m!, store.rms!, store.rowSteps!, options.learningRate, store.simd) : null;
  // compiled once here; workers get the Module by postMessage and instantiate their own copy
  const tower = layout.tower.length > 1 ? await compileTower() : null;
  const slots = options.loss === 'bpr' ? 2 : 1;

  let group: WorkerGroup | null = null;
  if (shared) {
    const samplerState = sampler.getState({ shared: true });
    try {
      group = await WorkerGroup.start(wanted, (index) => ({
        type: 'init',
        layout,
        buffer: buffer as SharedArrayBuffer,
        offset,
        memory,
        catchUp: simdModule,
        adam,
        rows,
        featureIndex,
        control: control.buffer as SharedArrayBuffer,
        sampler: samplerState,
        kernel: kernelOptions,
        batchSize: options.batchSize,
        negatives: options.negatives,
        shard: { index, count: wanted },
        tower,
      }));
    } catch (e) {
      fallbackReason = `worker threads failed to start (${e instanceof Error ? e.message : String(e)})`;
      group = null;
    }
  }
  const local = group === null ? new FusedKernel(layout, store, kernelOptions, tower === null ? null : await instantiateTower(tower, layout, slots)) : null;
  const kind: KernelKind = tower === null ? 'js' : 'wasm-simd';
  const catchUpKind: KernelKind | null = catchUp === null ? null : store.simd === null ? 'js' : 'wasm-simd';
  return new Engine(model, layout, store.params, sampler, control, group, local, catchUp, setup, fallbackReason, kind, catchUpKind);
}

class Engine implements FusedEngine {
  readonly name = 'fused' as const;
  readonly threads: number;
  private disposed = false;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly layout: ParamLayout,
    private readonly params: Float32Array,
    private readonly sampler: NegativeSampler,
    private readonly control: Int32Array,
    private group: WorkerGroup | null,
    private readonly local: FusedKernel | null,
    private readonly rows: RowCatchUp | null,
    private readonly setup: EngineSetup,
    readonly fallbackReason: string | undefined,
    readonly kernel: KernelKind,
    readonly catchUp: KernelKind | null,
  ) {
    this.threads = group === null ? 1 : setup.options.threads;
  }

  private assertLive(): void {
    if (this.disposed) throw new RecsysError('INVALID_ARGUMENT', 'this training engine was disposed');
  }

  async runEpoch(epoch: number, hooks: EpochHooks): Promise<EpochResult> {
    this.assertLive();
    assertInteger('epoch', epoch, 0);
    if (hooks.signal?.aborted) return { loss: NaN, instances: 0, batches: 0, aborted: true };
    const result = await (this.group === null ? this.runInThread(epoch, hooks) : this.runOnWorkers(this.group, epoch, hooks));
    // dense Adam: the rows the last batches skipped take the steps they missed before anyone reads
    // the weights (every thread has stopped here)
    this.rows?.all(this.control[CONTROL_STEP]);
    return result;
  }

  private async runInThread(epoch: number, hooks: EpochHooks): Promise<EpochResult> {
    const kernel = this.local as FusedKernel;
    const control = this.control;
    const { options } = this.setup;
    const spec = { batchSize: options.batchSize, negatives: options.negatives, epoch };
    const totals = await runEpochLoop({
      ...sampledEpoch(this.sampler, options.loss, spec, kernelSteps(kernel)),
      apply: () => kernel.apply(++control[CONTROL_STEP]),
      aborted: () => hooks.signal?.aborted ?? false,
      progress: everyBatch(hooks.onBatchEnd),
      yieldEveryMs: YIELD_EVERY_MS,
      divergence: { loss: options.loss, epoch, learningRate: options.learningRate },
    });
    return epochResult(totals);
  }

  private async runOnWorkers(group: WorkerGroup, epoch: number, hooks: EpochHooks): Promise<EpochResult> {
    const control = this.control;
    Atomics.store(control, CONTROL_ABORT, 0);
    const onAbort = (): void => {
      Atomics.store(control, CONTROL_ABORT, 1);
    };
    hooks.signal?.addEventListener('abort', onAbort);
    let batch = 0;
    let callbacks: Promise<unknown> = Promise.resolve();
    let callbackError: unknown = null;
    try {
      const totals = await group.run(epoch, control, (batches, loss, size) => {
        batch += batches;
        if (!hooks.onBatchEnd) return;
        const index = batch - 1;
        const onBatchEnd = hooks.onBatchEnd;
        // callbacks run in report order; a failing one stops the epoch
        callbacks = callbacks.then(() => onBatchEnd(index, { loss, size })).catch((e: unknown) => {
          callbackError ??= e;
          Atomics.store(control, CONTROL_ABORT, 1);
        });
      });
      await callbacks;
      if (callbackError !== null) throw callbackError;
      return epochResult({ ...totals, aborted: totals.aborted || (hooks.signal?.aborted ?? false) });
    } catch (e) {
      // a failed epoch leaves the workers in an unknown state: stop them now
      await this.stopWorkers();
      throw e;
    } finally {
      hooks.signal?.removeEventListener('abort', onAbort);
    }
  }

  private async stopWorkers(): Promise<void> {
    const group = this.group;
    this.group = null;
    this.disposed = true;
    if (group !== null) await group.terminate();
  }

  // The weights outlive the workers, so syncing works even after a failed epoch or dispose().
  syncToModel(): void {
    writeModelWeights(this.model, this.layout, this.params);
  }

  syncFromModel(): void {
    readModelWeights(this.model, this.layout, this.params);
  }

  async dispose(): Promise<void> {
    await this.stopWorkers();
  }
}
