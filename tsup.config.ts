import { defineConfig } from 'tsup';

// One build for the five public entry points. tfjs is a peer dependency and never bundled;
// the metrics, sampling, data and baselines entries must not reach it at all (checked in .ci/run).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    metrics: 'src/metrics/index.ts',
    sampling: 'src/sampling/index.ts',
    data: 'src/data/index.ts',
    baselines: 'src/baselines/index.ts',
    // the fused engine's worker thread: a file of its own so Node and browsers can start it by URL
    'fused-worker': 'src/training/fused/worker.ts',
    // recommendAll's score workers (threads > 1), started by URL likewise
    'score-worker': 'src/scoring/score-worker.ts',
    // the `neural-recsys` command (package.json "bin"); its shebang line is kept and the file made executable
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  splitting: true,
  treeshake: true,
  shims: true,
  // keep `node:` specifiers: bundlers and the package check treat them as Node-only built-ins
  removeNodeProtocol: false,
  external: [/^@tensorflow\//, 'papaparse', 'cli-progress', /^node:/],
});
