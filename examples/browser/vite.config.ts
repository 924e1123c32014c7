// Vite config of the browser demo. The library resolves from ../../src, so the demo (and its
// end-to-end test, scripts/browser-test.mjs) always exercises the current source, not a stale build.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin, type Rollup } from 'vite';

const src = (path: string): string => fileURLToPath(new URL(`../../src/${path}`, import.meta.url));

// Cross-origin isolation makes SharedArrayBuffer available, which the fused engine needs to train
// with more than one thread; the demo works without it (one thread).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// The fused engine starts its worker threads with new Worker(new URL('./fused-worker.js',
// import.meta.url)): the name of the worker's bundle in the built package (dist/). Building from
// source, that file is training/fused/worker.ts. Vite resolves a relative worker URL on the file
// system only (no aliases), so point it at the source before Vite's worker plugin sees it.
const fusedWorkerFromSource: Plugin = {
  name: 'neural-recsys-fused-worker-from-source',
  enforce: 'pre',
  transform(code, id) {
    if (!id.endsWith('/src/training/fused/pool.ts') || !code.includes("'./fused-worker.js'")) return null;
    return { code: code.replaceAll("new URL('./fused-worker.js', import.meta.url)", "new URL('./worker.ts', import.meta.url)"), map: null };
  },
};

// The library loads node:* modules (worker_threads, fs, ...) only when it runs in Node, through
// dynamic imports a browser never reaches; Vite's note that it stubbed them out is expected here.
const onwarn: Rollup.WarningHandlerWithDefault = (warning, warn) => {
  if (warning.plugin === 'vite:resolve' && /"node:[\w/]+" has been externalized for browser compatibility/.test(warning.message)) return;
  warn(warning);
};

export default defineConfig({
  plugins: [fusedWorkerFromSource],
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: {
    alias: [
      { find: /^neural-recsys$/, replacement: src('index.ts') },
      { find: /^neural-recsys\/(metrics|sampling|data|baselines)$/, replacement: src('$1/index.ts') },
    ],
  },
  worker: { format: 'es', plugins: () => [fusedWorkerFromSource] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // TensorFlow.js alone is over a megabyte minified; the demo is not a size benchmark.
    chunkSizeWarningLimit: 4096,
    // three pages: the demo, a cross-origin isolated page on the tfjs wasm backend (wasm.html), and
    // a model with item features recommending an item added after training (new-item.html)
    rollupOptions: {
      onwarn,
      input: {
        main: fileURLToPath(new URL('index.html', import.meta.url)),
        wasm: fileURLToPath(new URL('wasm.html', import.meta.url)),
        newItem: fileURLToPath(new URL('new-item.html', import.meta.url)),
      },
    },
  },
  server: { headers: isolation },
  preview: { headers: isolation },
});
