// Serving latency of a loaded Recommender at MovieLens-1M size (6,040 users x 3,706 items,
// NeuMF factor 8, MLP [64,32,16,8]): a bundle is written, then loaded in this process, and the
// first `recommend` after `loadModel` is timed apart from the following ones (p50, p99), as are
// `similar` (first and following) and `recommendAll` for every user. Untrained random weights: the
// work per call does not depend on the values.
//
//   npx tsx bench/serving-latency.ts [--calls 2000]
//
// For comparison, the first call on a Recommender built with Recommender.from (no warm()) is timed
// too: that is what the first call after loadModel cost before loadModel warmed the recommender.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { IdMap } from '../src/data/index.js';
import { NeuMF } from '../src/models/index.js';
import { Recommender } from '../src/serving/index.js';
import { loadModel, saveModel } from '../src/io/index.js';
import { mulberry32 } from '../src/_lib/random.js';

const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
};
const CALLS = Number(arg('calls', '2000'));
const USERS = 6040;
const ITEMS = 3706;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const random = mulberry32(1);
  // about 165 seen items per user, as in ML-1M
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < USERS; u++) for (let t = 0; t < 165; t++) {
    users.push(u);
    items.push(Math.floor(random() * ITEMS));
  }
  const rec = Recommender.from({
    model: NeuMF({ numUsers: USERS, numItems: ITEMS, factors: 8, layers: [64, 32, 16, 8], seed: 1 }),
    users: IdMap.fromIds(Array.from({ length: USERS }, (_, u) => `u${u}`)),
    items: IdMap.fromIds(Array.from({ length: ITEMS }, (_, i) => `i${i}`)),
    seen: { users: Int32Array.from(users), items: Int32Array.from(items), numUsers: USERS, numItems: ITEMS },
  });
  let t0 = performance.now();
  rec.recommend('u17', { k: 10 });
  const coldMs = performance.now() - t0;
  t0 = performance.now();
  rec.recommend('u18', { k: 10 });
  const secondMs = performance.now() - t0;
  console.log(`cold Recommender.from (no warm): first recommend ${coldMs.toFixed(2)} ms, second ${secondMs.toFixed(2)} ms`);
  const dir = mkdtempSync(join(tmpdir(), 'serving-latency-'));
  try {
    await saveModel(rec, pathToFileURL(dir).href);
    rec.dispose();
    let t = performance.now();
    const loaded = await loadModel<string, string>(pathToFileURL(dir).href);
    const loadMs = performance.now() - t;
    t = performance.now();
    loaded.recommend('u17', { k: 10 });
    const firstMs = performance.now() - t;
    const times: number[] = [];
    for (let c = 0; c < CALLS; c++) {
      const user = `u${Math.floor(random() * USERS)}`;
      t = performance.now();
      loaded.recommend(user, { k: 10 });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    t = performance.now();
    loaded.similar('i5', { k: 10 });
    const similarFirst = performance.now() - t;
    const similarTimes: number[] = [];
    for (let c = 0; c < 200; c++) {
      t = performance.now();
      loaded.similar(`i${Math.floor(random() * ITEMS)}`, { k: 10 });
      similarTimes.push(performance.now() - t);
    }
    similarTimes.sort((a, b) => a - b);
    t = performance.now();
    let n = 0;
    for await (const batch of loaded.recommendAll({ k: 10 })) n += batch.length;
    const allS = (performance.now() - t) / 1000;
    const all = [firstMs, ...times].sort((a, b) => a - b);
    console.log(`loadModel ${loadMs.toFixed(1)} ms (ML-1M size NeuMF-8, ${USERS} users x ${ITEMS} items)`);
    console.log(`recommend: first call after loadModel ${firstMs.toFixed(2)} ms; next ${CALLS}: p50 ${quantile(times, 0.5).toFixed(2)} ms, p99 ${quantile(times, 0.99).toFixed(2)} ms, max ${times[times.length - 1].toFixed(2)} ms; all ${CALLS + 1} incl. first: p99 ${quantile(all, 0.99).toFixed(2)} ms`);
    console.log(`similar: first ${similarFirst.toFixed(2)} ms; next 200: p50 ${quantile(similarTimes, 0.5).toFixed(2)} ms, p99 ${quantile(similarTimes, 0.99).toFixed(2)} ms`);
    console.log(`recommendAll k=10, all ${n} users: ${allS.toFixed(2)} s (${(n / allS).toFixed(0)} users/s)`);
    loaded.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
