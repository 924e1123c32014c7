// Messages between the fused engine (main thread) and its worker threads. Plain data only.
import type { SamplerState } from '../../sampling/index.js';
import type { EpochTotals } from '../epoch-loop.js';
import type { KernelOptions } from './kernel.js';
import type { ParamLayout } from './layout.js';

/** First message to a worker: everything it needs to train its shard of every epoch. */
export interface WorkerInit {
  type: 'init';
  layout: ParamLayout;
  /** Weights and moments (see store.ts), shared with every thread. */
  buffer: SharedArrayBuffer;
  /** Byte offset of the store in `buffer`. */
  offset: number;
  /** The shared WebAssembly memory whose buffer `buffer` is, or null (a plain SharedArrayBuffer). */
  memory: WebAssembly.Memory | null;
  /** The compiled catch-up module for that memory (catch-up-wasm.ts), or null: the JS catch-up runs. */
  catchUp: WebAssembly.Module | null;
  adam: boolean;
  /** Table rows (users, items, side-feature rows) whose last updated step the buffer keeps after the moments (Adam). */
  rows: number;
  /** Each side-feature field's fixed entity index (`layout.fields` order; empty without side features). */
  featureIndex: Int32Array[];
  /** The control block's buffer (abort flag, step count). */
  control: SharedArrayBuffer;
  sampler: SamplerState;
  kernel: KernelOptions;
  batchSize: number;
  negatives: number;
  shard: { index: number; count: number };
  /** The compiled WebAssembly tower (structured-cloned), or null: the worker runs the JS kernel. */
  tower: WebAssembly.Module | null;
}

/** Starts one epoch on a worker. */
export interface WorkerEpoch {
  type: 'epoch';
  epoch: number;
}

/** Messages to a worker. */
export type WorkerRequest = WorkerInit | WorkerEpoch;

/** Messages from a worker. */
export type WorkerReply =
  | { type: 'ready' }
  /** `batches` finished since the last report; `loss`/`size` are those of the last of them. */
  | { type: 'progress'; batches: number; loss: number; size: number }
  /** The worker's shard of the epoch is done: its loss sums. */
  | { type: 'done'; totals: EpochTotals }
  /** A failure (divergence included: code TRAINING_DIVERGED, the loop's message and details). */
  | { type: 'error'; message: string; code?: string; details?: Record<string, unknown> };
