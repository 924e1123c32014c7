// The dense-Adam catch-up's hot loop in WebAssembly SIMD: the jump of a row's weights over the
// steps it sat out (catch-up.ts's `jump`, which stays the JS fallback and the readable statement of
// the math), four float32 lanes at a time. The source is wasm/catch-up.ts (AssemblyScript), shipped
// as base64 in catch-up-wasm.generated.ts, built twice: importing an unshared memory (one thread)
// and a shared one (worker threads).
//
// Why: the catch-up runs on every element of every row a batch reads (NeuMF-8 at ML-1M size: about
// 12,000 elements per batch of 256), and in JS it cost about 11% of the fused engine's training
// step (bench/throughput-ab.ts). It needs the weights and moments themselves, so unlike the tower
// (which copies the dense block into its own memory once per batch) it works on the engine's store
// in place: when this module is available, store.ts allocates the store inside a WebAssembly.Memory
// (from byte STORE_BASE), every thread instantiates the module on that memory, and the JS kernel,
// the optimizer and tfjs's side keep reading and writing the same bytes through Float32Array views.
// Where it is unavailable (no WebAssembly SIMD, no shared WebAssembly memory, or a store beyond
// 32-bit WebAssembly's 4 GiB), the store is a plain (Shared)ArrayBuffer and the JS jump runs.
//
// No tfjs here: worker threads import this file.
import { decodeBase64 } from '../../_lib/wasm-bytes.js';
import { CATCH_UP_SHARED_WASM_BASE64, CATCH_UP_WASM_BASE64 } from './catch-up-wasm.generated.js';

/** The store starts at the memory's second 64 KiB page (the first is left to the module, which puts nothing there). */
export const STORE_BASE = 65536;
const PAGE = 65536;
/** 32-bit WebAssembly: at most 4 GiB. */
const MAX_PAGES = 65536;

/** The catch-up's jump over the store's memory (see catch-up.ts `RowCatchUp.move`). */
export interface SimdJump {
  /**
   * Moves the weights of one row's GMF part (elements at1 .. at1+n1 of the params) and MLP part
   * (at2 .. at2+n2) over a gap through its 2-point rule: w -= m (s1 / (r k1 + eps) + s2 / (r k2 + eps)),
   * r the root of the second moment; in float32.
   */
  jump(at1: number, n1: number, at2: number, n2: number, s1: number, k1: number, s2: number, k2: number, eps: number): void;
}

interface CatchUpExports {
  configure(base: number, length: number): void;
  jump: SimdJump['jump'];
}

const compiled: { shared?: Promise<WebAssembly.Module | null>; plain?: Promise<WebAssembly.Module | null> } = {};

/**
 * Compiles the catch-up module once per process and kind of memory. Resolves null where it cannot
 * run (no WebAssembly, no SIMD, or for `shared` no threads: `WebAssembly.validate` of the module is
 * the feature test).
 *
 * @param shared - for a shared memory (worker threads) or an unshared one
 * @returns the compiled module, or null (then the JS catch-up runs)
 */
export function compileCatchUp(shared: boolean): Promise<WebAssembly.Module | null> {
  const key = shared ? 'shared' : 'plain';
  compiled[key] ??= (async () => {
    try {
      if (typeof WebAssembly !== 'object' || typeof WebAssembly.compile !== 'function') return null;
      const bytes = decodeBase64(shared ? CATCH_UP_SHARED_WASM_BASE64 : CATCH_UP_WASM_BASE64);
      if (!WebAssembly.validate(bytes)) return null;
      return await WebAssembly.compile(bytes);
    } catch {
      return null;
    }
  })();
  return compiled[key];
}

/**
 * A WebAssembly memory for a store of `bytes` bytes at {@link STORE_BASE}, or null when there can be
 * none: beyond 4 GiB, or the runtime refuses (e.g. a shared memory in a page that is not
 * cross-origin isolated). Its size is fixed (it never grows, so views of its buffer stay valid).
 *
 * @param bytes - the store's size
 * @param shared - whether worker threads share it
 */
export function storeMemory(bytes: number, shared: boolean): WebAssembly.Memory | null {
  const pages = Math.ceil((STORE_BASE + bytes) / PAGE);
  if (pages > MAX_PAGES) return null;
  try {
    return new WebAssembly.Memory({ initial: pages, maximum: pages, shared });
  } catch {
    return null;
  }
}

/**
 * Instantiates the catch-up module on a store's memory.
 *
 * @param module - from {@link compileCatchUp} (of the memory's kind)
 * @param memory - the store's memory ({@link storeMemory})
 * @param length - the store's parameter count (the params, m and rms arrays are each this long, one
 *   after the other from {@link STORE_BASE}: store.ts)
 * @returns the jump, bound to that memory
 */
export function instantiateCatchUp(module: WebAssembly.Module, memory: WebAssembly.Memory, length: number): SimdJump {
  // synchronous: the module is under a kilobyte, far below browsers' limit for main-thread instantiation
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exports = instance.exports as unknown as CatchUpExports;
  exports.configure(STORE_BASE, length);
  return { jump: exports.jump };
}
