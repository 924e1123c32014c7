// Training throughput of a tfjs NeuMF (ML-1M sized) with the fast embedding gradient, on the cpu
// and wasm backends; optionally also with tfjs's stock gather gradient (--stock: very slow on cpu,
// fails on wasm). Prints instances/s; never asserts.
//
//   npx tsx bench/embedding-gradient.ts [--steps 40] [--batch 256] [--stock] [--backends cpu,wasm]
import * as tf from '@tensorflow/tfjs';
import { NeuMF } from '../src/models/index.js';
import { ensureFastGatherGradient } from '../src/_lib/gather-gradient.js';
import { mulberry32 } from '../src/_lib/random.js';
import { useBackend } from '../test/helpers/backends.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const steps = Number(option('steps', '40'));
const batchSize = Number(option('batch', '256'));
const backends = option('backends', 'cpu,wasm').split(',') as ('cpu' | 'wasm')[];
const withStock = args.includes('--stock');
const numUsers = 6040;
const numItems = 3706;

const stockGradient = tf.getGradient('GatherV2');

function batches(count: number): { users: tf.Tensor; items: tf.Tensor; labels: tf.Tensor }[] {
  const random = mulberry32(42);
  return Array.from({ length: count }, () => ({
    users: tf.tensor2d(Int32Array.from({ length: batchSize }, () => Math.floor(random() * numUsers)), [batchSize, 1], 'int32'),
    items: tf.tensor2d(Int32Array.from({ length: batchSize }, () => Math.floor(random() * numItems)), [batchSize, 1], 'int32'),
    labels: tf.tensor2d(Float32Array.from({ length: batchSize }, () => (random() < 0.2 ? 1 : 0)), [batchSize, 1]),
  }));
}

async function measure(label: string, loop: 'minimize' | 'trainOnBatch', stepsToRun: number, stock = false): Promise<void> {
  const model = NeuMF({ numUsers, numItems, factors: 8, layers: [64, 32, 16, 8], seed: 1 });
  // the builder installs the fast gradient; swap the stock one back in after building
  if (stock) {
    tf.unregisterGradient('GatherV2');
    tf.registerGradient(stockGradient);
  }
  const data = batches(Math.min(stepsToRun, 10));
  const optimizer = tf.train.adam(0.001);
  if (loop === 'trainOnBatch') model.compile({ optimizer, loss: 'binaryCrossentropy' });
  const step = async (k: number) => {
    const b = data[k % data.length];
    if (loop === 'trainOnBatch') {
      await model.trainOnBatch([b.users, b.items], b.labels);
    } else {
      const loss = optimizer.minimize(
        () => tf.mean(tf.metrics.binaryCrossentropy(b.labels, model.apply([b.users, b.items]) as tf.Tensor)) as tf.Scalar,
        true,
      );
      await loss?.data();
      loss?.dispose();
    }
  };
  try {
    await step(0); // warm-up: kernels, Adam slots
    const start = performance.now();
    for (let k = 1; k <= stepsToRun; k++) await step(k);
    const seconds = (performance.now() - start) / 1000;
    const rate = (stepsToRun * batchSize) / seconds;
    console.log(`${label.padEnd(44)} ${rate.toFixed(0).padStart(8)} instances/s  (${((seconds / stepsToRun) * 1000).toFixed(1)} ms/step)`);
  } catch (e) {
    console.log(`${label.padEnd(44)} failed: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    data.forEach((b) => tf.dispose([b.users, b.items, b.labels]));
    if (loop !== 'trainOnBatch') optimizer.dispose();
    model.dispose();
    ensureFastGatherGradient();
  }
}

console.log(`NeuMF ${numUsers} users x ${numItems} items, factor 8, layers [64,32,16,8], batch ${batchSize}, BCE, Adam 0.001, ${steps} steps`);
for (const backend of backends) {
  await useBackend(backend);
  ensureFastGatherGradient();
  await measure(`${backend} fast gradient, optimizer.minimize`, 'minimize', steps);
  await measure(`${backend} fast gradient, model.trainOnBatch`, 'trainOnBatch', steps);
  if (withStock) await measure(`${backend} stock gradient, optimizer.minimize`, 'minimize', backend === 'cpu' ? 2 : steps, true);
}
