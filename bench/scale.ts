// Scale benchmark (issue 14): MovieLens-20M-shaped synthetic data (138,493 users, 26,744 items,
// 20,000,263 interactions by default; syntheticMovieLens20M), then
//   1. build the data, 2. leave-one-out split (by time), 3. ONE epoch of NeuMF factor 8
//   [64,32,16,8] with the fused engine (4 negatives: ~100M instances at full size),
//   4. sampled evaluation (99 sampled negatives, exclude: train) for every user, beside a
//   popularity scorer as a baseline, 5. full ranking (evaluateFull) for a seeded user sample,
//   6. `recommend` in a loop for a user sample (per-call latency), 7. `recommendAll` for every user
//   (k = 10, seen items excluded; on 1 thread, then on --threads score workers; each stopped by an
//   AbortSignal at --all-budget seconds, and then the figure for all users is an extrapolation and
//   says so).
// Prints wall time and peak RSS (process.resourceUsage().maxRSS) after each phase. Asserts nothing.
//
//   npx tsx bench/scale.ts [--scale 1] [--threads 2] [--batch 256] [--full-users 10000]
//                          [--recommend-users 1000] [--seed 42] [--full-budget 900] [--recommend-budget 600]
//                          [--all-budget 900]
// --full-budget, --recommend-budget: seconds after which the full-ranking phase (between chunks of
// 500 users) or the recommend loop stops and reports on the users done so far.
import * as tf from '@tensorflow/tfjs';
import { cpus, loadavg } from 'node:os';
import { useBackend } from '../test/helpers/backends.js';
import { syntheticMovieLens20M, leaveOneOut, seenItems, type Interactions } from '../src/data/index.js';
import { fitPopularity } from '../src/baselines/index.js';
import { NeuMF } from '../src/models/index.js';
import { train } from '../src/training/index.js';
import { evaluateFull, evaluateSampled } from '../src/evaluation/index.js';
import { createScorer } from '../src/scoring/index.js';
import { recommend, recommendAll } from '../src/serving/index.js';
import { mulberry32, randomInt } from '../src/_lib/random.js';
import { flag } from './measure.js';

const SCALE = flag('scale', 1);
const THREADS = flag('threads', 2);
const BATCH = flag('batch', 256);
const FULL_USERS = flag('full-users', 10_000);
const RECOMMEND_USERS = flag('recommend-users', 1_000);
const SEED = flag('seed', 42);
const FULL_BUDGET = flag('full-budget', 900);
const RECOMMEND_BUDGET = flag('recommend-budget', 600);
const ALL_BUDGET = flag('all-budget', 900);
const NEGATIVES = 4;

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const peakMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
const rssMB = (): number => Math.round(process.memoryUsage().rss / 2 ** 20);
const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');
const started = performance.now();
let phaseStart = performance.now();
function phase(name: string, detail = ''): number {
  const seconds = (performance.now() - phaseStart) / 1000;
  console.log(
    `[${name}] ${fmt(seconds, 1)} s | peak RSS ${fmt(peakMB())} MB, RSS now ${fmt(rssMB())} MB | load ${load()}${detail ? `\n    ${detail}` : ''}`,
  );
  phaseStart = performance.now();
  return seconds;
}
const elapsed = (): number => (performance.now() - phaseStart) / 1000;
const stamp = (): string => new Date().toISOString().slice(11, 19);

/** `count` distinct entries of `pool`, seeded (partial Fisher-Yates on a copy). */
function sample(pool: Int32Array, count: number, seed: number): Int32Array {
  const copy = pool.slice();
  const n = Math.min(count, copy.length);
  const random = mulberry32(seed);
  for (let i = 0; i < n; i++) {
    const j = i + randomInt(random, copy.length - i);
    const tmp = copy[i];
    copy[i] = copy[j];
    copy[j] = tmp;
  }
  return copy.slice(0, n).sort();
}

