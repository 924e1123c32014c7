// Benchmark: users/second of evaluateFull on MovieLens-1M (NCF split) with an untrained NeuMF
// (6040 users, 3706 items, factors 8, layers [64, 32, 16, 8]), scored
//   - by the fast scorer with its WebAssembly SIMD kernel (weights read once; the first MLP layer
//     computed once per user and once per item; the rest of the tower per pair in f32x4),
//   - by the fast scorer forced onto its JS loops (the fallback where WebAssembly SIMD is missing),
//   - by the generic path (model.predict over chunks of pairs) on the tfjs cpu and wasm backends.
// The slower paths are timed on a few hundred users only, to keep the run short, right after the
// SIMD kernel on the same users: compare ratios from one run, not figures from different runs (the
// machine is shared). Weights are untrained: speed does not depend on them. Also prints the SIMD
// kernel's scoring alone (scoreAllItems, no ranking) as GFLOP/s and as a share of an estimated
// SIMD peak, and the load average before and after.
//
// Run: npx tsx bench/evaluate-full.ts [path/to/ml-1m-ncf] [fastUsers] [genericUsers]
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { useBackend, SHARED_DATA } from '../test/helpers/backends.js';
import { readNcf } from '../src/data/index.js';
import { NeuMF, inspectModel } from '../src/models/index.js';
import { evaluateFull, type FullEvaluation } from '../src/evaluation/index.js';
import { createScorer, type Scorer } from '../src/scoring/index.js';
import { NcfFastScorer, readNcfWeights } from '../src/scoring/scorer-fast.js';

const dir = process.argv[2] || `${SHARED_DATA}ml-1m-ncf`;
const fastUsers = Number(process.argv[3] ?? 6040);
const genericUsers = Number(process.argv[4] ?? 300);
if (!existsSync(dir)) {
  console.log(`skipped: ${dir} not found (pass the ml-1m-ncf directory as the first argument)`);
  process.exit(0);
}
const load = () => loadavg().map((x) => x.toFixed(2)).join(' / ');
console.log(`load average (1/5/15 min) at start: ${load()} on 2 cores`);

const ncf = await readNcf(dir);
const { numUsers, numItems } = ncf;
console.log(`ML-1M NCF split: ${numUsers} users, ${numItems} items, ${ncf.train.users.length} train, ${ncf.test.users.length} test`);
const firstUsers = (n: number) => Int32Array.from({ length: Math.min(n, numUsers) }, (_, u) => u);
const FACTORS = 8;
const LAYERS = [64, 32, 16, 8];

function build(): tf.LayersModel {
  return NeuMF({ numUsers, numItems, factors: FACTORS, layers: LAYERS, seed: 1 });
}

function timeIt(scorer: Scorer, users: Int32Array): { seconds: number; result: FullEvaluation } {
  const started = performance.now();
  const result = evaluateFull(scorer, ncf.test, { exclude: ncf.train, k: 10, users });
  return { seconds: (performance.now() - started) / 1000, result };
}

const rows: Array<{ path: string; users: number; seconds: number; usersPerSecond: number; hr: number; ndcg: number }> = [];
function record(path: string, users: Int32Array, seconds: number, result: FullEvaluation): number {
  const usersPerSecond = users.length / seconds;
  rows.push({ path, users: users.length, seconds: +seconds.toFixed(2), usersPerSecond: +usersPerSecond.toFixed(1), hr: +result.hr.toFixed(5), ndcg: +result.ndcg.toFixed(5) });
  return usersPerSecond;
}

await useBackend('cpu');
const model = build();

// Fast path, SIMD kernel: creation (reading the weights) is timed with the evaluation; the item
// tables are computed on the first user, so they are in the evaluation time anyway.
const started = performance.now();
const fast = createScorer(model);
const createSeconds = (performance.now() - started) / 1000;
const kernelName = fast.kernel ?? 'predict';
const fastRun = timeIt(fast, firstUsers(fastUsers));
record(`fast scorer (${kernelName}), all asked users`, firstUsers(fastUsers), fastRun.seconds + createSeconds, fastRun.result);

// Scoring alone, no ranking: what the kernel does, in GFLOP/s.
const architecture = inspectModel(model)!;
const firstWidth = LAYERS[1];
let flopsPerPair = firstWidth; // a_u + c_i
for (let l = 1; l + 1 < LAYERS.length; l++) flopsPerPair += 2 * LAYERS[l] * LAYERS[l + 1];
flopsPerPair += 2 * LAYERS[LAYERS.length - 1] + 2 * FACTORS; // the output's MLP and GMF dots
const scoreUsers = firstUsers(fastUsers);
const chunk = new Float32Array(256 * numItems);
function scoreAlone(scorer: Scorer): number {
  const t0 = performance.now();
  for (let s = 0; s < scoreUsers.length; s += 256) scorer.scoreAllItems(scoreUsers.subarray(s, s + 256), chunk);
  return (performance.now() - t0) / 1000;
}
const scoreSeconds = scoreAlone(fast);
const gflops = (scoreUsers.length * numItems * flopsPerPair) / scoreSeconds / 1e9;

