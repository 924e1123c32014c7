// Sparse development benchmark (issue 12): on a long-tailed catalogue, the fused engine with its
// default dense-Adam rows ('fused'), the fused engine with lazy rows ('fused-lazy') and the tfjs
// engine (dense Adam by construction, 'tfjs'), side by side: GMF, MLP and NeuMF at factor 8, the NCF
// protocol (leave-one-out, 99 sampled negatives, HR@10 and NDCG@10), several seeds, the epoch chosen
// on the validation positive (restoreBest with patience = epochs, so every epoch is trained and the
// best validated weights are tested). Records per run the loss curve, the validation curve, the
// seconds per epoch and the test figures of the val-selected epoch.
//
//   npx tsx bench/sparse.ts [--data synthetic|gowalla:<path>] [--seeds 1,2,3] [--epochs 10]
//                           [--models gmf,mlp,neumf] [--engines fused,fused-lazy,tfjs] [--items 20000]
//                           [--backend wasm|cpu] [--out bench/results/sparse-synthetic.json]
//   npx tsx bench/sparse.ts --merge a.json,b.json --out merged.json   (seeds run as separate processes)
//
// Either way it prints the summary table (mean over seeds) in Markdown.
//
// Data, `--data synthetic` (default): bench/sparse-data.ts (seeded, generated in memory, nothing read
// from disk; `--items` sets its size).
//
// Data, `--data gowalla:<path>`: the public Gowalla check-in data (Cho, Myers and Leskovec, "Friendship
// and mobility", KDD 2011; https://snap.stanford.edu/data/loc-gowalla.html) in the 10-core form of
// LightGCN (He et al., SIGIR 2020), whose repository ships it split 80/20 per user: <path> is its
// Data/gowalla/test.txt (https://github.com/kuandeng/LightGCN, file Data/gowalla/test.txt; one line
// per user, `userId item item ...`). Not part of this repository: download it yourself (SNAP's
// terms: research use; cite the paper). That 20% portion is used here as a data set of its own, in
// leave-one-out form: 29,858 users, 38,546 distinct items (renumbered densely), 217,242 interactions,
// 5.6 per item, long-tailed (5,543 items with one interaction). The file has no timestamps, so the
// held-out items are drawn at random (seeded, split seed 1) instead of the latest ones: per user one
// test positive, one validation positive when the user has at least 3 (2,163 users have 2 and get
// none; one user with a single item is dropped), the rest for training; 99 sampled negatives per
// held-out positive, never an item the user interacted with (bench/sparse-data.ts, leaveOneOut).
//
// The tfjs
// engine runs on the tfjs wasm backend by default (the fastest tfjs backend here); the fused engine
// on 1 thread (deterministic, and a fair CPU share next to tfjs's single thread).
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { useBackend } from '../test/helpers/backends.js';
import { GMF, MLP, NeuMF } from '../src/models/index.js';
import { train } from '../src/training/train.js';
import { evaluateSampled } from '../src/evaluation/index.js';
import { leaveOneOut, parseUserItemLists, sparseCatalogue, type SparseCatalogue } from './sparse-data.js';
import { mulberry32 } from '../src/_lib/random.js';

const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
};

type EngineKind = 'fused' | 'fused-lazy' | 'tfjs';
type ModelKind = 'gmf' | 'mlp' | 'neumf';

interface Run {
  model: ModelKind;
  engine: EngineKind;
  seed: number;
  loss: number[];
  validationHr: number[];
  initialValidationHr: number;
  secondsPerEpoch: number[];
  bestEpoch: number;
  testHr: number;
  testNdcg: number;
}