/** Each user's items as CSR (offsets by user), O(interactions). */

console.log(`neural-recsys scale benchmark, ${new Date().toISOString()}`);
console.log(`command: npx tsx bench/scale.ts ${process.argv.slice(2).join(' ')}`);
console.log(`node ${process.version}, ${cpus().length} logical cores, load average ${load()} at start (other work on the machine skews wall-clock figures)`);
console.log(`scale ${SCALE}, threads ${THREADS}, batch ${BATCH}, full-ranking sample ${FULL_USERS} (budget ${FULL_BUDGET} s), recommend sample ${RECOMMEND_USERS}, seed ${SEED}\n`);

// 1. data
let data: Interactions | undefined = syntheticMovieLens20M({ scale: SCALE, seed: SEED });
{
  const { numUsers, numItems } = data;
  const perUser = new Int32Array(numUsers);
  for (const u of data.users) perUser[u]++;
  const perItem = new Int32Array(numItems);
  for (const i of data.items) perItem[i]++;
  perUser.sort();
  perItem.sort();
  const mid = (a: Int32Array): number => a[a.length >> 1];
  phase(
    'generate',
    `${fmt(numUsers)} users, ${fmt(numItems)} items, ${fmt(data.users.length)} interactions; ` +
      `per user min ${perUser[0]} / median ${mid(perUser)} / max ${perUser[numUsers - 1]}; ` +
      `per item min ${perItem[0]} / median ${mid(perItem)} / max ${perItem[numItems - 1]}`,
  );
}

// 2. split
const { train: trainSet, test } = leaveOneOut(data, { by: 'time' });
const { numUsers, numItems } = data;
data = undefined; // only the split is used from here on
phase('leaveOneOut by time', `${fmt(trainSet.users.length)} train, ${fmt(test.users.length)} test`);

// 3. one epoch
await useBackend('cpu');
const model = NeuMF({ numUsers, numItems, factors: 8, layers: [64, 32, 16, 8], seed: SEED });
phase('NeuMF built (tfjs cpu)', `${fmt(model.countParams())} parameters`);
const instances = trainSet.users.length * (1 + NEGATIVES);
let lastReport = performance.now();
const trainStart = performance.now();
let firstReport = -1;
const history = await train(model, trainSet, {
  epochs: 1,
  engine: 'fused',
  threads: THREADS,
  negatives: NEGATIVES,
  batchSize: BATCH,
  seed: SEED,
  onBatchEnd: (batch) => {
    if (firstReport < 0) {
      firstReport = (performance.now() - trainStart) / 1000;
      console.log(`    ${stamp()} first batch report after ${fmt(firstReport, 1)} s (engine setup, sampler build, first batches), batch ${fmt(batch + 1)}`);
    }
    if (performance.now() - lastReport > 30_000) {
      lastReport = performance.now();
      const done = (batch + 1) * BATCH;
      console.log(`    ${stamp()} batch ${fmt(batch + 1)}: ${fmt((100 * done) / instances, 1)}% of the epoch, peak RSS ${fmt(peakMB())} MB`);
    }
  },
});
const trainSeconds = (performance.now() - trainStart) / 1000;
phase(
  'train 1 epoch',
  `${history.engineReason}, ${history.threads} thread(s); ${fmt(instances)} instances in ${fmt(trainSeconds, 1)} s = ` +
    `${fmt(instances / trainSeconds)} instances/s (setup and sampling included); loss ${history.epochs[0]?.loss?.toFixed(4)}`,
);