// Peak, a range: the nominal clock from /proc/cpuinfo x 8 to 12 flops/cycle per core, i.e. two or
// three 4-lane f32 instructions per cycle (cores differ in how many ports take a vector add or mul;
// WebAssembly SIMD has no fused multiply-add without relaxed SIMD, which Node 20 does not enable).
// Turbo clocks above the nominal one make the true share lower than printed.
let clockGHz = NaN;
try {
  const mhz = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  if (mhz) clockGHz = Number(mhz[1]) / 1000;
} catch {
  // no /proc/cpuinfo: the peak is not printed
}
const corePeak = clockGHz * 8;
const share = (cores: number) => `${((100 * gflops) / (1.5 * cores * corePeak)).toFixed(0)}-${((100 * gflops) / (cores * corePeak)).toFixed(0)}%`;

// The same users as the slower paths, timed right before them: the fair comparison on a busy machine.
const subset = firstUsers(genericUsers);
const fastSubsetRun = timeIt(fast, subset);
const fastSpeed = record(`fast scorer (${kernelName}), same users`, subset, fastSubsetRun.seconds, fastSubsetRun.result);
fast.dispose();

const weights = readNcfWeights(model, architecture);
if (typeof weights === 'string') throw new Error(weights);
const jsScorer = new NcfFastScorer(weights, 'js');
const jsRun = timeIt(jsScorer, subset);
const jsSpeed = record('fast scorer forced to its JS loops', subset, jsRun.seconds, jsRun.result);
jsScorer.dispose();

const generic = createScorer(model, { fast: false });
const cpuRun = timeIt(generic, subset);
const cpuSpeed = record('generic predict, tfjs cpu', subset, cpuRun.seconds, cpuRun.result);
generic.dispose();
model.dispose();

let wasmSpeed: number | undefined;
let wasmResult: FullEvaluation | undefined;
try {
  await useBackend('wasm');
  const wasmModel = build();
  const wasmScorer = createScorer(wasmModel, { fast: false });
  const run = timeIt(wasmScorer, subset);
  wasmSpeed = record('generic predict, tfjs wasm', subset, run.seconds, run.result);
  wasmResult = run.result;
  wasmScorer.dispose();
  wasmModel.dispose();
} catch (e) {
  console.log(`wasm backend unavailable: ${(e as Error).message}`);
}

console.table(rows);
console.log(`fast scorer creation: ${(createSeconds * 1000).toFixed(0)} ms (included in its time)`);
console.log(
  `scoring alone (scoreAllItems, ${kernelName}, 1 thread): ${scoreUsers.length} users in ${scoreSeconds.toFixed(2)} s = ` +
    `${(scoreUsers.length / scoreSeconds).toFixed(0)} users/s, ${flopsPerPair} flops/pair -> ${gflops.toFixed(1)} GFLOP/s` +
    (Number.isFinite(corePeak)
      ? `; ${(gflops / clockGHz).toFixed(1)} flops/cycle at the nominal ${clockGHz.toFixed(2)} GHz; estimated peak ` +
        `${corePeak.toFixed(1)}-${(1.5 * corePeak).toFixed(1)} GFLOP/s per core (8-12 flops/cycle): ${share(1)} of 1 core, ${share(2)} of 2 cores`
      : ''),
);
console.log(`ranking share of evaluateFull (1 - scoring alone / evaluateFull): ${(100 * (1 - scoreSeconds / fastRun.seconds)).toFixed(0)}%`);
console.log(
  `speed-up of the fast scorer (same users): ${(fastSpeed / jsSpeed).toFixed(1)}x over its JS loops, ${(fastSpeed / cpuSpeed).toFixed(1)}x over tfjs cpu predict` +
    (wasmSpeed !== undefined ? `, ${(fastSpeed / wasmSpeed).toFixed(1)}x over tfjs wasm predict` : ''),
);
const gap = (a: FullEvaluation, b: FullEvaluation) => `HR ${Math.abs(a.hr - b.hr).toExponential(1)}, NDCG ${Math.abs(a.ndcg - b.ndcg).toExponential(1)}`;
console.log(`metric differences on the first ${subset.length} users: vs JS loops ${gap(fastSubsetRun.result, jsRun.result)}; vs tfjs cpu ${gap(fastSubsetRun.result, cpuRun.result)}` +
  (wasmResult ? `; vs tfjs wasm ${gap(fastSubsetRun.result, wasmResult)}` : ''));
console.log(`load average (1/5/15 min) at end: ${load()}`);