/** The data set the flags ask for, and one sentence describing it. */
function loadData(source: string, numItems: number): { data: SparseCatalogue; description: string } {
  if (source.startsWith('gowalla:')) {
    const { lists, numItems: items, interactions } = parseUserItemLists(readFileSync(source.slice('gowalla:'.length), 'utf8'));
    const data = leaveOneOut(lists, items, mulberry32(1), 99);
    const t = data.train;
    const description =
      `Gowalla (SNAP loc-gowalla, LightGCN's 10-core split, its test.txt as a data set of its own): ${lists.length} users, ${items} items, ` +
      `${interactions} interactions (${(interactions / items).toFixed(2)} per item); leave-one-out with seeded random held-out items ` +
      `(no timestamps): ${t.numUsers} users kept, ${t.users.length} training positives (${(t.users.length / items).toFixed(2)} per item), ` +
      `${data.validation.users.length} validation and ${data.test.users.length} test positives with 99 negatives each`;
    return { data, description };
  }
  if (source !== 'synthetic') throw new Error(`--data: synthetic or gowalla:<path>, got ${source}`);
  const data = sparseCatalogue({ numItems, seed: 1 });
  const t = data.train;
  const description =
    `synthetic long tail (bench/sparse-data.ts, seed 1): ${t.numUsers} users, ${t.numItems} items, ` +
    `${t.users.length} training positives (${(t.users.length / t.numItems).toFixed(2)} per item; 1-5 positives per item before the split), ` +
    `leave-one-out validation and test with 99 negatives each`;
  return { data, description };
}

/** One model trained by one engine for one seed, val-selected, scored on test. */
async function runOne(data: SparseCatalogue, model: ModelKind, engine: EngineKind, seed: number, epochs: number): Promise<Run> {
  const { train: trainSet, validation, test } = data;
  const sizes = { numUsers: trainSet.numUsers, numItems: trainSet.numItems, seed };
  const net =
    model === 'gmf'
      ? GMF({ ...sizes, factors: 8 })
      : model === 'mlp'
        ? MLP({ ...sizes, layers: [64, 32, 16, 8] })
        : NeuMF({ ...sizes, factors: 8, layers: [64, 32, 16, 8] });
  const history = await train(net, trainSet, {
    epochs,
    seed,
    engine: engine === 'tfjs' ? 'tfjs' : 'fused',
    optimizer: { name: 'adam', rows: engine === 'fused-lazy' ? 'lazy' : 'dense' },
    validation: { data: validation, metric: 'hr', k: 10 },
    earlyStopping: { patience: epochs, restoreBest: true },
  });
  const result = evaluateSampled(net, test, { k: 10 });
  net.dispose();
  return {
    model,
    engine,
    seed,
    loss: history.epochs.map((e) => e.loss),
    validationHr: history.epochs.map((e) => e.validation!.hr),
    initialValidationHr: history.initialValidation!.hr,
    secondsPerEpoch: history.epochs.map((e) => e.seconds),
    bestEpoch: history.bestEpoch!,
    testHr: result.hr,
    testNdcg: result.ndcg,
  };
}

async function main(): Promise<void> {
  if (process.argv.includes('--merge')) return merge(arg('merge', '').split(','), arg('out', 'bench/results/sparse-synthetic.json'));
  const seeds = arg('seeds', '1,2,3').split(',').map(Number);
  const epochs = Number(arg('epochs', '10'));
  const models = arg('models', 'gmf,mlp,neumf').split(',') as ModelKind[];
  const engines = arg('engines', 'fused,fused-lazy,tfjs').split(',') as EngineKind[];
  const backend = arg('backend', 'wasm') as 'wasm' | 'cpu';
  const source = arg('data', 'synthetic');
  const out = arg('out', source.startsWith('gowalla:') ? 'bench/results/sparse-gowalla.json' : 'bench/results/sparse-synthetic.json');
  await useBackend(backend);
  const { data, description } = loadData(source, Number(arg('items', '20000')));
  console.log(description);
  const runs: Run[] = [];
  const save = (): void => {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ description, epochs, backend, batchSize: 256, negatives: 4, learningRate: 0.001, factors: 8, neumfLayers: [64, 32, 16, 8], runs, summary: summarise(runs) }, null, 1));
  };
  for (const seed of seeds) {
    for (const model of models) {
      for (const engine of engines) {
        const run = await runOne(data, model, engine, seed, epochs);
        runs.push(run);
        console.log(
          `seed ${seed} ${model.padEnd(5)} ${engine.padEnd(10)} best epoch ${run.bestEpoch}: test HR@10 ${run.testHr.toFixed(4)} NDCG@10 ${run.testNdcg.toFixed(4)}; ` +
            `loss ${run.loss.map((l) => l.toFixed(4)).join(' ')}; s/epoch ${mean(run.secondsPerEpoch).toFixed(1)}`,
        );
        save();
        if (tf.memory().numTensors > 1000) console.log(`(note: ${tf.memory().numTensors} tensors alive)`);
      }
    }
  }
  console.log(table(runs));
}

