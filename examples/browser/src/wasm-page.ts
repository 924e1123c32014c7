// A page that is cross-origin isolated (the fused engine's threads need SharedArrayBuffer) and uses
// the tfjs wasm backend (for the tfjs engine and custom models). Under Vite, tfjs's threaded wasm
// build fails in its blob workers (`e is not defined`) and `tf.setBackend('wasm')` never settles;
// avoidWasmThreadClash() turns tfjs's thread detection off before the backend starts, so it uses
// the single-threaded build. `?workaround=off` skips the call, to see the hang for yourself.
//
// For the end-to-end test (scripts/browser-test.mjs): body[data-state] is loading | running | done |
// error; #isolated, #workaround, #backend hold text; #results rows carry data-hr / data-ndcg.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Vite copies the wasm binaries to the build and gives their URLs; tfjs fetches them from there.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { NeuMF, avoidWasmThreadClash, evaluateSampled, train } from 'neural-recsys';
import { leaveOneOut, syntheticInteractions } from 'neural-recsys/data';
import './style.css';
import { $ } from './dom.js';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});

async function run(): Promise<void> {
  $('#isolated').textContent = String(globalThis.crossOriginIsolated === true);
  const skip = new URLSearchParams(location.search).get('workaround') === 'off';
  const clash = skip ? undefined : avoidWasmThreadClash();
  $('#workaround').textContent = clash === undefined ? 'skipped (?workaround=off)' : `${clash.applied ? 'applied' : 'not needed'}: ${clash.message}`;
  $('#workaround').dataset.applied = String(clash?.applied ?? false);
  if (clash) console.log(`avoidWasmThreadClash: ${clash.message}`);

  $('#status').textContent = 'Starting the wasm backend…';
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to start');
  await tf.ready();
  // a product big enough to spread over tfjs's wasm threads, when it has some
  tf.tidy(() => tf.matMul(tf.ones([256, 256]), tf.ones([256, 256])).dataSync());
  $('#backend').textContent = `${tf.getBackend()}, ${getThreadsCount()} thread(s) (threaded build: ${String(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'))})`;
  document.body.dataset.state = 'running';

  const data = syntheticInteractions({ numUsers: 200, numItems: 150, seed: 7 });
  const { train: fit, test } = leaveOneOut(data, { by: 'time' });
  const options = { k: 10, negatives: 99, exclude: fit, seed: 1 };
  const rows: { name: string; engine: string; hr: number; ndcg: number }[] = [];
  for (const [engine, threads, epochs] of [
    ['tfjs', 1, 4],
    ['fused', 2, 8],
  ] as const) {
    $('#status').textContent = `Training with the ${engine} engine…`;
    const model = NeuMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 8, layers: [32, 16, 8], seed: 42 });
    const history = await train(model, fit, { epochs, seed: 42, engine, threads, batchSize: 256 });
    const result = evaluateSampled(model, test, options);
    rows.push({ name: 'NeuMF', engine: `${history.engine}, ${history.threads} thread(s)`, hr: result.hr, ndcg: result.ndcg });
    model.dispose();
  }
  $('#results tbody').innerHTML = rows
    .map((r) => `<tr data-name="${r.name}" data-engine="${r.engine}" data-hr="${r.hr}" data-ndcg="${r.ndcg}"><td>${r.name}</td><td>${r.engine}</td><td>${r.hr.toFixed(4)}</td><td>${r.ndcg.toFixed(4)}</td></tr>`)
    .join('');
  $('#status').textContent = 'Done.';
  document.body.dataset.state = 'done';
}

run().catch((e: unknown) => {
  console.error(e);
  $('#error').hidden = false;
  $('#error').textContent = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  document.body.dataset.state = 'error';
});
