// Test-only: pick a tfjs backend. src/ never imports a backend; tests and benchmarks do, like an app.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let wasmReady: Promise<void> | undefined;

/** Switches tfjs to `name` ('cpu' or 'wasm'), loading the wasm binaries from node_modules. */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (name === 'wasm') {
    wasmReady ??= (async () => {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const require = createRequire(import.meta.url);
      const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
      wasm.setWasmPaths(join(dir, 'dist') + '/');
    })();
    await wasmReady;
  }
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`could not start the tfjs ${name} backend`);
  }
  await tf.ready();
}

/** Where the shared research datasets live (never copied into the repository). */
export const SHARED_DATA = new URL('../../../shared/data/', import.meta.url).pathname;
