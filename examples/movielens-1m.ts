// MovieLens-1M in the NCF paper's own split: train GMF or NeuMF and report HR@10 / NDCG@10 with
// each user's test item ranked against its 99 listed negatives (He et al. 2017, section 4.1).
//
//   npx tsx examples/movielens-1m.ts [path/to/ml-1m-ncf] [--model neumf|gmf] [--epochs 20]
//       [--factors 8] [--threads 1|2|auto] [--engine auto|fused|tfjs] [--backend cpu|wasm] [--quick]
//
// The folder holds ml-1m.train.rating, ml-1m.test.rating and ml-1m.test.negative, as published with
// the paper's code (https://github.com/hexiangnan/neural_collaborative_filtering, Data/).
// --quick trains GMF for one epoch (a few seconds), unless --model is given.
import * as tf from '@tensorflow/tfjs';
import cliProgress from 'cli-progress';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GMF, NeuMF, train, evaluateSampled } from 'neural-recsys';
import { readNcf } from 'neural-recsys/data';
import { formatSeconds, metricsTable } from './_shared.js';
import { fitPopularity } from 'neural-recsys/baselines';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    model: { type: 'string' },
    epochs: { type: 'string' },
    factors: { type: 'string', default: '8' },
    threads: { type: 'string', default: '1' },
    engine: { type: 'string', default: 'auto' },
    backend: { type: 'string', default: 'cpu' },
  },
});
const dir = resolve(positionals[0] ?? fileURLToPath(new URL('../../shared/data/ml-1m-ncf', import.meta.url)));
if (!existsSync(dir)) {
  console.log(`skip: no NCF MovieLens-1M split at ${dir}.`);
  console.log('Get ml-1m.train.rating, ml-1m.test.rating and ml-1m.test.negative from the Data/ folder of');
  console.log('https://github.com/hexiangnan/neural_collaborative_filtering and pass their folder:');
  console.log('  npx tsx examples/movielens-1m.ts path/to/folder');
  process.exit(0);
}
const kind = flags.model ?? (flags.quick ? 'gmf' : 'neumf');
if (kind !== 'gmf' && kind !== 'neumf') throw new Error(`--model must be gmf or neumf, got ${kind}`);
const epochs = Number(flags.epochs ?? (flags.quick ? 1 : 20));
const factors = Number(flags.factors);
const threads = flags.threads === 'auto' ? 'auto' : Number(flags.threads);

const engine = flags.engine as 'auto' | 'fused' | 'tfjs';
if (!['auto', 'fused', 'tfjs'].includes(engine)) throw new Error(`--engine must be auto, fused or tfjs, got ${engine}`);
if (flags.backend !== 'cpu' && flags.backend !== 'wasm') throw new Error(`--backend must be cpu or wasm, got ${flags.backend}`);

