// Benchmark: recommendAll (k = 10, seen items excluded) for every user, on 1 thread and on
// `--threads` score workers, side by side in one run (alternating, `--repeats` times each), with a
// NeuMF factor 8, MLP [64, 32, 16, 8] (random weights: speed does not depend on them) on
//   - MovieLens-1M (the NCF split's 6,040 users x 3,706 items, train excluded) when
//     ../shared/data/ml-1m-ncf is present, else ML-1M-sized synthetic data,
//   - MovieLens-20M-shaped synthetic data (syntheticMovieLens20M at `--scale`, every interaction
//     excluded).
// Prints users/s of each run, the speed-up of the median runs, the time to the first batch (with
// workers: their start, from the TypeScript sources under tsx, so slower than from dist/), and the
// load average around each run: on a shared machine compare the ratios, not the absolute figures.
//
//   npx tsx bench/recommend-all.ts [--threads 2] [--repeats 2] [--scale 0.1] [--users N] [--skip-ml1m] [--skip-ml20m] [--dist]
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { useBackend, SHARED_DATA } from '../test/helpers/backends.js';
import type { SeenItems } from '../src/data/index.js';
import type { Scorer } from '../src/scoring/index.js';
import { randomizeWeights } from '../test/helpers/random-ncf.js';
import { flag } from './measure.js';

// --dist: the built package (dist/, after `npm run build`), whose workers start from score-worker.js
// as in an app; default: the TypeScript sources, whose workers compile TypeScript first (slower start)
const fromDist = process.argv.includes('--dist');
const built = (file: string): Promise<unknown> => import(new URL(`../dist/${file}`, import.meta.url).href);
const lib = (fromDist ? await built('index.js') : await import('../src/index.js')) as typeof import('../src/index.js');
const { readNcf, seenItems, syntheticInteractions, syntheticMovieLens20M } = (fromDist
  ? await built('data.js')
  : await import('../src/data/index.js')) as typeof import('../src/data/index.js');
const { NeuMF, createScorer, recommendAll } = lib;

const THREADS = flag('threads', 2);
const REPEATS = flag('repeats', 2);
const SCALE = flag('scale', 0.1);
const USERS = flag('users', Infinity); // rank only the first N users of each data set
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

interface Run {
  threads: number;
  seconds: number;
  firstBatch: number;
  usersPerSecond: number;
  /** users/s after the first batch (without the workers' start) */
  steadyPerSecond: number;
  checksum: number;
}

async function once(scorer: Scorer, seen: SeenItems, threads: number): Promise<Run> {
  const t0 = performance.now();
  let firstBatch = NaN;
  let firstUsers = 0;
  let done = 0;
  let checksum = 0;
  const users = Number.isFinite(USERS) ? Int32Array.from({ length: Math.min(USERS, scorer.numUsers) }, (_, u) => u) : undefined;
  const stream = recommendAll(scorer, { k: 10, exclude: seen, threads, ...(users === undefined ? {} : { users }) });
  for await (const batch of stream) {
    done += batch.users.length;
    if (Number.isNaN(firstBatch)) {
      firstBatch = (performance.now() - t0) / 1000;
      firstUsers = done;
    }
    for (let t = 0; t < batch.items.length; t += 97) checksum = (checksum * 31 + batch.items[t] + 1) % 1_000_000_007;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (stream.threads !== threads) throw new Error(`asked for ${threads} threads, ran on ${stream.threads}: ${stream.fallbackReason}`);
  return { threads, seconds, firstBatch, usersPerSecond: done / seconds, steadyPerSecond: (done - firstUsers) / (seconds - firstBatch), checksum };
}

/**
 * CPU seconds this process gets per wall second with `threads` worker threads spinning for 1 s:
 * what the machine really delivers now (a shared or throttled VM gives less than one core per
 * thread), so that a speed-up can be read against it.
 */
async function capacity(threads: number): Promise<number> {
  const code = `const { parentPort } = require('node:worker_threads'); parentPort.on('message', () => { let x = 0; const t = Date.now(); while (Date.now() - t < 1000) x += Math.sqrt(x + 1); parentPort.postMessage(x); });`;
  const workers = Array.from({ length: threads }, () => new Worker(code, { eval: true }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('online', resolve))));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(workers.map((w) => new Promise((resolve) => (w.once('message', resolve), w.postMessage(0)))));
  const used = process.cpuUsage(c0);
  const wall = (performance.now() - t0) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  return (used.user + used.system) / 1e6 / wall;
}