/** Joins the runs of several result files (the same settings, other seeds) into one. */
function merge(files: string[], out: string): void {
  const parts = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as { runs: Run[] } & Record<string, unknown>);
  const runs = parts.flatMap((p) => p.runs).sort((a, b) => a.seed - b.seed);
  const { runs: _ignored, summary: _old, ...settings } = parts[0];
  void _ignored;
  void _old;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ ...settings, runs, summary: summarise(runs) }, null, 1));
  console.log(table(runs));
}

/** Mean test HR@10 / NDCG@10, final loss and seconds per epoch per model and engine, in Markdown. */
function table(runs: Run[]): string {
  const lines = [
    '| model | engine | seeds | HR@10 | NDCG@10 | HR@10 per seed | final training loss | s/epoch | best epochs |',
    '|---|---|---:|---:|---:|---|---:|---:|---|',
  ];
  for (const [key, value] of Object.entries(summarise(runs))) {
    const v = value as { seeds: number; testHr: number; testNdcg: number; finalLoss: number; secondsPerEpoch: number; bestEpochs: number[] };
    const [model, engine] = key.split(' ');
    const per = runs.filter((r) => r.model === model && r.engine === engine).map((r) => r.testHr.toFixed(4)).join(' / ');
    lines.push(
      `| ${model} | ${engine} | ${v.seeds} | ${v.testHr.toFixed(4)} | ${v.testNdcg.toFixed(4)} | ${per} | ${v.finalLoss.toFixed(4)} | ${v.secondsPerEpoch.toFixed(1)} | ${v.bestEpochs.join(', ')} |`,
    );
  }
  // loss and validation HR@10 curves, mean over seeds
  const epochs = Math.max(...runs.map((r) => r.loss.length));
  lines.push('', `| model | engine | training loss, epochs 1-${epochs} (mean over seeds) | validation HR@10 at start, then epochs 1-${epochs} |`, '|---|---|---|---|');
  for (const key of Object.keys(summarise(runs))) {
    const [model, engine] = key.split(' ');
    const rs = runs.filter((r) => r.model === model && r.engine === engine);
    const at = (pick: (r: Run) => number[], e: number) => mean(rs.map((r) => pick(r)[e]));
    const loss = Array.from({ length: epochs }, (_, e) => at((r) => r.loss, e).toFixed(3)).join(' ');
    const hr = [mean(rs.map((r) => r.initialValidationHr)), ...Array.from({ length: epochs }, (_, e) => at((r) => r.validationHr, e))].map((x) => x.toFixed(3)).join(' ');
    lines.push(`| ${model} | ${engine} | ${loss} | ${hr} |`);
  }
  return lines.join('\n');
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function summarise(runs: Run[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const model of new Set(runs.map((r) => r.model))) {
    for (const engine of new Set(runs.map((r) => r.engine))) {
      const rs = runs.filter((r) => r.model === model && r.engine === engine);
      if (rs.length === 0) continue;
      out[`${model} ${engine}`] = {
        seeds: rs.length,
        testHr: mean(rs.map((r) => r.testHr)),
        testNdcg: mean(rs.map((r) => r.testNdcg)),
        finalLoss: mean(rs.map((r) => r.loss[r.loss.length - 1])),
        secondsPerEpoch: mean(rs.map((r) => mean(r.secondsPerEpoch))),
        bestEpochs: rs.map((r) => r.bestEpoch),
      };
    }
  }
  return out;
}

await main();
