// Child process for test/soak.test.ts: trains with the fused engine on 2 worker threads, then
// returns normally ('ok'), or has a callback throw ('throw') or an abort ('abort'). It prints one
// JSON line and then does nothing more: if any worker thread were left running, this process
// would not exit on its own, and the parent (which never kills it unless it hangs) notices.
import * as tf from '@tensorflow/tfjs';
import { NeuMF, syntheticInteractions, train } from '../../src/index.js';

const mode = process.argv[2] ?? 'ok';
await tf.setBackend('cpu');
const data = syntheticInteractions({ numUsers: 60, numItems: 40, interactionsPerUser: 8, seed: 1 });
const model = NeuMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 4, layers: [8, 4], seed: 1 });
const controller = new AbortController();
let outcome: string;
try {
  const history = await train(model, data, {
    engine: 'fused',
    threads: 2,
    epochs: 4,
    batchSize: 32,
    seed: 2,
    signal: controller.signal,
    onBatchEnd: (batch) => {
      if (mode === 'abort' && batch >= 2) controller.abort();
    },
    onEpochEnd: (epoch) => {
      if (mode === 'throw' && epoch === 1) throw new Error('callback failed on purpose');
    },
  });
  outcome = `returned engine=${history.engine} epochs=${history.epochs.length} aborted=${history.aborted}`;
} catch (e) {
  outcome = `threw ${(e as Error).message}`;
}
const finite = model.getWeights().every((w) => (w.dataSync() as Float32Array).every(Number.isFinite));
model.dispose();
console.log(JSON.stringify({ mode, outcome, finite, numTensors: tf.memory().numTensors }));
