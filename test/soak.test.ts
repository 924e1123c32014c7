// Soak: many short epochs with evaluation and recommendation in between must leave no tensor and
// no heap behind; the fused engine's worker threads must all stop when train() returns or throws;
// an AbortSignal cancels training and leaves a usable model. The figures are printed so that they
// can be quoted (tensors and heap at start and end).
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { useBackend } from './helpers/backends.js';
import {
  NeuMF,
  evaluateSampled,
  leaveOneOut,
  recommend,
  syntheticInteractions,
  train,
  type EngineName,
  type TrainOptions,
} from '../src/index.js';

// vitest does not start workers with --expose-gc; V8 lets a running process expose it.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(2)} MB`;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const data = syntheticInteractions({ numUsers: 80, numItems: 60, interactionsPerUser: 8, seed: 4 });
const { train: trainSet, test } = leaveOneOut(data, { by: 'time' });

beforeAll(() => useBackend('cpu'));

function tinyModel(seed = 1): tf.LayersModel {
  return NeuMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 4, layers: [8, 4], seed });
}

function finiteWeights(model: tf.LayersModel): boolean {
  return model.getWeights().every((w) => (w.dataSync() as Float32Array).every(Number.isFinite));
}

/** Many short epochs with evaluateSampled and recommend after each; returns the figures. */
async function soak(engine: EngineName, epochs: number, rounds: number, extra: TrainOptions = {}): Promise<void> {
  const model = tinyModel();
  const serve = (): void => {
    const e = evaluateSampled(model, test, { k: 5, numNegatives: 20, seed: 1, exclude: trainSet });
    expect(e.hr).toBeGreaterThanOrEqual(0);
    for (const user of [0, 7, 42]) expect(recommend(model, user, { k: 5, exclude: trainSet })).toHaveLength(5);
  };
  // warm up: kernels, the gather-gradient registration and tfjs' caches are made once
  await train(model, trainSet, { engine, epochs: 2, batchSize: 64, seed: 0, ...extra });
  serve();

  const tensorsStart = tf.memory().numTensors;
  const heapStart = heapAfterGc();
  const duringTraining: number[] = [];
  const history = await train(model, trainSet, {
    engine,
    epochs,
    batchSize: 64,
    seed: 1,
    learningRate: 0.005,
    ...extra,
    onEpochEnd: () => {
      serve();
      duringTraining.push(tf.memory().numTensors);
    },
  });
  // a few more separate calls, as an app retraining now and then would make
  for (let round = 0; round < rounds; round++) {
    await train(model, trainSet, { engine, epochs: 1, batchSize: 64, seed: 100 + round, ...extra });
    serve();
  }
  const tensorsEnd = tf.memory().numTensors;
  const heapEnd = heapAfterGc();
  console.log(
    `soak [${history.engine}${extra.threads ? `, threads ${extra.threads}` : ''}]: ${epochs} epochs in one train() + ${rounds} more calls, ` +
      `${history.epochs.reduce((n, e) => n + e.instances, 0)} instances in the long run; ` +
      `tensors ${tensorsStart} -> ${tensorsEnd}; heap ${mb(heapStart)} -> ${mb(heapEnd)} (${mb(heapEnd - heapStart)})`,
  );
  expect(history.epochs).toHaveLength(epochs);
  expect(tensorsEnd).toBe(tensorsStart);
  // during training the count is flat from epoch to epoch (optimizer state made once)
  expect(new Set(duringTraining.slice(1)).size).toBe(1);
  // flat heap: a leak of one batch (64 x 3 typed arrays) per epoch over 35 epochs would stay below
  // this, but a leak of a model, an optimizer or a score matrix per epoch would not
  expect(heapEnd - heapStart).toBeLessThan(4 * 2 ** 20);
  expect(finiteWeights(model)).toBe(true);
  model.dispose();
}

describe('soak: no tensor and no heap left behind', () => {
  it('tfjs engine: 20 short epochs + 5 more train() calls, evaluateSampled and recommend in between', async () => {
    await soak('tfjs', 20, 5);
  });

  it('fused engine, one thread: 30 epochs + 5 calls', async () => {
    await soak('fused', 30, 5, { threads: 1 });
  });

  it('fused engine, two worker threads: 10 epochs + 2 calls (each call starts and stops its workers)', async () => {
    await soak('fused', 10, 2, { threads: 2 });
  });
});