tf.enableProdMode(); // silence tfjs's "install tfjs-node" hint: no native add-on is needed
if (flags.backend === 'wasm') {
  // the WebAssembly backend (SIMD) for the tfjs engine; its .wasm files ship inside the npm package
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  wasm.setWasmPaths(join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
}
await tf.setBackend(flags.backend);

// 1. Read the split: 994,169 training pairs, one test item per user with its 99 negatives.
const ncf = await readNcf(dir);
const testSet = ncf.test; // carries its 99 listed negatives: evaluateSampled ranks against them
console.log(
  `MovieLens-1M (NCF split): ${ncf.numUsers} users, ${ncf.numItems} items, ${ncf.train.users.length.toLocaleString('en')} training pairs, ` +
    `${ncf.test.users.length} test items with ${ncf.testNegatives?.[0]?.length ?? 0} negatives each` +
    (ncf.droppedSelfNegatives > 0 ? ` (${ncf.droppedSelfNegatives} lists named their own test item; dropped)` : ''),
);

// 2. The model, with the paper's tower for factor F: [4F, 2F, F] hidden units after 4F-wide input.
const sizes = { numUsers: ncf.numUsers, numItems: ncf.numItems, seed: 1 };
const model = kind === 'gmf' ? GMF({ ...sizes, factors }) : NeuMF({ ...sizes, factors, layers: [8 * factors, 4 * factors, 2 * factors, factors] });
console.log(`model: ${kind === 'gmf' ? `GMF, factor ${factors}` : `NeuMF, factor ${factors}, MLP [${8 * factors}, ${4 * factors}, ${2 * factors}, ${factors}]`}; ${epochs} epoch(s)`);

// 3. Train as the paper does (Adam 0.001, batch 256, 4 negatives), evaluating on test after each
//    epoch: the paper reports the best epoch by test HR, so we print every epoch to compare with it.
//    (For an honest model selection, hold out a validation item per user: see movielens-100k.ts.)
const batchSize = 256;
const batchesPerEpoch = Math.ceil((ncf.train.users.length * 5) / batchSize);
const bar = new cliProgress.SingleBar(
  { format: 'epoch {epoch}/{epochs} |{bar}| {percentage}% | loss {loss} | {speed} instances/s | ETA {eta_formatted}', hideCursor: true },
  cliProgress.Presets.shades_classic,
);
const perEpoch: { epoch: number; loss: number; hr: number; ndcg: number; seconds: number }[] = [];
let speed = '-';
const started = performance.now();
const history = await train(model, ncf.train, {
  epochs,
  batchSize,
  seed: 1,
  threads,
  engine,
  onBatchEnd: (batch, logs) => {
    if (batch === 0) bar.start(batchesPerEpoch, 0, { epoch: perEpoch.length + 1, epochs, loss: '-', speed });
    if (batch % 50 === 0) bar.update(batch, { loss: logs.loss.toFixed(4) });
  },
  onEpochEnd: (epoch, logs) => {
    bar.update(batchesPerEpoch);
    bar.stop();
    speed = Math.round(logs.instancesPerSecond).toLocaleString('en');
    const r = evaluateSampled(model, testSet, { k: 10 });
    perEpoch.push({ epoch: epoch + 1, loss: logs.loss, hr: r.hr, ndcg: r.ndcg, seconds: logs.seconds });
    console.log(
      `epoch ${epoch + 1}: loss ${logs.loss.toFixed(4)}, test HR@10 ${r.hr.toFixed(4)} NDCG@10 ${r.ndcg.toFixed(4)} ` +
        `(${formatSeconds(logs.seconds)}, ${speed} instances/s)`,
    );
  },
});
console.log(`trained in ${formatSeconds((performance.now() - started) / 1000)} (${history.engineReason}, ${history.threads} thread(s))`);

// 4. Final figures next to the popularity baseline, ranked against the same listed negatives.
const last = evaluateSampled(model, testSet, { k: 10 });
const popularity = evaluateSampled(fitPopularity(ncf.train, { breakTies: true }), testSet, { k: 10 });
const best = perEpoch.reduce((a, b) => (b.hr > a.hr ? b : a));
console.log(`\n${last.description}`);
console.log(
  metricsTable([
    { name: `${kind.toUpperCase()} (last epoch)`, values: { 'HR@10': last.hr, 'NDCG@10': last.ndcg } },
    { name: `${kind.toUpperCase()} (best epoch ${best.epoch} by test HR)`, values: { 'HR@10': best.hr, 'NDCG@10': best.ndcg } },
    { name: 'popularity', values: { 'HR@10': popularity.hr, 'NDCG@10': popularity.ndcg } },
  ]),
);
console.log(
  kind === 'neumf'
    ? 'paper (Table 2, factor 8, without pretraining): NeuMF HR@10 0.688, NDCG@10 0.410'
    : 'paper (Figure 4, factor 8): GMF a little below MLP, whose HR@10 is 0.671 (Table 2)',
);
model.dispose();
