// Negative-sampler throughput on an ML-1M-sized epoch: instances per second and seconds per epoch
// for uniform and popularity sampling, pointwise (BCE) batches and pairwise (BPR) pairs.
// Run: npx tsx bench/sampler.ts [path/to/ml-1m.train.rating]
// Reads the NCF training file when present (parsed here with a plain split, to stay independent of
// the data readers), else synthesises a random set of the same size. Prints figures; asserts nothing.
import { existsSync, readFileSync } from 'node:fs';
import { NegativeSampler, mulberry32, type Interactions } from '../src/sampling/index.js';

const DEFAULT_PATH = new URL('../../shared/data/ml-1m-ncf/ml-1m.train.rating', import.meta.url).pathname;

function readTrainRating(path: string): Interactions {
  const lines = readFileSync(path, 'utf8').split('\n');
  const users: number[] = [];
  const items: number[] = [];
  let numUsers = 0;
  let numItems = 0;
  for (const line of lines) {
    if (line.length === 0) continue;
    const [u, i] = line.split('\t');
    const user = Number(u);
    const item = Number(i);
    users.push(user);
    items.push(item);
    if (user >= numUsers) numUsers = user + 1;
    if (item >= numItems) numItems = item + 1;
  }
  return { users: Int32Array.from(users), items: Int32Array.from(items), numUsers, numItems };
}

function synthesise(): Interactions {
  // ML-1M sizes with a skewed item popularity, so both strategies have something to chew on
  const numUsers = 6040;
  const numItems = 3706;
  const n = 994_169;
  const random = mulberry32(1);
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    users[k] = Math.floor(random() * numUsers);
    items[k] = Math.floor(Math.pow(random(), 2) * numItems);
  }
  return { users, items, numUsers, numItems };
}

const path = process.argv[2] ?? DEFAULT_PATH;
const source = existsSync(path) ? path : 'synthetic (ML-1M sized)';
const data = existsSync(path) ? readTrainRating(path) : synthesise();
console.log(`data: ${source}: ${data.users.length} interactions, ${data.numUsers} users x ${data.numItems} items`);

const negatives = 4;
const epochs = Number(process.env.EPOCHS ?? 3);
for (const strategy of ['uniform', 'popularity'] as const) {
  let t0 = performance.now();
  const sampler = new NegativeSampler(data, { strategy, seed: 42 });
  const buildSeconds = (performance.now() - t0) / 1000;
  console.log(`\n${strategy}: constructor ${buildSeconds.toFixed(3)} s, ${sampler.numPositives} distinct positives`);
  for (const kind of ['BCE batches', 'BPR pairs'] as const) {
    let best = Infinity;
    let rows = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      t0 = performance.now();
      rows = 0;
      let checksum = 0;
      if (kind === 'BCE batches') {
        for (const batch of sampler.batches({ batchSize: 256, negatives, epoch })) {
          rows += batch.items.length;
          checksum += batch.items[0];
        }
      } else {
        for (const batch of sampler.pairBatches({ batchSize: 256, negatives, epoch })) {
          rows += batch.negatives.length;
          checksum += batch.negatives[0];
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      if (checksum < 0) console.log('impossible');
      best = Math.min(best, seconds);
    }
    const perSecond = rows / best;
    console.log(
      `  ${kind.padEnd(12)} ${rows.toLocaleString('en-US')} rows/epoch: ${best.toFixed(3)} s/epoch (best of ${epochs}), ` +
        `${(perSecond / 1e6).toFixed(2)} M rows/s, ${(1 / (perSecond / 1e6)).toFixed(3)} s per million`,
    );
  }
}