// 4. sampled protocol, every test user
const scorer = createScorer(model);
phase('createScorer', `method ${(scorer as { method?: string }).method ?? '?'}`);
const sampled = evaluateSampled(scorer, { users: test.users, items: test.items }, { exclude: trainSet, negatives: 99, k: 10 });
const sampledSeconds = elapsed();
phase(
  'evaluateSampled (99 negatives, exclude: train)',
  `${fmt(sampled.positives)} positives; HR@10 ${sampled.hr.toFixed(4)}, NDCG@10 ${sampled.ndcg.toFixed(4)}; ` +
    `${fmt(sampled.positives / sampledSeconds)} users/s, ${fmt((sampled.positives * 100) / sampledSeconds)} scored pairs/s`,
);
const popular = fitPopularity(trainSet);
const baseline = evaluateSampled(popular, { users: test.users, items: test.items }, { exclude: trainSet, negatives: 99, k: 10 });
phase('evaluateSampled, popularity baseline', `HR@10 ${baseline.hr.toFixed(4)}, NDCG@10 ${baseline.ndcg.toFixed(4)} (NeuMF after 1 epoch: ${sampled.hr.toFixed(4)}, ${sampled.ndcg.toFixed(4)})`);

// 5. full ranking, a user sample, in chunks so that a time budget can end it early (evaluateFull
// has no AbortSignal); the metrics are means over users, so chunk means weighted by users are exact.
const fullUsers = sample(test.users, FULL_USERS, SEED + 1);
const CHUNK = 500;
let fullDone = 0;
let hrSum = 0;
let ndcgSum = 0;
const fullStart = performance.now();
let lastProgress = performance.now();
for (let from = 0; from < fullUsers.length; from += CHUNK) {
  const part = evaluateFull(scorer, test, { exclude: trainSet, k: 10, users: fullUsers.subarray(from, from + CHUNK) });
  fullDone += part.users;
  hrSum += part.hr * part.users;
  ndcgSum += part.ndcg * part.users;
  const spent = (performance.now() - fullStart) / 1000;
  if (performance.now() - lastProgress > 30_000) {
    lastProgress = performance.now();
    console.log(`    ${stamp()} ${fmt(fullDone)} / ${fmt(fullUsers.length)} users, ${fmt(fullDone / spent, 1)} users/s`);
  }
  if (spent > FULL_BUDGET && from + CHUNK < fullUsers.length) {
    console.log(`    time budget of ${FULL_BUDGET} s reached: stopped after ${fmt(fullDone)} of ${fmt(fullUsers.length)} sampled users (--full-budget to change)`);
    break;
  }
}
const fullSeconds = elapsed();
phase(
  `evaluateFull (exclude: train), ${fmt(fullDone)} sampled users in chunks of ${CHUNK}`,
  `HR@10 ${(hrSum / fullDone).toFixed(4)}, NDCG@10 ${(ndcgSum / fullDone).toFixed(4)}; ${fmt(fullDone / fullSeconds, 1)} users/s = ` +
    `${fmt((fullDone * numItems) / fullSeconds / 1e6, 2)}M pairs/s; all ${fmt(test.users.length)} users would take ` +
    `${fmt(((test.users.length / fullDone) * fullSeconds) / 60, 1)} min at this rate (extrapolation)`,
);
const popularFull = evaluateFull(popular, test, { exclude: trainSet, k: 10, users: fullUsers.subarray(0, fullDone) });
phase('evaluateFull, popularity baseline, the same users', `HR@10 ${popularFull.hr.toFixed(4)}, NDCG@10 ${popularFull.ndcg.toFixed(4)}`);

