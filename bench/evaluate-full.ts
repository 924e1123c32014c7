// Benchmark: users/second of evaluateFull on MovieLens-1M (NCF split) with an untrained NeuMF
// (6040 users, 3706 items, factors 8, layers [64, 32, 16, 8]), scored
//   - by the fast scorer (weights read once; the first MLP layer computed once per user and once
//     per item instead of once per pair; plain typed-array math), and
//   - by the generic path (model.predict over chunks of pairs) on the tfjs cpu and wasm backends.
// The generic paths are timed on a few hundred users only, to keep the run short. Weights are
// untrained: speed does not depend on them, and the two paths are also checked to agree.
//
// Run: npx tsx bench/evaluate-full.ts [path/to/ml-1m-ncf] [fastUsers] [genericUsers]
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { useBackend, SHARED_DATA } from '../test/helpers/backends.js';
import { readNcf } from '../src/data/index.js';
import { NeuMF } from '../src/models/index.js';
import { evaluateFull, type FullEvaluation } from '../src/evaluation/index.js';
import { createScorer, type Scorer } from '../src/scoring/index.js';

const dir = process.argv[2] || `${SHARED_DATA}ml-1m-ncf`;
const fastUsers = Number(process.argv[3] ?? 6040);
const genericUsers = Number(process.argv[4] ?? 300);
if (!existsSync(dir)) {
  console.log(`skipped: ${dir} not found (pass the ml-1m-ncf directory as the first argument)`);
  process.exit(0);
}

const ncf = await readNcf(dir);
const { numUsers, numItems } = ncf;
console.log(`ML-1M NCF split: ${numUsers} users, ${numItems} items, ${ncf.train.users.length} train, ${ncf.test.users.length} test`);
const firstUsers = (n: number) => Int32Array.from({ length: Math.min(n, numUsers) }, (_, u) => u);

function build(): tf.LayersModel {
  return NeuMF({ numUsers, numItems, factors: 8, layers: [64, 32, 16, 8], seed: 1 });
}

function timeIt(scorer: Scorer, users: Int32Array): { seconds: number; result: FullEvaluation } {
  const started = performance.now();
  const result = evaluateFull(scorer, ncf.test, { exclude: ncf.train, k: 10, users });
  return { seconds: (performance.now() - started) / 1000, result };
}

const rows: Array<{ path: string; users: number; seconds: number; usersPerSecond: number; ndcg: number }> = [];
function record(path: string, users: Int32Array, seconds: number, result: FullEvaluation): number {
  const usersPerSecond = users.length / seconds;
  rows.push({ path, users: users.length, seconds: +seconds.toFixed(2), usersPerSecond: +usersPerSecond.toFixed(1), ndcg: +result.ndcg.toFixed(5) });
  return usersPerSecond;
}

await useBackend('cpu');
const model = build();

// Fast path: creation (reading the weights) is timed with the evaluation; c_i for all items is
// computed lazily on the first user, so it is in the evaluation time anyway.
const started = performance.now();
const fast = createScorer(model);
const createSeconds = (performance.now() - started) / 1000;
const fastRun = timeIt(fast, firstUsers(fastUsers));
record(`fast scorer`, firstUsers(fastUsers), fastRun.seconds + createSeconds, fastRun.result);
// The same users as the generic runs, timed right before them: the fair comparison on a busy machine.
const fastSubsetRun = timeIt(fast, firstUsers(genericUsers));
const fastSubset = fastSubsetRun.result;
const fastSpeed = record('fast scorer (same users as generic)', firstUsers(genericUsers), fastSubsetRun.seconds, fastSubset);
fast.dispose();

const generic = createScorer(model, { fast: false });
const cpuRun = timeIt(generic, firstUsers(genericUsers));
const cpuSpeed = record('generic predict, tfjs cpu', firstUsers(genericUsers), cpuRun.seconds, cpuRun.result);
generic.dispose();
model.dispose();

let wasmSpeed: number | undefined;
let wasmResult: FullEvaluation | undefined;
try {
  await useBackend('wasm');
  const wasmModel = build();
  const wasmScorer = createScorer(wasmModel, { fast: false });
  const run = timeIt(wasmScorer, firstUsers(genericUsers));
  wasmSpeed = record('generic predict, tfjs wasm', firstUsers(genericUsers), run.seconds, run.result);
  wasmResult = run.result;
  wasmScorer.dispose();
  wasmModel.dispose();
} catch (e) {
  console.log(`wasm backend unavailable: ${(e as Error).message}`);
}

console.table(rows);
console.log(`fast scorer creation: ${(createSeconds * 1000).toFixed(0)} ms (included in its time)`);
console.log(`speed-up of the fast scorer (same users): ${(fastSpeed / cpuSpeed).toFixed(1)}x over tfjs cpu predict` +
  (wasmSpeed !== undefined ? `, ${(fastSpeed / wasmSpeed).toFixed(1)}x over tfjs wasm predict` : ''));
const agree = (a: FullEvaluation, b: FullEvaluation) => Math.abs(a.ndcg - b.ndcg) < 1e-6 && Math.abs(a.recall - b.recall) < 1e-6;
console.log(`fast and generic agree on the first ${genericUsers} users: cpu ${agree(fastSubset, cpuRun.result)}` +
  (wasmResult ? `, wasm ${agree(fastSubset, wasmResult)}` : ''));
