// The clash between cross-origin isolation and tfjs's threaded wasm build. A page served with
// COOP/COEP (which the fused engine needs for its worker threads) has SharedArrayBuffer, so
// @tensorflow/tfjs-backend-wasm picks its multi-threaded build; bundled by Vite (and others), that
// build starts its pthreads from blob workers that fail (`e is not defined`), and
// `tf.setBackend('wasm')` never settles: the page hangs. Turning tfjs's thread detection off before
// the backend starts avoids it; the library's fused engine keeps its own threads either way.
// The library never imports a backend, so it can only look at what the app registered.
import * as tf from '@tensorflow/tfjs';

const FLAG = 'WASM_HAS_MULTITHREAD_SUPPORT';

/** What {@link avoidWasmThreadClash} found and did. */
export interface WasmThreadClash {
  /** True when the code runs cross-origin isolated (SharedArrayBuffer shared with workers). */
  readonly crossOriginIsolated: boolean;
  /** True when `@tensorflow/tfjs-backend-wasm` has registered its backend (the app imported it). */
  readonly wasmRegistered: boolean;
  /** True when this call set `WASM_HAS_MULTITHREAD_SUPPORT` to false. */
  readonly applied: boolean;
  /** One sentence saying what was found and done (for a log line). */
  readonly message: string;
}

/**
 * Avoids the hang of a cross-origin isolated page that uses `@tensorflow/tfjs-backend-wasm` under a
 * bundler: when the page is isolated and the wasm backend is registered but not started, sets
 * `tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)` so tfjs starts its single-threaded wasm
 * build instead of the threaded one, whose blob workers fail (`e is not defined`) when bundled.
 * Call it after importing the wasm backend and before `tf.setBackend('wasm')`. It does nothing
 * outside isolated pages, in Node, when the app already set the flag itself, or when the wasm
 * backend has already started (then `applied` is false and `message` says why). The fused engine's
 * own threads are not affected.
 *
 * @returns what was found and whether the workaround was applied
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * avoidWasmThreadClash(); //=> { crossOriginIsolated: true, wasmRegistered: true, applied: true, message: '...' }
 * await tf.setBackend('wasm');
 * ```
 */
export function avoidWasmThreadClash(): WasmThreadClash {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const registered = tf.findBackendFactory('wasm') != null;
  const result = (applied: boolean, message: string): WasmThreadClash => ({ crossOriginIsolated: isolated, wasmRegistered: registered, applied, message });
  if (!isolated) return result(false, 'not cross-origin isolated: tfjs-backend-wasm runs single-threaded, no clash');
  if (!registered) return result(false, 'the wasm backend is not registered (import @tensorflow/tfjs-backend-wasm first): nothing to do');
  // `getFlags()` holds the flags set by the app or already evaluated by tfjs.
  const flags = tf.env().getFlags();
  if (FLAG in flags) {
    return result(false, `${FLAG} is already ${String(flags[FLAG])} (set by the app, or evaluated when the backend started): left as it is`);
  }
  tf.env().set(FLAG, false);
  return result(true, `cross-origin isolated page with the wasm backend: set ${FLAG} to false, so tfjs starts its single-threaded wasm build`);
}