describe('AbortSignal cancels training and leaves a usable model', () => {
  for (const [engine, threads] of [['tfjs', 1], ['fused', 1], ['fused', 2]] as const) {
    it(`${engine} engine, ${threads} thread(s): abort after 3 batches`, async () => {
      const model = tinyModel(3);
      const tensors = tf.memory().numTensors;
      const controller = new AbortController();
      let batches = 0;
      const history = await train(model, trainSet, {
        engine,
        threads,
        epochs: 50,
        batchSize: 16,
        signal: controller.signal,
        onBatchEnd: (batch) => {
          batches++;
          if (batch >= 2) controller.abort();
        },
      });
      expect(history.aborted).toBe(true);
      expect(history.epochs.length).toBe(0);
      // fused workers may finish the batches already handed out; either way nowhere near 50 epochs
      expect(batches).toBeLessThan(200);
      expect(finiteWeights(model)).toBe(true);
      const scores = tf.tidy(() => (model.predict([tf.tensor2d([0, 1, 2], [3, 1], 'int32'), tf.tensor2d([3, 4, 5], [3, 1], 'int32')]) as tf.Tensor).dataSync());
      expect(Array.from(scores).every((s) => s > 0 && s < 1)).toBe(true);
      expect(recommend(model, 0, { k: 3 })).toHaveLength(3);
      // and it trains on afterwards
      const again = await train(model, trainSet, { engine, threads, epochs: 1, batchSize: 64 });
      expect(again.aborted).toBe(false);
      expect(tf.memory().numTensors).toBe(tensors);
      model.dispose();
    });
  }

  it('a signal aborted before training starts: no step is taken, the weights are untouched', async () => {
    const model = tinyModel(4);
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const controller = new AbortController();
    controller.abort();
    let outcome: unknown;
    try {
      outcome = await train(model, trainSet, { engine: 'tfjs', epochs: 3, signal: controller.signal });
    } catch (e) {
      outcome = e;
    }
    // the contract: an aborted train resolves with a history marked aborted (it does not throw)
    expect(outcome).not.toBeInstanceOf(Error);
    expect((outcome as { aborted: boolean }).aborted).toBe(true);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    model.dispose();
  });
});

describe('fused engine: no worker thread outlives train()', () => {
  /** Runs the child; resolves with its output once it exits on its own (it is killed only on a hang). */
  function runChild(mode: 'ok' | 'throw' | 'abort'): Promise<{ code: number | null; out: string; err: string; ms: number }> {
    return new Promise((done) => {
      const started = Date.now();
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/fused-child.ts'), mode], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      let printedAt = 0;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('{"mode"') && printedAt === 0) printedAt = Date.now();
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      // after its last line the child has nothing left to do: 10 s more means something keeps it alive
      const watchdog = setInterval(() => {
        if ((printedAt > 0 && Date.now() - printedAt > 10_000) || Date.now() - started > 50_000) child.kill('SIGKILL');
      }, 250);
      child.on('exit', (code) => {
        clearInterval(watchdog);
        done({ code, out, err, ms: printedAt > 0 ? Date.now() - printedAt : -1 });
      });
    });
  }

  it.each(['ok', 'throw', 'abort'] as const)('train() with threads: 2 that %s: the process exits on its own', async (mode) => {
    const { code, out, err, ms } = await runChild(mode);
    const line = out.split('\n').find((l) => l.startsWith('{"mode"'));
    expect(line, `no result line; stderr: ${err.slice(-2000)}`).toBeDefined();
    const result = JSON.parse(line!) as { outcome: string; finite: boolean; numTensors: number };
    console.log(`fused child (${mode}): ${result.outcome}; exited ${ms} ms after its last line, code ${code}`);
    expect(code, `the child did not exit on its own (killed); stderr: ${err.slice(-2000)}`).toBe(0);
    expect(result.finite).toBe(true);
    if (mode === 'ok') expect(result.outcome).toMatch(/^returned engine=fused .*epochs=4 aborted=false/);
    if (mode === 'throw') expect(result.outcome).toBe('threw callback failed on purpose');
    if (mode === 'abort') expect(result.outcome).toMatch(/aborted=true/);
  });

  // Node's getActiveResourcesInfo() does not list worker threads, so count the OS threads instead.
  const osThreads = (): number => Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);
  it.skipIf(!existsSync('/proc/self/status'))('in-process: the OS thread count is back where it was after train() returns and after it throws', async () => {
    const model = tinyModel(5);
    // warm up: libuv's pool and V8's helper threads start on first use and stay
    await train(model, trainSet, { engine: 'fused', threads: 2, epochs: 1, batchSize: 64 });
    const settled = async (limit: number): Promise<number> => {
      for (let i = 0; i < 40 && osThreads() > limit; i++) await new Promise((r) => setTimeout(r, 50));
      return osThreads();
    };
    const before = await settled(0);
    let during = 0;
    await train(model, trainSet, {
      engine: 'fused',
      threads: 2,
      epochs: 1,
      batchSize: 64,
      onEpochEnd: () => {
        during = osThreads();
      },
    });
    const afterReturn = await settled(before);
    await expect(
      train(model, trainSet, {
        engine: 'fused',
        threads: 2,
        epochs: 3,
        batchSize: 64,
        onEpochEnd: () => {
          throw new Error('stop');
        },
      }),
    ).rejects.toThrow('stop');
    const afterThrow = await settled(before);
    console.log(`fused in-process OS threads: before ${before}, during training ${during}, after return ${afterReturn}, after a throw ${afterThrow}`);
    expect(during).toBeGreaterThan(before); // the probe sees the workers (so it can fail)
    expect(afterReturn).toBeLessThanOrEqual(before);
    expect(afterThrow).toBeLessThanOrEqual(before);
    model.dispose();
  });
});
