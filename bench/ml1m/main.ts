// The training side of bench/reproduce-ml1m.ts: read the data, start (or resume) the result file,
// and run every factor x seed x model (x optimizer for NeuMF-pre) with the library, the reference
// trainer (--reference) or the original checkpoints (--original-weights).
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import type { Args } from './args.js';
import { prepare, type Prepared } from './data.js';
import { runOriginal } from './original.js';
import { runCombinations } from './combinations.js';
import { codeState, machine, Writer, type Current } from './record.js';
import { runReference } from './reference.js';
import { runId, runOne, type RunSpec } from './run.js';
import type { Optimizer, ResultFile } from './types.js';

/** A new result file: the command, machine, code, settings and data sizes, no runs yet. */
function newResultFile(args: Args, p: Prepared): ResultFile {
  const now = new Date().toISOString();
  return {
    schema: 'neural-recsys/reproduce-ml1m@1',
    command: `npx tsx bench/reproduce-ml1m.ts ${process.argv.slice(2).join(' ')}`,
    createdAt: now,
    updatedAt: now,
    machine: machine(),
    code: codeState(),
    settings: {
      dataDir: args.dataDir,
      epochs: args.epochs,
      batchSize: args.batchSize,
      negatives: args.negatives,
      learningRate: args.learningRate,
      engine: args.engine,
      threads: args.threads,
      limitUsers: args.limitUsers,
      holdout: args.holdout,
      validationNegatives: 99,
      pretrainCheckpoint: args.pretrainCheckpoint,
      alpha: args.alpha,
      ...(args.alphas !== null ? { alphas: args.alphas } : {}),
      ...(args.preLearningRate !== null ? { preLearningRate: args.preLearningRate } : {}),
      ...(args.keepEveryEpoch ? { keepEveryEpoch: true } : {}),
    },
    data: {
      users: p.ncf.numUsers,
      items: p.ncf.numItems,
      trainPositives: p.ncf.train.users.length,
      trainedPositives: p.fit.users.length,
      validation: p.valUsers.length,
      test: p.test.users.length,
      droppedSelfNegatives: p.ncf.droppedSelfNegatives,
    },
    runs: [],
  };
}

/** On SIGINT/SIGTERM: the current run is marked cut and the file written before exiting. */
function markCutOnSignal(writer: Writer, current: Current, out: string): void {
  const cut = (signal: string): void => {
    if (current.run) {
      current.run.status = 'cut';
      current.run.finishedAt = new Date().toISOString();
      writer.flush();
      console.log(`${signal}: ${current.run.id} marked cut after ${current.run.curve.length - 1} epochs; ${out} written`);
    }
    process.exit(130);
  };
  process.on('SIGTERM', () => cut('SIGTERM'));
  process.on('SIGINT', () => cut('SIGINT'));
}

/** Every run the arguments ask for, in order, skipping those already complete in the file. */
async function runAll(args: Args, p: Prepared, writer: Writer, current: Current): Promise<void> {
  for (const factor of args.factors) {
    for (const seed of args.seeds) {
      for (const model of args.models) {
        const optimizers: Optimizer[] = model === 'neumf-pre' ? args.preOptimizers : ['adam'];
        for (const optimizer of optimizers) {
          const spec: RunSpec = { model, optimizer, factor, seed };
          if (model === 'neumf-pre' && args.alphas !== null) {
            // the combination at each alpha, no training (once, not per optimizer)
            if (optimizer === optimizers[0]) runCombinations(spec, args, p, writer, current);
            continue;
          }
          if (args.referenceAdam !== null) {
            await runReference(spec, args, p, writer, current);
            continue;
          }
          const existing = writer.file.runs.find((r) => r.id === runId(spec, args));
          if (existing?.status === 'complete') {
            console.log(`skip ${existing.id}: complete in ${args.out}`);
            continue;
          }
          await runOne(spec, args, p, writer, current);
        }
      }
    }
  }
}

/** Trains and evaluates what `args` asks for, writing `args.out` after every epoch. */
export async function main(args: Args): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  const t0 = performance.now();
  const p = await prepare(args);
  console.log(
    `data: ${p.ncf.numUsers} users, ${p.ncf.numItems} items, ${p.ncf.train.users.length} train positives ` +
      `(${p.fit.users.length} trained on), ${p.valUsers.length} validation, ${p.test.users.length} test, ` +
      `${p.ncf.droppedSelfNegatives} self-listed negatives dropped [${((performance.now() - t0) / 1000).toFixed(1)} s]`,
  );
  let file = newResultFile(args, p);
  if (args.resume && existsSync(args.out)) {
    const old = JSON.parse(readFileSync(args.out, 'utf8')) as ResultFile;
    file = { ...file, createdAt: old.createdAt, runs: old.runs.filter((r) => r.status === 'complete') };
  }
  const writer = new Writer(args.out, file);
  const current: Current = { run: null };
  markCutOnSignal(writer, current, args.out);
  writer.flush();

  if (args.originalWeights !== null) {
    await runOriginal(args, p, writer, current);
    console.log(`wrote ${args.out}`);
    return;
  }
  await runAll(args, p, writer, current);
  console.log(`wrote ${args.out} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
