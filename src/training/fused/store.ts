// The fused engine's memory: weights, Adam moments and each table row's last updated step (dense-Adam
// catch-up, see catch-up.ts) in one buffer (shared between threads when there are workers), plus a
// small control block (abort flag, global step count). The buffer is a WebAssembly memory's when
// the dense-Adam catch-up runs in WebAssembly (catch-up-wasm.ts). No tfjs here.
import type { KernelStore } from './kernel.js';
import { STORE_BASE, storeMemory } from './catch-up-wasm.js';

/** Index of the abort flag in the control block (1 = stop after the current batch). */
export const CONTROL_ABORT = 0;
/** Index of the global optimizer step count (Adam's t), shared by all threads. */
export const CONTROL_STEP = 1;
const CONTROL_LENGTH = 4;

/** Whether shared memory and atomics exist here (browsers: only when cross-origin isolated). */
export function sharedMemoryAvailable(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean };
  return typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object' && g.crossOriginIsolated !== false;
}

/**
 * Views of weights and moments over one buffer from byte `offset`: params first, m and rms (the
 * square roots of the second moments, sqrt(v): see optimizer.ts) after it (Adam only), then
 * 2 × `rows` Int32 row steps (Adam only; per row, users, items, then side-feature rows, the step a catch-up brought
 * its weights to and the step its moments are from: see catch-up.ts).
 */
export function storeViews(buffer: ArrayBufferLike, length: number, adam: boolean, rows = 0, offset = 0): KernelStore {
  return {
    params: new Float32Array(buffer, offset, length),
    m: adam ? new Float32Array(buffer, offset + length * 4, length) : null,
    rms: adam ? new Float32Array(buffer, offset + length * 8, length) : null,
    rowSteps: adam && rows > 0 ? new Int32Array(buffer, offset + length * 12, 2 * rows) : null,
  };
}

/** A store's memory: its buffer, where in it the store starts, and the WebAssembly memory it belongs to (or null). */
export interface StoreMemory {
  buffer: ArrayBufferLike;
  /** Byte offset of the store in `buffer`. */
  offset: number;
  /** The WebAssembly memory whose buffer `buffer` is, so the catch-up module can run on it; null for a plain buffer. */
  memory: WebAssembly.Memory | null;
}

/**
 * Allocates the weights (and moments and the row steps of `rows` rows) of `length` parameters,
 * shared or not. With `wasm` (Adam only) it tries a WebAssembly memory first, for the catch-up
 * module (catch-up-wasm.ts), and falls back to a plain buffer.
 */
export function allocateStore(length: number, adam: boolean, shared: boolean, rows = 0, wasm = false): StoreMemory & { store: KernelStore } {
  const bytes = adam ? length * 12 + rows * 8 : length * 4;
  const memory = wasm && adam ? storeMemory(bytes, shared) : null;
  if (memory !== null) return { buffer: memory.buffer, offset: STORE_BASE, memory, store: storeViews(memory.buffer, length, adam, rows, STORE_BASE) };
  const buffer = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  return { buffer, offset: 0, memory: null, store: storeViews(buffer, length, adam, rows) };
}

/** A control block (shared or not). */
export function allocateControl(shared: boolean): Int32Array {
  const bytes = CONTROL_LENGTH * 4;
  return new Int32Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}