// 6. recommend in a loop: per-call latency
const seen = seenItems(trainSet); // each user's distinct items, ascending
const recommendUsers = sample(test.users, RECOMMEND_USERS, SEED + 2);
const times = new Float64Array(recommendUsers.length);
let checksum = 0;
let recommended = 0;
for (let j = 0; j < recommendUsers.length; j++) {
  if (elapsed() > RECOMMEND_BUDGET) {
    console.log(`    time budget of ${RECOMMEND_BUDGET} s reached: stopped after ${fmt(j)} of ${fmt(recommendUsers.length)} sampled users (--recommend-budget to change)`);
    break;
  }
  const u = recommendUsers[j];
  const t0 = performance.now();
  const top = recommend(scorer, u, { k: 10, exclude: seen.items.subarray(seen.offsets[u], seen.offsets[u + 1]) });
  times[j] = performance.now() - t0;
  checksum += top[0]?.item ?? 0;
  recommended++;
}
const loopSeconds = phase(`recommend loop, ${fmt(recommended)} sampled users, exclude = the user's own train items`);
const sorted = times.slice(0, recommended).sort();
const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
console.log(
  `    ${fmt(recommended / loopSeconds, 1)} users/s; per call p50 ${pct(0.5).toFixed(2)} ms, p99 ${pct(0.99).toFixed(2)} ms, max ${sorted[sorted.length - 1].toFixed(2)} ms (checksum ${checksum})`,
);
console.log(
  `    EXTRAPOLATION (not measured): recommend for all ${fmt(numUsers)} users, k = 10, one thread, by this loop: ` +
    `${fmt(((numUsers / recommended) * loopSeconds) / 60, 1)} min`,
);
// The same call with `exclude: train` (an Interactions): checked and indexed on the first call, the
// index kept for the object (the first call pays for the whole training set).
const scanUsers = recommendUsers.subarray(0, Math.min(20, recommended));
const s0 = performance.now();
for (const u of scanUsers) recommend(scorer, u, { k: 10, exclude: trainSet });
const scanMs = (performance.now() - s0) / scanUsers.length;
phase(
  `recommend, ${scanUsers.length} users, exclude = the whole train Interactions`,
  `${scanMs.toFixed(1)} ms per call on average, the first one indexing all ${fmt(trainSet.users.length)} training rows (vs p50 ${pct(0.5).toFixed(2)} ms with the user's own items)`,
);

// 7. recommendAll for every user: streamed batches, one seen-items index, stopped at the budget;
// on 1 thread, then on --threads score workers, side by side
const allRates: number[] = [];
for (const allThreads of THREADS > 1 ? [1, THREADS] : [1]) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ALL_BUDGET * 1000);
  const a0 = performance.now();
  let users = 0;
  let allChecksum = 0;
  let lastReport = a0;
  const stream = recommendAll(scorer, { k: 10, exclude: seen, signal: controller.signal, threads: allThreads });
  for await (const batch of stream) {
    users += batch.users.length;
    allChecksum = (allChecksum + batch.items[0]) % 1_000_000_007;
    if (performance.now() - lastReport > 60_000) {
      lastReport = performance.now();
      console.log(`    ${new Date().toISOString().slice(11, 19)} ${fmt(users)} / ${fmt(numUsers)} users, ${fmt(users / ((lastReport - a0) / 1000), 1)} users/s`);
    }
  }
  clearTimeout(timer);
  allRates.push(users / ((performance.now() - a0) / 1000));
  const allSeconds = phase(
    `recommendAll, k = 10, exclude = seen (SeenItems), threads ${stream.threads}${stream.fallbackReason ? ` (${stream.fallbackReason})` : ''}` +
      `${controller.signal.aborted ? `, STOPPED at the ${ALL_BUDGET} s budget (--all-budget)` : ''}`,
    `${fmt(users)} of ${fmt(numUsers)} users, ${fmt(allRates[allRates.length - 1], 1)} users/s (checksum ${allChecksum})`,
  );
  if (users < numUsers) {
    console.log(`    EXTRAPOLATION (not measured): all ${fmt(numUsers)} users at this rate: ${fmt(((numUsers / users) * allSeconds) / 60, 1)} min`);
  }
}
if (allRates.length === 2) console.log(`    recommendAll speed-up, ${THREADS} threads over 1: ${(allRates[1] / allRates[0]).toFixed(2)}x`);

scorer.dispose();
model.dispose();
console.log(`\ntotal ${fmt((performance.now() - started) / 1000, 1)} s, peak RSS ${fmt(peakMB())} MB (${tf.getBackend()} backend for model building)`);
