import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { RecsysError, type RecsysErrorCode } from '../errors.js';
import { availableCores, resolveLoopOptions, resolveTrainOptions, TRAIN_DEFAULTS } from './options.js';
import type { TrainOptions } from './types.js';

const tinyData = { users: Int32Array.of(0), items: Int32Array.of(0), numUsers: 1, numItems: 2 };

function codeOf(fn: () => unknown): { code: RecsysErrorCode; message: string } | 'no error' | 'foreign error' {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return e instanceof RecsysError ? { code: e.code, message: e.message } : 'foreign error';
  }
}

describe('resolveTrainOptions', () => {
  it('fills in every default', () => {
    expect(resolveTrainOptions()).toEqual({
      epochs: 20,
      batchSize: 256,
      negatives: 4,
      learningRate: 0.001,
      optimizer: 'adam',
      adamRows: 'dense',
      loss: 'bce',
      seed: 42,
      sampling: 'uniform',
      weighting: 'none',
      weightScale: 1,
      threads: 1,
    });
    expect(resolveTrainOptions({})).toEqual(TRAIN_DEFAULTS);
  });

  it('keeps valid values as given', () => {
    const o = resolveTrainOptions({
      epochs: 3,
      batchSize: 7,
      negatives: 1,
      learningRate: 0.5,
      optimizer: 'sgd',
      loss: 'bpr',
      seed: -3.5,
      sampling: 'popularity',
      weighting: 'log',
      weightScale: 0.25,
      threads: 2,
    });
    expect(o).toEqual({
      epochs: 3, batchSize: 7, negatives: 1, learningRate: 0.5, optimizer: 'sgd', adamRows: 'dense', loss: 'bpr', seed: -3.5, sampling: 'popularity',
      weighting: 'log', weightScale: 0.25, threads: 2,
    });
  });

  it('refuses a bad weighting or weightScale, and a weightScale without weighting', () => {
    expect(codeOf(() => resolveTrainOptions({ weighting: 'sqrt' as never }))).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('weighting') });
    expect(codeOf(() => resolveTrainOptions({ weighting: 'linear', weightScale: 0 }))).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('weightScale must be a number > 0, got 0') });
    expect(codeOf(() => resolveTrainOptions({ weighting: 'linear', weightScale: -1 }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(codeOf(() => resolveTrainOptions({ weighting: 'log', weightScale: NaN }))).toMatchObject({ code: 'NOT_FINITE', message: expect.stringContaining('weightScale') });
    expect(codeOf(() => resolveTrainOptions({ weightScale: 2 }))).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining("weightScale (2) needs weighting 'linear' or 'log'") });
    expect(resolveTrainOptions({ weighting: 'linear' })).toMatchObject({ weighting: 'linear', weightScale: 1 });
  });

  it("takes the optimizer as a name or as { name, rows } (rows 'dense' by default)", () => {
    expect(resolveTrainOptions({ optimizer: 'adam' })).toMatchObject({ optimizer: 'adam', adamRows: 'dense' });
    expect(resolveTrainOptions({ optimizer: { name: 'adam' } })).toMatchObject({ optimizer: 'adam', adamRows: 'dense' });
    expect(resolveTrainOptions({ optimizer: { name: 'adam', rows: 'lazy' } })).toMatchObject({ optimizer: 'adam', adamRows: 'lazy' });
    expect(resolveTrainOptions({ optimizer: { name: 'sgd', rows: 'dense' } })).toMatchObject({ optimizer: 'sgd', adamRows: 'dense' });
  });

  it("resolves threads: 'auto' to the number of cores", () => {
    const n = resolveTrainOptions({ threads: 'auto' }).threads;
    expect(n).toBe(availableCores());
    expect(Number.isInteger(n) && n >= 1).toBe(true);
  });

  // One row per bad option: [options, expected code, a word the message must contain].
  const bad: [string, unknown, RecsysErrorCode, string][] = [
    ['options not an object', 5, 'INVALID_ARGUMENT', 'options'],
    ['unknown option (typo)', { epoch: 5 }, 'INVALID_ARGUMENT', "did you mean 'epochs'"],
    ['epochs 0', { epochs: 0 }, 'INVALID_ARGUMENT', 'epochs'],
    ['epochs fractional', { epochs: 1.5 }, 'INVALID_ARGUMENT', '1.5'],
    ['epochs NaN', { epochs: NaN }, 'NOT_FINITE', 'epochs'],
    ['epochs string', { epochs: '3' }, 'INVALID_ARGUMENT', 'epochs'],
    ['batchSize 0', { batchSize: 0 }, 'INVALID_ARGUMENT', 'batchSize must be a positive integer, got 0'],
    ['batchSize negative', { batchSize: -1 }, 'INVALID_ARGUMENT', 'batchSize'],
    ['batchSize Infinity', { batchSize: Infinity }, 'NOT_FINITE', 'batchSize'],
    ['negatives 0', { negatives: 0 }, 'INVALID_ARGUMENT', 'negatives'],
    ['negatives 0 with bpr', { negatives: 0, loss: 'bpr' }, 'INVALID_ARGUMENT', 'negatives'],
    ['negatives fractional', { negatives: 2.5 }, 'INVALID_ARGUMENT', 'negatives'],
    ['learningRate 0', { learningRate: 0 }, 'INVALID_ARGUMENT', 'learningRate'],
    ['learningRate negative', { learningRate: -0.1 }, 'INVALID_ARGUMENT', 'learningRate'],
    ['learningRate NaN', { learningRate: NaN }, 'NOT_FINITE', 'learningRate must be a finite number, got NaN'],
    ['learningRate Infinity', { learningRate: Infinity }, 'NOT_FINITE', 'learningRate'],
    ['learningRate string', { learningRate: '0.1' }, 'INVALID_ARGUMENT', 'learningRate'],
    ['optimizer unknown', { optimizer: 'rmsprop' }, 'INVALID_ARGUMENT', "'adam', 'sgd'"],
    ['optimizer object without name', { optimizer: { rows: 'lazy' } }, 'INVALID_ARGUMENT', 'optimizer.name'],
    ['optimizer rows unknown', { optimizer: { name: 'adam', rows: 'sparse' } }, 'INVALID_ARGUMENT', 'optimizer.rows'],
    ['optimizer object typo', { optimizer: { name: 'adam', row: 'lazy' } }, 'INVALID_ARGUMENT', "did you mean 'rows'"],
    ['optimizer null', { optimizer: null }, 'INVALID_ARGUMENT', 'optimizer'],
    ['loss unknown', { loss: 'mse' }, 'INVALID_ARGUMENT', 'loss'],
    ['engine unknown', { engine: 'gpu' }, 'INVALID_ARGUMENT', 'engine'],
    ['sampling unknown', { sampling: 'hard' }, 'INVALID_ARGUMENT', 'sampling'],
    ['seed NaN', { seed: NaN }, 'NOT_FINITE', 'seed'],
    ['seed string', { seed: 'x' }, 'INVALID_ARGUMENT', 'seed'],
    ['threads 0', { threads: 0 }, 'INVALID_ARGUMENT', 'threads'],
    ['threads 1.5', { threads: 1.5 }, 'INVALID_ARGUMENT', 'threads'],
    ['threads "all"', { threads: 'all' }, 'INVALID_ARGUMENT', "'auto'"],
    ['signal not a signal', { signal: {} }, 'INVALID_ARGUMENT', 'signal'],
    ['onEpochEnd not a function', { onEpochEnd: 3 }, 'INVALID_ARGUMENT', 'onEpochEnd'],
    ['onBatchEnd not a function', { onBatchEnd: 'x' }, 'INVALID_ARGUMENT', 'onBatchEnd'],
    ['excludeFromNegatives not an object', { excludeFromNegatives: 3 }, 'INVALID_ARGUMENT', 'excludeFromNegatives'],
    ['validation not an object', { validation: 1 }, 'INVALID_ARGUMENT', 'validation'],
    ['validation without data', { validation: {} }, 'INVALID_ARGUMENT', 'validation.data'],
    ['validation unknown key', { validation: { data: tinyData, metrc: 'hr' } }, 'INVALID_ARGUMENT', 'metrc'],
    ['validation.every 0', { validation: { data: tinyData, every: 0 } }, 'INVALID_ARGUMENT', 'validation.every'],
    ['validation.metric unknown', { validation: { data: tinyData, metric: 'auc' } }, 'INVALID_ARGUMENT', 'validation.metric'],
    ['validation.k 0', { validation: { data: tinyData, k: 0 } }, 'INVALID_K', 'validation.k'],
    ['validation.k NaN', { validation: { data: tinyData, k: NaN } }, 'NOT_FINITE', 'validation.k'],
    ['validation.negatives 0', { validation: { data: tinyData, negatives: 0 } }, 'INVALID_ARGUMENT', 'validation.negatives'],
    ['earlyStopping without validation', { earlyStopping: { patience: 2 } }, 'INVALID_ARGUMENT', 'needs validation'],
    ['earlyStopping.patience 0', { validation: { data: tinyData }, earlyStopping: { patience: 0 } }, 'INVALID_ARGUMENT', 'patience'],
    ['earlyStopping.restoreBest not boolean', { validation: { data: tinyData }, earlyStopping: { restoreBest: 1 } }, 'INVALID_ARGUMENT', 'restoreBest'],
    ['earlyStopping.minDelta negative', { validation: { data: tinyData }, earlyStopping: { minDelta: -1 } }, 'INVALID_ARGUMENT', 'minDelta'],
    ['earlyStopping.minDelta NaN', { validation: { data: tinyData }, earlyStopping: { minDelta: NaN } }, 'NOT_FINITE', 'minDelta'],
  ];

  it.each(bad)('rejects %s', (_label, options, code, fragment) => {
    const result = codeOf(() => resolveTrainOptions(options as TrainOptions));
    expect(result).not.toBe('no error');
    expect(result).not.toBe('foreign error');
    const { code: got, message } = result as { code: RecsysErrorCode; message: string };
    expect(got).toBe(code);
    expect(message).toContain(fragment);
  });

  it('only ever throws RecsysError, whatever the option values', () => {
    const anything = fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(undefined), fc.constant(null), fc.boolean());
    fc.assert(
      fc.property(
        fc.record(
          { epochs: anything, batchSize: anything, negatives: anything, learningRate: anything, optimizer: anything, seed: anything, threads: anything },
          { requiredKeys: [] },
        ),
        (options) => {
          const r = codeOf(() => resolveTrainOptions(options as TrainOptions));
          expect(r).not.toBe('foreign error');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('resolves validation and early-stopping defaults for the loop', () => {
    const loop = resolveLoopOptions({ validation: { data: tinyData }, earlyStopping: {} });
    expect(loop.engine).toBe('auto');
    expect(loop.validation).toMatchObject({ every: 1, metric: 'ndcg', k: 10, negatives: 99 });
    expect(loop.earlyStopping).toEqual({ patience: 3, restoreBest: true, minDelta: 0 });
  });
});