async function capacityLine(): Promise<string> {
  const one = await capacity(1);
  const many = await capacity(THREADS);
  return `machine capacity now: 1 busy thread gets ${one.toFixed(2)} CPU-s/s, ${THREADS} get ${many.toFixed(2)} (at most ${(many / one).toFixed(2)}x from ${THREADS} threads)`;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function compare(name: string, numUsers: number, numItems: number, seen: SeenItems): Promise<void> {
  const model = randomizeWeights(NeuMF({ numUsers, numItems, factors: 8, layers: [64, 32, 16, 8], seed: 1 }), 1, 0.3);
  const scorer = createScorer(model);
  model.dispose();
  console.log(`\n${name}: ${numUsers} users x ${numItems} items, ${seen.items.length} seen pairs excluded; kernel ${scorer.kernel}`);
  console.log(`  before: ${await capacityLine()}`);
  // warm-up: the item tables and the JIT, on a few hundred users
  for await (const _ of recommendAll(scorer, { k: 10, exclude: seen, users: Int32Array.from({ length: Math.min(512, numUsers) }, (_, u) => u) })) void _;
  const runs: Run[] = [];
  for (let r = 0; r < REPEATS; r++) {
    if (r > 0) console.log(`  ${await capacityLine()}`);
    for (const threads of [1, THREADS]) {
      const before = load();
      const run = await once(scorer, seen, threads);
      runs.push(run);
      console.log(
        `  ${threads} thread(s): ${run.seconds.toFixed(2)} s, ${run.usersPerSecond.toFixed(0)} users/s, first batch after ${(run.firstBatch * 1000).toFixed(0)} ms, ` +
          `${run.steadyPerSecond.toFixed(0)} users/s after it` +
          ` (checksum ${run.checksum}; load ${before} -> ${load()})`,
      );
    }
  }
  const one = runs.filter((r) => r.threads === 1);
  const many = runs.filter((r) => r.threads === THREADS);
  if (new Set(runs.map((r) => r.checksum)).size !== 1) throw new Error('the runs disagree on the items');
  const a = median(one.map((r) => r.usersPerSecond));
  const b = median(many.map((r) => r.usersPerSecond));
  const c = median(one.map((r) => r.steadyPerSecond));
  const d = median(many.map((r) => r.steadyPerSecond));
  console.log(
    `  median: 1 thread ${a.toFixed(0)} users/s, ${THREADS} threads ${b.toFixed(0)} users/s: speed-up ${(b / a).toFixed(2)}x ` +
      `(after the first batch: ${c.toFixed(0)} vs ${d.toFixed(0)} users/s, ${(d / c).toFixed(2)}x)`,
  );
  console.log(`  after: ${await capacityLine()}`);
  scorer.dispose();
}

console.log(`recommendAll on 1 vs ${THREADS} threads (${fromDist ? 'dist/' : 'TypeScript sources'}), ${new Date().toISOString()}, load ${load()}`);
await useBackend('cpu');
if (!process.argv.includes('--skip-ml1m')) {
  const dir = `${SHARED_DATA}ml-1m-ncf`;
  if (existsSync(dir)) {
    const ncf = await readNcf(dir);
    await compare('MovieLens-1M (NCF split, train excluded)', ncf.numUsers, ncf.numItems, seenItems(ncf.train));
  } else {
    const data = syntheticInteractions({ numUsers: 6040, numItems: 3706, seed: 1 });
    await compare(`ML-1M-sized synthetic (${dir} absent)`, data.numUsers, data.numItems, seenItems(data));
  }
}
if (!process.argv.includes('--skip-ml20m')) {
  const data = syntheticMovieLens20M({ scale: SCALE, seed: 42 });
  await compare(`ML-20M-shaped synthetic, scale ${SCALE}`, data.numUsers, data.numItems, seenItems(data));
}
console.log(`\nload at end: ${load()}`);
