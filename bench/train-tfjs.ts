// Throughput of train() with the tfjs engine (sampling, tensor creation and the loss read-back
// included) on an ML-1M-sized NeuMF (6,040 users, 3,706 items, factors 8, MLP [64, 32, 16, 8],
// 4 negatives), on the cpu and wasm backends. Times `--steps` batches after a few warm-up batches,
// then aborts. Prints instances/s; never asserts.
//
//   npx tsx bench/train-tfjs.ts [--steps 30] [--batch 256] [--backends cpu,wasm]
import { NeuMF } from '../src/models/index.js';
import { train } from '../src/training/index.js';
import { mulberry32 } from '../src/_lib/random.js';
import { useBackend } from '../test/helpers/backends.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const steps = Number(option('steps', '30'));
const batchSize = Number(option('batch', '256'));
const backends = option('backends', 'cpu,wasm').split(',') as ('cpu' | 'wasm')[];
const warmup = 5;
const numUsers = 6040;
const numItems = 3706;

// ML-1M has about 165 positives per user; 20 per user is plenty for a few batches and keeps setup short.
const random = mulberry32(1);
const perUser = 20;
const users = new Int32Array(numUsers * perUser);
const items = new Int32Array(numUsers * perUser);
for (let u = 0; u < numUsers; u++) {
  const seen = new Set<number>();
  for (let k = 0; k < perUser; k++) {
    let i: number;
    do i = Math.floor(random() * numItems);
    while (seen.has(i));
    seen.add(i);
    users[u * perUser + k] = u;
    items[u * perUser + k] = i;
  }
}
const data = { users, items, numUsers, numItems };

for (const backend of backends) {
  await useBackend(backend);
  const model = NeuMF({ numUsers, numItems, factors: 8, layers: [64, 32, 16, 8], seed: 1 });
  const controller = new AbortController();
  let start = 0;
  let instances = 0;
  await train(model, data, {
    engine: 'tfjs',
    epochs: 1,
    batchSize,
    negatives: 4,
    signal: controller.signal,
    onBatchEnd: (b, logs) => {
      if (b === warmup - 1) start = performance.now();
      else if (b >= warmup) instances += logs.size;
      if (b === warmup + steps - 1) controller.abort();
    },
  });
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `tfjs engine, ${backend.padEnd(4)} backend, batch ${batchSize}: ${Math.round(instances / seconds).toLocaleString('en-US')} instances/s ` +
      `(${steps} batches, ${((seconds / steps) * 1000).toFixed(1)} ms/step)`,
  );
  model.dispose();
}
