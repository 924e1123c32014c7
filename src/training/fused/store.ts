// The fused engine's memory: weights, Adam moments and each table row's last updated step (dense-Adam
// catch-up, see catch-up.ts) in one buffer (shared between threads when there are workers), plus a
// small control block (abort flag, global step count). No tfjs here.
import type { KernelStore } from './kernel.js';

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
 * Views of weights and moments over one buffer: params at 0, m and rms (the square roots of the
 * second moments, sqrt(v): see optimizer.ts) after it (Adam only), then
 * 2 × `rows` Int32 row steps (Adam only; per row, users, items, then side-feature rows, the step a catch-up brought
 * its weights to and the step its moments are from: see catch-up.ts).
 */
export function storeViews(buffer: ArrayBufferLike, length: number, adam: boolean, rows = 0): KernelStore {
  return {
    params: new Float32Array(buffer, 0, length),
    m: adam ? new Float32Array(buffer, length * 4, length) : null,
    rms: adam ? new Float32Array(buffer, length * 8, length) : null,
    rowSteps: adam && rows > 0 ? new Int32Array(buffer, length * 12, 2 * rows) : null,
  };
}

/** Allocates the weights (and moments and the row steps of `rows` rows) of `length` parameters, shared or not. */
export function allocateStore(length: number, adam: boolean, shared: boolean, rows = 0): { buffer: ArrayBufferLike; store: KernelStore } {
  const bytes = adam ? length * 12 + rows * 8 : length * 4;
  const buffer = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  return { buffer, store: storeViews(buffer, length, adam, rows) };
}

/** A control block (shared or not). */
export function allocateControl(shared: boolean): Int32Array {
  const bytes = CONTROL_LENGTH * 4;
  return new Int32Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}
