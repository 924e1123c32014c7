// The bad-input matrix: one row per (public entry point, bad input). Every row must throw a
// RecsysError with exactly the expected code, and its message must name the bad value (for files:
// the file name and the 1-based line). Apps switch on these codes, so a row that starts throwing a
// different code, or a bare Error, is a breaking change.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { cp, mkdtemp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from './helpers/backends.js';
import { checkRecsysError, codesSeen, thrown, type BadInputRow } from './helpers/recsys-error.js';
import {
  GMF,
  MLP,
  NeuMF,
  Embedding,
  pretrainedNeuMF,
  NegativeSampler,
  hitRate,
  ndcg,
  mrr,
  precision,
  recall,
  averagePrecision,
  auc,
  rankOf,
  topK,
  topKMetrics,
  rankMetrics,
  IdMap,
  interactionsFrom,
  readNcf,
  readMovieLens,
  readCsv,
  leaveOneOut,
  validationSplit,
  holdout,
  temporalSplit,
  syntheticInteractions,
  train,
  evaluateSampled,
  evaluateFull,
  recommend,
  recommendAll,
  similarItems,
  Recommender,
  saveModel,
  loadModel,
  type Interactions,
  type TrainOptions,
} from '../src/index.js';
import { TRICKY_ITEMS, trickyRecommender } from './helpers/io-fixtures.js';

// ---- fixtures -------------------------------------------------------------------------------

/** 3 users x 4 items; user 2 has seen every item, user 1 only item 1. */
const DATA: Interactions = {
  users: Int32Array.of(0, 0, 1, 2, 2, 2, 2),
  items: Int32Array.of(0, 1, 1, 0, 1, 2, 3),
  numUsers: 3,
  numItems: 4,
};
/** Like DATA without the saturated user: every user has a negative to sample. */
const TRAINABLE: Interactions = {
  users: Int32Array.of(0, 0, 1, 2, 2),
  items: Int32Array.of(0, 1, 1, 0, 2),
  timestamps: Float64Array.of(1, 2, 3, 4, 5),
  numUsers: 3,
  numItems: 4,
};
const EMPTY: Interactions = { users: new Int32Array(0), items: new Int32Array(0), numUsers: 3, numItems: 4 };

function data(patch: Partial<Record<keyof Interactions, unknown>>): Interactions {
  return { ...DATA, ...patch } as unknown as Interactions;
}

const any = (v: unknown): never => v as never;

// Models are built lazily (rows are collected before beforeAll runs) and disposed in afterAll.
const models: tf.LayersModel[] = [];
let cachedNeuMF: tf.LayersModel | undefined;
function neumf(): tf.LayersModel {
  cachedNeuMF ??= keep(NeuMF({ numUsers: 3, numItems: 4, factors: 2, layers: [4, 2], seed: 1 }));
  return cachedNeuMF;
}
function keep<T extends tf.LayersModel>(m: T): T {
  models.push(m);
  return m;
}
/** A model the fused engine does not know: GMF's block with a differently named head. */
function customModel(): tf.LayersModel {
  const u = tf.input({ shape: [1], dtype: 'int32' });
  const i = tf.input({ shape: [1], dtype: 'int32' });
  const gu = Embedding({ inputDim: 3, outputDim: 2, name: 'custom_user' }).apply(u);
  const gi = Embedding({ inputDim: 4, outputDim: 2, name: 'custom_item' }).apply(i);
  const out = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'custom_head' }).apply(GMF.block(gu, gi)) as tf.SymbolicTensor;
  return keep(tf.model({ inputs: [u, i], outputs: out }));
}
let cachedRec: Recommender | undefined;
function rec(): Recommender {
  cachedRec ??= trickyRecommender(1);
  return cachedRec;
}

/** Train rows share one model: each must fail before a step is taken (the diverging row has its own). */
const trainOn = (options: TrainOptions, on: Interactions = TRAINABLE) => () => train(neumf(), on, { epochs: 1, engine: 'tfjs', ...options });

// bundles: one good bundle, copied and damaged per row
let root = '';
let goodBundle = '';
let copies = 0;
async function damagedBundle(damage: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(root, `copy-${copies++}`);
  await cp(goodBundle, dir, { recursive: true });
  await damage(dir);
  return `file://${dir}`;
}
async function editJson(file: string, edit: (json: Record<string, unknown>) => void): Promise<void> {
  const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(json);
  await writeFile(file, JSON.stringify(json));
}

const ncfText = (train: string, test = '0\t1\n', negative?: string) => ({
  train: { text: train, name: 'ml.train.rating' },
  test: { text: test, name: 'ml.test.rating' },
  ...(negative === undefined ? {} : { negative: { text: negative, name: 'ml.test.negative' } }),
});
const ml = (text: string, options = {}) => () => readMovieLens({ text, name: 'ratings.dat' }, options);
const csv = (text: string, options: Record<string, unknown> = {}) => () => readCsv({ text, name: 'log.csv' }, { user: 'user', item: 'item', ...options } as never);

// ---- the matrix -----------------------------------------------------------------------------

const rows: BadInputRow[] = [
  // builders
  { entry: 'NeuMF', input: 'numUsers 0', expectedCode: 'INVALID_ARGUMENT', names: 'got 0', call: () => NeuMF({ numUsers: 0, numItems: 4 }) },
  { entry: 'NeuMF', input: 'numUsers negative', expectedCode: 'INVALID_ARGUMENT', names: '-3', call: () => NeuMF({ numUsers: -3, numItems: 4 }) },
  { entry: 'NeuMF', input: 'numUsers fractional', expectedCode: 'INVALID_ARGUMENT', names: '2.5', call: () => NeuMF({ numUsers: 2.5, numItems: 4 }) },
  { entry: 'NeuMF', input: 'numItems NaN', expectedCode: 'INVALID_ARGUMENT', names: 'NaN', call: () => NeuMF({ numUsers: 3, numItems: NaN }) },
  { entry: 'NeuMF', input: 'numItems of the wrong type', expectedCode: 'INVALID_ARGUMENT', names: '"4"', call: () => NeuMF({ numUsers: 3, numItems: any('4') }) },
  { entry: 'NeuMF', input: 'factors 0', expectedCode: 'INVALID_ARGUMENT', names: 'factors', call: () => NeuMF({ numUsers: 3, numItems: 4, factors: 0 }) },
  { entry: 'NeuMF', input: 'layers empty', expectedCode: 'INVALID_LAYERS', names: '[]', call: () => NeuMF({ numUsers: 3, numItems: 4, layers: [] }) },
  { entry: 'NeuMF', input: 'layers growing', expectedCode: 'INVALID_LAYERS', names: 'layers[1] = 32 > layers[0] = 16', call: () => NeuMF({ numUsers: 3, numItems: 4, layers: [16, 32] }) },
  { entry: 'NeuMF', input: 'layers with an odd first width', expectedCode: 'INVALID_LAYERS', names: 'got 15', call: () => NeuMF({ numUsers: 3, numItems: 4, layers: [15, 8] }) },
  { entry: 'NeuMF', input: 'layers with a zero width', expectedCode: 'INVALID_LAYERS', names: 'layers[1] must be a positive integer, got 0', call: () => NeuMF({ numUsers: 3, numItems: 4, layers: [16, 0] }) },
  { entry: 'NeuMF', input: 'layers not an array', expectedCode: 'INVALID_LAYERS', names: '"64"', call: () => NeuMF({ numUsers: 3, numItems: 4, layers: any('64') }) },
  { entry: 'NeuMF', input: 'l2Gmf negative', expectedCode: 'INVALID_ARGUMENT', names: '-1', call: () => NeuMF({ numUsers: 3, numItems: 4, l2Gmf: -1 }) },
  { entry: 'NeuMF', input: 'seed NaN', expectedCode: 'INVALID_ARGUMENT', names: 'NaN', call: () => NeuMF({ numUsers: 3, numItems: 4, seed: NaN }) },
  { entry: 'NeuMF', input: 'arguments not an object', expectedCode: 'INVALID_ARGUMENT', names: 'undefined', call: () => NeuMF(any(undefined)) },
  { entry: 'GMF', input: 'numItems 0', expectedCode: 'INVALID_ARGUMENT', names: 'numItems must be a positive integer, got 0', call: () => GMF({ numUsers: 3, numItems: 0 }) },
  { entry: 'GMF', input: 'factors fractional', expectedCode: 'INVALID_ARGUMENT', names: '1.5', call: () => GMF({ numUsers: 3, numItems: 4, factors: 1.5 }) },
  { entry: 'GMF', input: 'l2 infinite', expectedCode: 'INVALID_ARGUMENT', names: 'Infinity', call: () => GMF({ numUsers: 3, numItems: 4, l2: Infinity }) },
  { entry: 'MLP', input: 'layers empty', expectedCode: 'INVALID_LAYERS', names: '[]', call: () => MLP({ numUsers: 3, numItems: 4, layers: [] }) },
  { entry: 'MLP', input: 'layers not shrinking', expectedCode: 'INVALID_LAYERS', names: 'layers[2] = 16 > layers[1] = 8', call: () => MLP({ numUsers: 3, numItems: 4, layers: [16, 8, 16] }) },
  { entry: 'MLP', input: 'numUsers of the wrong type', expectedCode: 'INVALID_ARGUMENT', names: 'null', call: () => MLP({ numUsers: any(null), numItems: 4 }) },
  { entry: 'Embedding', input: 'inputDim 0', expectedCode: 'INVALID_ARGUMENT', names: 'inputDim must be a positive integer, got 0', call: () => Embedding({ inputDim: 0, outputDim: 4 }) },
  { entry: 'Embedding', input: 'outputDim negative', expectedCode: 'INVALID_ARGUMENT', names: '-4', call: () => Embedding({ inputDim: 3, outputDim: -4 }) },
  { entry: 'Embedding', input: 'empty name', expectedCode: 'INVALID_ARGUMENT', names: '""', call: () => Embedding({ inputDim: 3, outputDim: 4, name: '' }) },
  { entry: 'Embedding', input: 'l2 NaN', expectedCode: 'INVALID_ARGUMENT', names: 'NaN', call: () => Embedding({ inputDim: 3, outputDim: 4, l2: NaN }) },
  {
    entry: 'Embedding.apply',
    input: 'a symbolic tensor of the wrong shape',
    expectedCode: 'SHAPE_MISMATCH',
    names: '[null, 2]',
    call: () => Embedding({ inputDim: 3, outputDim: 4 }).apply(tf.input({ shape: [2], dtype: 'int32' })),
  },
  { entry: 'pretrainedNeuMF', input: 'alpha above 1', expectedCode: 'INVALID_ARGUMENT', names: '1.5', call: () => pretrainedNeuMF(any(null), any(null), { alpha: 1.5 }) },
  { entry: 'pretrainedNeuMF', input: 'alpha NaN', expectedCode: 'INVALID_ARGUMENT', names: 'NaN', call: () => pretrainedNeuMF(any(null), any(null), { alpha: NaN }) },
  {
    entry: 'pretrainedNeuMF',
    input: 'an MLP given as the GMF',
    expectedCode: 'UNSUPPORTED_MODEL',
    names: 'gmf',
    call: () => {
      const m = keep(MLP({ numUsers: 3, numItems: 4, layers: [4, 2] }));
      return pretrainedNeuMF(m, m);
    },
  },
  {
    entry: 'pretrainedNeuMF',
    input: 'GMF and MLP built for different users',
    expectedCode: 'SHAPE_MISMATCH',
    names: 'numUsers=3',
    call: () => pretrainedNeuMF(keep(GMF({ numUsers: 3, numItems: 4, factors: 2 })), keep(MLP({ numUsers: 5, numItems: 4, layers: [4, 2] }))),
  },

  // sampler
  { entry: 'NegativeSampler', input: 'data not an object', expectedCode: 'INVALID_ARGUMENT', names: 'null', call: () => new NegativeSampler(any(null)) },
  { entry: 'NegativeSampler', input: 'ids in a plain array', expectedCode: 'INVALID_ARGUMENT', names: 'Int32Array', call: () => new NegativeSampler(data({ users: [0, 1] })) },
  { entry: 'NegativeSampler', input: 'numUsers 0', expectedCode: 'INVALID_SIZE', names: 'got 0', call: () => new NegativeSampler(data({ numUsers: 0 })) },
  { entry: 'NegativeSampler', input: 'numItems fractional', expectedCode: 'INVALID_SIZE', names: '4.5', call: () => new NegativeSampler(data({ numItems: 4.5 })) },
  { entry: 'NegativeSampler', input: 'numItems NaN', expectedCode: 'INVALID_SIZE', names: 'NaN', call: () => new NegativeSampler(data({ numItems: NaN })) },
  { entry: 'NegativeSampler', input: 'users and items of mismatched lengths', expectedCode: 'LENGTH_MISMATCH', names: 'length 2', call: () => new NegativeSampler(data({ users: Int32Array.of(0, 1) })) },
  { entry: 'NegativeSampler', input: 'a negative user id', expectedCode: 'USER_OUT_OF_RANGE', names: '= -1', call: () => new NegativeSampler(data({ users: Int32Array.of(0, 0, 1, 2, -1, 2, 2) })) },
  { entry: 'NegativeSampler', input: 'an item id out of range', expectedCode: 'ITEM_OUT_OF_RANGE', names: '= 4', call: () => new NegativeSampler(data({ items: Int32Array.of(0, 1, 1, 0, 1, 2, 4) })) },
  { entry: 'NegativeSampler', input: 'timestamps of mismatched length', expectedCode: 'LENGTH_MISMATCH', names: 'length 1', call: () => new NegativeSampler(data({ timestamps: Float64Array.of(1) })) },
  { entry: 'NegativeSampler', input: 'unknown strategy', expectedCode: 'INVALID_ARGUMENT', names: '"zipf"', call: () => new NegativeSampler(DATA, { strategy: any('zipf') }) },
  { entry: 'NegativeSampler', input: 'alpha negative', expectedCode: 'INVALID_ARGUMENT', names: '-0.5', call: () => new NegativeSampler(DATA, { alpha: -0.5 }) },
  { entry: 'NegativeSampler', input: 'alpha infinite', expectedCode: 'INVALID_ARGUMENT', names: 'Infinity', call: () => new NegativeSampler(DATA, { strategy: 'popularity', alpha: Infinity }) },
  { entry: 'NegativeSampler', input: 'seed NaN', expectedCode: 'INVALID_ARGUMENT', names: 'NaN', call: () => new NegativeSampler(DATA, { seed: NaN }) },
  {
    entry: 'NegativeSampler',
    input: 'exclude over other sizes',
    expectedCode: 'INVALID_SIZE',
    names: '3 users x 5 items',
    call: () => new NegativeSampler(DATA, { exclude: { ...EMPTY, numItems: 5 } }),
  },
  { entry: 'NegativeSampler.sample', input: 'user out of range', expectedCode: 'USER_OUT_OF_RANGE', names: 'user 3', call: () => new NegativeSampler(TRAINABLE).sample(3, 1) },
  { entry: 'NegativeSampler.sample', input: 'user fractional', expectedCode: 'USER_OUT_OF_RANGE', names: '0.5', call: () => new NegativeSampler(TRAINABLE).sample(0.5, 1) },
  { entry: 'NegativeSampler.sample', input: 'user NaN', expectedCode: 'USER_OUT_OF_RANGE', names: 'NaN', call: () => new NegativeSampler(TRAINABLE).sample(NaN, 1) },
  { entry: 'NegativeSampler.sample', input: 'user of the wrong type', expectedCode: 'USER_OUT_OF_RANGE', names: '"0"', call: () => new NegativeSampler(TRAINABLE).sample(any('0'), 1) },
  { entry: 'NegativeSampler.sample', input: 'count negative', expectedCode: 'INVALID_ARGUMENT', names: '-1', call: () => new NegativeSampler(TRAINABLE).sample(0, -1) },
  { entry: 'NegativeSampler.sample', input: 'a user who has seen every item', expectedCode: 'NO_NEGATIVES', names: 'user 2', call: () => new NegativeSampler(DATA).sample(2, 1) },
  { entry: 'NegativeSampler.batches', input: 'batch size 0', expectedCode: 'INVALID_ARGUMENT', names: 'batchSize must be a positive integer, got 0', call: () => new NegativeSampler(TRAINABLE).batches({ batchSize: 0 }) },
  { entry: 'NegativeSampler.batches', input: 'a user who has seen every item', expectedCode: 'NO_NEGATIVES', names: 'user 2', call: () => new NegativeSampler(DATA).batches() },
  { entry: 'NegativeSampler.batches', input: 'empty data', expectedCode: 'NO_POSITIVES', names: 'no interactions', call: () => new NegativeSampler(EMPTY).batches() },
  { entry: 'NegativeSampler.batches', input: 'shard index >= count', expectedCode: 'INVALID_ARGUMENT', names: 'got 2', call: () => new NegativeSampler(TRAINABLE).batches({ shard: { index: 2, count: 2 } }) },
  { entry: 'NegativeSampler.pairBatches', input: 'zero negatives', expectedCode: 'INVALID_ARGUMENT', names: 'negativesPerPositive must be a positive integer, got 0', call: () => new NegativeSampler(TRAINABLE).pairBatches({ negativesPerPositive: 0 }) },

  // metrics
  { entry: 'hitRate', input: 'K of 0', expectedCode: 'INVALID_K', names: 'got 0', call: () => hitRate(3, 0) },
  { entry: 'hitRate', input: 'K negative', expectedCode: 'INVALID_K', names: '-10', call: () => hitRate(3, -10) },
  { entry: 'hitRate', input: 'K fractional', expectedCode: 'INVALID_K', names: '2.5', call: () => hitRate(3, 2.5) },
  { entry: 'hitRate', input: 'K NaN', expectedCode: 'INVALID_K', names: 'NaN', call: () => hitRate(3, NaN) },
  { entry: 'hitRate', input: 'K of the wrong type', expectedCode: 'INVALID_K', names: '"10"', call: () => hitRate(3, any('10')) },
  { entry: 'hitRate', input: 'rank 0 (ranks are 1-based)', expectedCode: 'INVALID_ARGUMENT', names: 'got 0', call: () => hitRate(0, 10) },
  { entry: 'hitRate', input: 'rank NaN', expectedCode: 'INVALID_ARGUMENT', names: 'NaN', call: () => hitRate(NaN, 10) },
  { entry: 'ndcg', input: 'K of 0', expectedCode: 'INVALID_K', names: 'got 0', call: () => ndcg(2, 0) },
  { entry: 'ndcg', input: 'a rank listed twice', expectedCode: 'INVALID_ARGUMENT', names: 'rank 1 twice', call: () => ndcg([1, 1], 2, 10) },
  { entry: 'ndcg', input: 'a fractional rank in a list', expectedCode: 'INVALID_ARGUMENT', names: '1.5', call: () => ndcg([1.5], 1, 10) },
  { entry: 'ndcg', input: 'more ranks than relevant items', expectedCode: 'INVALID_ARGUMENT', names: 'lists 3 ranks but numRelevant is 2', call: () => ndcg([1, 2, 3], 2, 10) },
  { entry: 'mrr', input: 'K of 0', expectedCode: 'INVALID_K', names: 'got 0', call: () => mrr(1, 0) },
  { entry: 'precision', input: 'K negative', expectedCode: 'INVALID_K', names: '-3', call: () => precision([1], -3) },
  { entry: 'precision', input: 'ranks not an array', expectedCode: 'INVALID_ARGUMENT', names: '7', call: () => precision(any(7), 3) },
  { entry: 'recall', input: 'a user with no positives (numRelevant 0)', expectedCode: 'INVALID_ARGUMENT', names: 'numRelevant must be a positive integer, got 0', call: () => recall([], 0, 10) },
  { entry: 'averagePrecision', input: 'K fractional', expectedCode: 'INVALID_K', names: '1.5', call: () => averagePrecision([], 1, 1.5) },
  { entry: 'auc', input: 'no positives', expectedCode: 'EMPTY_INPUT', names: 'positiveScores', call: () => auc([], [0.1]) },
  { entry: 'auc', input: 'a NaN score', expectedCode: 'NOT_FINITE', names: 'positiveScores[0] is NaN', call: () => auc([NaN], [0.1]) },
  { entry: 'auc', input: 'unknown tie policy', expectedCode: 'INVALID_ARGUMENT', names: '"random"', call: () => auc([0.5], [0.1], any('random')) },
  { entry: 'rankOf', input: 'positive score NaN', expectedCode: 'NOT_FINITE', names: 'NaN', call: () => rankOf(NaN, [0.1]) },
  { entry: 'rankOf', input: 'a competitor of the wrong type', expectedCode: 'INVALID_ARGUMENT', names: 'otherScores[0] is a Object', call: () => rankOf(0.5, any([{ valueOf: 'not callable' }])) },
  { entry: 'rankOf', input: 'a NaN competitor', expectedCode: 'NOT_FINITE', names: 'otherScores[1]', call: () => rankOf(0.5, [0.1, NaN]) },
  { entry: 'topK', input: 'K of 0', expectedCode: 'INVALID_K', names: 'got 0', call: () => topK([0.1, 0.2], 0) },
  { entry: 'topK', input: 'a score of the wrong type', expectedCode: 'INVALID_ARGUMENT', names: 'scores[1] is "0.3"', call: () => topK(any([0.1, '0.3']), 1) },
  { entry: 'topK', input: 'a NaN score', expectedCode: 'NOT_FINITE', names: 'scores[1]', call: () => topK([0.1, NaN], 1) },
  { entry: 'topKMetrics', input: 'a user with no positives', expectedCode: 'EMPTY_INPUT', names: 'relevantItems is empty', call: () => topKMetrics([0, 1], [], 10) },
  { entry: 'rankMetrics', input: 'scores of the wrong length', expectedCode: 'LENGTH_MISMATCH', names: 'length 5', call: () => rankMetrics(new Float32Array(5), 2, 3, [0, 0], { k: 1 }) },
  { entry: 'rankMetrics', input: 'a target out of range', expectedCode: 'INVALID_ARGUMENT', names: 'targets[1] = 3', call: () => rankMetrics(new Float32Array(6), 2, 3, [0, 3], { k: 1 }) },
  { entry: 'rankMetrics', input: 'zero rows', expectedCode: 'INVALID_SIZE', names: 'rows must be a positive integer, got 0', call: () => rankMetrics([], 0, 3, [], { k: 1 }) },

  // ids
  { entry: 'IdMap.add', input: 'NaN id', expectedCode: 'INVALID_ID', names: 'NaN', call: () => new IdMap().add(NaN) },
  { entry: 'IdMap.add', input: 'empty string id', expectedCode: 'INVALID_ID', names: '""', call: () => new IdMap().add('') },
  { entry: 'IdMap.add', input: 'an id of the wrong type', expectedCode: 'INVALID_ID', names: 'a Object', call: () => new IdMap().add(any({})) },
  { entry: 'IdMap', input: 'unknown kind', expectedCode: 'INVALID_ARGUMENT', names: '"group"', call: () => new IdMap({ kind: any('group') }) },
  { entry: 'IdMap.indexOf', input: 'an unknown user', expectedCode: 'UNKNOWN_USER', names: '"bob"', call: () => IdMap.fromIds(['alice'], { kind: 'user' }).indexOf('bob') },
  { entry: 'IdMap.indexOf', input: 'an unknown item', expectedCode: 'UNKNOWN_ITEM', names: '7', call: () => IdMap.fromIds([1, 2], { kind: 'item' }).indexOf(7) },
  { entry: 'IdMap.id', input: 'index out of range', expectedCode: 'USER_OUT_OF_RANGE', names: 'index 5', call: () => IdMap.fromIds(['a'], { kind: 'user' }).id(5) },
  { entry: 'IdMap.id', input: 'index negative', expectedCode: 'ITEM_OUT_OF_RANGE', names: '-1', call: () => IdMap.fromIds(['a'], { kind: 'item' }).id(-1) },
  { entry: 'IdMap.fromJSON', input: 'a repeated id', expectedCode: 'INVALID_ID', names: '"a"', call: () => IdMap.fromJSON(['a', 'b', 'a']) },
  { entry: 'interactionsFrom', input: 'empty data', expectedCode: 'EMPTY_INPUT', names: 'rows has no interactions', call: () => interactionsFrom([], { user: 'u', item: 'i' }) },
  { entry: 'interactionsFrom', input: 'a missing user id', expectedCode: 'INVALID_ID', names: 'row 1, column "u"', call: () => interactionsFrom([{ u: 'a', i: 1 }, { i: 2 }], { user: 'u', item: 'i' }) },
  { entry: 'interactionsFrom', input: 'a NaN item id', expectedCode: 'INVALID_ID', names: 'NaN', call: () => interactionsFrom([{ u: 'a', i: NaN }], { user: 'u', item: 'i' }) },
  { entry: 'interactionsFrom', input: 'an id of the wrong type', expectedCode: 'INVALID_ID', names: 'a Object', call: () => interactionsFrom([{ u: {}, i: 1 }], { user: 'u', item: 'i' }) },
  { entry: 'interactionsFrom', input: 'a non-numeric time', expectedCode: 'NOT_FINITE', names: '"soon"', call: () => interactionsFrom([{ u: 'a', i: 1, t: 'soon' }], { user: 'u', item: 'i', time: 't' }) },
  { entry: 'interactionsFrom', input: 'rows not iterable', expectedCode: 'INVALID_ARGUMENT', names: '42', call: () => interactionsFrom(any(42), { user: 'u', item: 'i' }) },
  { entry: 'interactionsFrom', input: 'columns without item', expectedCode: 'INVALID_ARGUMENT', names: 'columns.item', call: () => interactionsFrom([], any({ user: 'u' })) },
  { entry: 'interactionsFrom', input: 'unknown duplicates policy', expectedCode: 'INVALID_ARGUMENT', names: '"max"', call: () => interactionsFrom([], { user: 'u', item: 'i' }, { duplicates: any('max') }) },
  {
    entry: 'interactionsFrom',
    input: 'an unknown user with unknownIds: error',
    expectedCode: 'UNKNOWN_USER',
    names: '"zed"',
    call: () => interactionsFrom([{ u: 'zed', i: 1 }], { user: 'u', item: 'i' }, { users: IdMap.fromIds(['a'], { kind: 'user' }), unknownIds: 'error' }),
  },

  // readers: NCF files (line numbers are 1-based and must be right after a BOM or \r\n)
  { entry: 'readNcf', input: 'wrong column count on line 2', expectedCode: 'PARSE_ERROR', names: 'ml.train.rating:2:', call: () => readNcf(ncfText('0\t1\t5\t100\n1\t2\t5\n')) },
  { entry: 'readNcf', input: 'a single column', expectedCode: 'PARSE_ERROR', names: 'ml.train.rating:1:', call: () => readNcf(ncfText('0\n')) },
  { entry: 'readNcf', input: 'a non-numeric user id', expectedCode: 'PARSE_ERROR', names: 'ml.train.rating:2: the user id is not a non-negative integer: "x\\t2"', call: () => readNcf(ncfText('0\t1\nx\t2\n')) },
  { entry: 'readNcf', input: 'a negative item id', expectedCode: 'PARSE_ERROR', names: 'ml.train.rating:1: the item id', call: () => readNcf(ncfText('0\t-1\n')) },
  { entry: 'readNcf', input: 'a fractional user id', expectedCode: 'PARSE_ERROR', names: 'ml.train.rating:1: the user id', call: () => readNcf(ncfText('1.5\t2\n')) },
  { entry: 'readNcf', input: 'an id above 2^31-1', expectedCode: 'PARSE_ERROR', names: '"2147483648\\t1"', call: () => readNcf(ncfText('2147483648\t1\n')) },
  { entry: 'readNcf', input: 'a stray huge id (a sparse index space)', expectedCode: 'PARSE_ERROR', names: 'ml.train.rating:2: user id 1999999999', call: () => readNcf(ncfText('0\t1\n1999999999\t2\n')) },
  { entry: 'readNcf', input: 'a stray huge negative item', expectedCode: 'PARSE_ERROR', names: 'ml.test.negative:1: item id 99999999', call: () => readNcf(ncfText('0\t1\n', '0\t1\n', '(0,1)\t3\t99999999\n')) },
  { entry: 'readNcf', input: 'a non-numeric rating', expectedCode: 'PARSE_ERROR', names: 'ml.train.rating:1: the rating', call: () => readNcf(ncfText('0\t1\tfive\n')) },
  { entry: 'readNcf', input: 'a truncated last line', expectedCode: 'PARSE_ERROR', names: 'ml.train.rating:3:', call: () => readNcf(ncfText('0\t1\t5\t10\n1\t2\t5\t11\n2\t3\t5')) },
  { entry: 'readNcf', input: '\\r\\n endings, bad line 3', expectedCode: 'PARSE_ERROR', names: 'ml.train.rating:3:', call: () => readNcf(ncfText('0\t1\r\n1\t2\r\nbad\t3\r\n')) },
  { entry: 'readNcf', input: 'a BOM, bad line 2', expectedCode: 'PARSE_ERROR', names: 'ml.train.rating:2:', call: () => readNcf(ncfText('\uFEFF0\t1\n1\tx\n')) },
  { entry: 'readNcf', input: 'an empty train file', expectedCode: 'EMPTY_INPUT', names: 'ml.train.rating', call: () => readNcf(ncfText('')) },
  { entry: 'readNcf', input: 'a blank test file', expectedCode: 'EMPTY_INPUT', names: 'ml.test.rating', call: () => readNcf(ncfText('0\t1\n', '\n  \n')) },
  { entry: 'readNcf', input: 'only non-positive ratings', expectedCode: 'EMPTY_INPUT', names: '2 lines skipped', call: () => readNcf(ncfText('0\t1\t0\n1\t1\t-1\n')) },
  { entry: 'readNcf', input: 'a negative-file head not matching the test row', expectedCode: 'PARSE_ERROR', names: 'ml.test.negative:1: the head (0,2)', call: () => readNcf(ncfText('0\t1\n', '0\t1\n', '(0,2)\t3\t4\n')) },
  { entry: 'readNcf', input: 'a non-numeric negative', expectedCode: 'PARSE_ERROR', names: 'ml.test.negative:1: negative "z"', call: () => readNcf(ncfText('0\t1\n', '0\t1\n', '(0,1)\t3\tz\n')) },
  { entry: 'readNcf', input: 'fewer negative lines than test rows', expectedCode: 'PARSE_ERROR', names: 'ml.test.negative has 1 lines but ml.test.rating has 2 rows', call: () => readNcf(ncfText('0\t1\n', '0\t1\n1\t2\n', '(0,1)\t3\n')) },
  { entry: 'readNcf', input: 'a source of the wrong type', expectedCode: 'INVALID_ARGUMENT', names: '42', call: () => readNcf(any(42)) },
  { entry: 'readNcf', input: 'a directory that does not exist', expectedCode: 'FILE_NOT_FOUND', names: '/nonexistent-recsys/ml-1m', call: () => readNcf('/nonexistent-recsys/ml-1m') },
  // readers: MovieLens
  { entry: 'readMovieLens', input: 'wrong column count', expectedCode: 'PARSE_ERROR', names: 'ratings.dat:1: expected 4 ::-separated fields', call: ml('1::2::5\n') },
  { entry: 'readMovieLens', input: 'a non-numeric movie id', expectedCode: 'PARSE_ERROR', names: 'ratings.dat:2: the movie id', call: ml('1::2::5::10\n1::x::5::11\n') },
  { entry: 'readMovieLens', input: 'a non-numeric rating', expectedCode: 'PARSE_ERROR', names: 'ratings.dat:1: the rating', call: ml('1\t2\tgood\t10\n') },
  { entry: 'readMovieLens', input: 'a truncated last line', expectedCode: 'PARSE_ERROR', names: 'ratings.dat:2:', call: ml('1::2::5::10\n1::3::') },
  { entry: 'readMovieLens', input: '\\r\\n endings, bad line 2', expectedCode: 'PARSE_ERROR', names: 'ratings.dat:2:', call: ml('1::2::5::10\r\n1::3::5\r\n') },
  { entry: 'readMovieLens', input: 'a BOM, bad line 2', expectedCode: 'PARSE_ERROR', names: 'ratings.dat:2:', call: ml('\uFEFF1\t2\t5\t10\n1\t-3\t5\t11\n') },
  { entry: 'readMovieLens', input: 'a format it cannot tell', expectedCode: 'PARSE_ERROR', names: 'ratings.dat:1: cannot tell the format', call: ml('1,2,5,10\n') },
  { entry: 'readMovieLens', input: 'an empty file', expectedCode: 'EMPTY_INPUT', names: 'ratings.dat is empty', call: ml('') },
  { entry: 'readMovieLens', input: 'every rating below minRating', expectedCode: 'EMPTY_INPUT', names: 'no rating >= 4', call: ml('1::2::3::10\n', { minRating: 4 }) },
  { entry: 'readMovieLens', input: 'unknown format', expectedCode: 'INVALID_ARGUMENT', names: '"csv"', call: ml('', { format: 'csv' }) },
  { entry: 'readMovieLens', input: 'minRating NaN', expectedCode: 'INVALID_ARGUMENT', names: 'NaN', call: ml('', { minRating: NaN }) },
  // readers: CSV
  { entry: 'readCsv', input: 'wrong column count on line 3', expectedCode: 'PARSE_ERROR', names: 'log.csv:3: expected 2 fields', call: csv('user,item\na,b\nc\n') },
  { entry: 'readCsv', input: 'a non-numeric id with idType number', expectedCode: 'PARSE_ERROR', names: 'log.csv:3, column "item"', call: csv('user,item\n1,2\n3,x\n', { idType: 'number' }) },
  { entry: 'readCsv', input: 'a non-numeric time', expectedCode: 'PARSE_ERROR', names: 'log.csv:2, column "ts"', call: csv('user,item,ts\na,b,later\n', { time: 'ts' }) },
  { entry: 'readCsv', input: 'a truncated last line', expectedCode: 'PARSE_ERROR', names: 'log.csv:3:', call: csv('user,item,ts\na,b,1\nc,d') },
  { entry: 'readCsv', input: '\\r\\n endings, bad line 3', expectedCode: 'PARSE_ERROR', names: 'log.csv:3:', call: csv('user,item\r\na,b\r\nc,d,e\r\n') },
  { entry: 'readCsv', input: 'a BOM, bad line 3', expectedCode: 'PARSE_ERROR', names: 'log.csv:3:', call: csv('\uFEFFuser,item\na,b\nc\n') },
  { entry: 'readCsv', input: 'an empty file', expectedCode: 'EMPTY_INPUT', names: 'log.csv is empty', call: csv('') },
  { entry: 'readCsv', input: 'a header and no data', expectedCode: 'EMPTY_INPUT', names: 'log.csv has a header but no data lines', call: csv('user,item\n') },
  { entry: 'readCsv', input: 'a column the header lacks', expectedCode: 'INVALID_ARGUMENT', names: 'no column "uid"', call: csv('user,item\na,b\n', { user: 'uid' }) },
  { entry: 'readCsv', input: 'a quote as delimiter', expectedCode: 'INVALID_ARGUMENT', names: '"\\""', call: csv('user,item\n', { delimiter: '"' }) },
  { entry: 'readCsv', input: 'a missing item id', expectedCode: 'PARSE_ERROR', names: 'log.csv:2, column "item": the item id is missing', call: csv('user,item\na,\n') },

  // splits and synthetic data
  { entry: 'leaveOneOut', input: "by: 'time' without timestamps", expectedCode: 'INVALID_ARGUMENT', names: 'needs timestamps', call: () => leaveOneOut(DATA, { by: 'time' }) },
  { entry: 'leaveOneOut', input: 'unknown by', expectedCode: 'INVALID_ARGUMENT', names: '"date"', call: () => leaveOneOut(DATA, { by: any('date') }) },
  { entry: 'leaveOneOut', input: 'seed NaN', expectedCode: 'INVALID_ARGUMENT', names: 'NaN', call: () => leaveOneOut(DATA, { by: 'random', seed: NaN }) },
  { entry: 'leaveOneOut', input: 'an item id out of range', expectedCode: 'ITEM_OUT_OF_RANGE', names: 'data.items[0] = 9', call: () => leaveOneOut(data({ items: Int32Array.of(9, 1, 1, 0, 1, 2, 3) }), { by: 'random' }) },
  { entry: 'leaveOneOut', input: 'numUsers beyond Int32 indices', expectedCode: 'INVALID_SIZE', names: 'got 1000000000000', call: () => leaveOneOut({ ...EMPTY, numUsers: 1e12 }, { by: 'random' }) },
  { entry: 'leaveOneOut', input: 'a NaN timestamp', expectedCode: 'NOT_FINITE', names: 'timestamps[1]', call: () => leaveOneOut({ ...TRAINABLE, timestamps: Float64Array.of(1, NaN, 3, 4, 5) }, { by: 'time' }) },
  { entry: 'validationSplit', input: 'arrays of mismatched lengths', expectedCode: 'LENGTH_MISMATCH', names: 'length 6', call: () => validationSplit(data({ items: Int32Array.of(0, 1, 1, 0, 1, 2) }), { by: 'random' }) },
  { entry: 'holdout', input: 'fraction 0', expectedCode: 'INVALID_ARGUMENT', names: 'fraction must be a number in (0, 1), got 0', call: () => holdout(DATA, { fraction: 0 }) },
  { entry: 'holdout', input: 'fraction 1.5', expectedCode: 'INVALID_ARGUMENT', names: '1.5', call: () => holdout(DATA, { fraction: 1.5 }) },
  { entry: 'temporalSplit', input: 'one interaction', expectedCode: 'INVALID_SIZE', names: 'got 1', call: () => temporalSplit({ users: Int32Array.of(0), items: Int32Array.of(0), timestamps: Float64Array.of(1), numUsers: 1, numItems: 1 }, { fraction: 0.5 }) },
  { entry: 'temporalSplit', input: 'at NaN', expectedCode: 'INVALID_ARGUMENT', names: 'NaN', call: () => temporalSplit(TRAINABLE, { at: NaN }) },
  { entry: 'syntheticInteractions', input: 'numUsers 0', expectedCode: 'INVALID_SIZE', names: 'got 0', call: () => syntheticInteractions({ numUsers: 0 }) },
  { entry: 'syntheticInteractions', input: 'noise 1', expectedCode: 'INVALID_ARGUMENT', names: 'got 1', call: () => syntheticInteractions({ noise: 1 }) },
];

// training, evaluation, serving and persistence
rows.push(
  { entry: 'train', input: 'batch size 0', expectedCode: 'INVALID_ARGUMENT', names: 'batchSize must be a positive integer, got 0', call: trainOn({ batchSize: 0 }) },
  { entry: 'train', input: 'epochs fractional', expectedCode: 'INVALID_ARGUMENT', names: '1.5', call: trainOn({ epochs: 1.5 }) },
  { entry: 'train', input: 'learning rate NaN', expectedCode: 'NOT_FINITE', names: 'NaN', call: trainOn({ learningRate: NaN }) },
  { entry: 'train', input: 'learning rate Infinity', expectedCode: 'NOT_FINITE', names: 'Infinity', call: trainOn({ learningRate: Infinity }) },
  { entry: 'train', input: 'learning rate -Infinity', expectedCode: 'NOT_FINITE', names: '-Infinity', call: trainOn({ learningRate: -Infinity }) },
  { entry: 'train', input: 'negatives negative', expectedCode: 'INVALID_ARGUMENT', names: '-1', call: trainOn({ negatives: -1 }) },
  { entry: 'train', input: 'unknown optimizer', expectedCode: 'INVALID_ARGUMENT', names: '"rmsprop"', call: trainOn({ optimizer: any('rmsprop') }) },
  { entry: 'train', input: 'unknown engine', expectedCode: 'INVALID_ARGUMENT', names: '"gpu"', call: trainOn({ engine: any('gpu') }) },
  { entry: 'train', input: 'empty data', expectedCode: 'EMPTY_INPUT', names: 'no interactions', call: trainOn({}, EMPTY) },
  { entry: 'train', input: 'a user who has seen every item', expectedCode: 'NO_NEGATIVES', names: 'user 2', call: trainOn({}, DATA) },
  { entry: 'train', input: 'data sized for another model', expectedCode: 'ITEM_OUT_OF_RANGE', names: 'numItems = 5', call: trainOn({}, { ...TRAINABLE, numItems: 5 }) },
  { entry: 'train', input: 'a learning rate so large that training diverges', expectedCode: 'TRAINING_DIVERGED', names: 'diverged', call: () => train(keep(NeuMF({ numUsers: 3, numItems: 4, factors: 2, layers: [4, 2], seed: 1 })), TRAINABLE, { learningRate: 1e38, optimizer: 'sgd', epochs: 3, engine: 'tfjs' }) },
  { entry: 'train', input: "engine: 'fused' for a custom model", expectedCode: 'UNSUPPORTED_ENGINE', names: "engine 'fused'", call: () => train(customModel(), TRAINABLE, { engine: 'fused', epochs: 1 }) },
  { entry: 'train', input: 'a model of the wrong type', expectedCode: 'INVALID_ARGUMENT', names: 'a Object', call: () => train(any({}), TRAINABLE) },
  { entry: 'train', input: 'an item id out of range', expectedCode: 'ITEM_OUT_OF_RANGE', names: '= 7', call: trainOn({}, { ...TRAINABLE, items: Int32Array.of(0, 1, 1, 0, 7) }) },
  { entry: 'train', input: 'a weighting on data without weights', expectedCode: 'INVALID_ARGUMENT', names: "weighting 'linear' needs data.weights", call: trainOn({ weighting: 'linear' }) },
  { entry: 'train', input: 'an unknown weighting', expectedCode: 'INVALID_ARGUMENT', names: '"squared"', call: trainOn({ weighting: any('squared') }) },
  { entry: 'train', input: 'a negative interaction weight with a weighting', expectedCode: 'INVALID_ARGUMENT', names: 'data.weights[2] = -1', call: trainOn({ weighting: 'log' }, { ...TRAINABLE, weights: Float32Array.of(1, 2, -1, 1, 1) }) },
  { entry: 'train', input: 'a NaN interaction weight with a weighting', expectedCode: 'NOT_FINITE', names: 'data.weights[0] = NaN', call: trainOn({ weighting: 'linear' }, { ...TRAINABLE, weights: Float32Array.of(NaN, 2, 1, 1, 1) }) },
  { entry: 'train', input: 'an infinite interaction weight with a weighting', expectedCode: 'NOT_FINITE', names: 'data.weights[4] = Infinity', call: trainOn({ weighting: 'linear' }, { ...TRAINABLE, weights: Float32Array.of(1, 2, 1, 1, Infinity) }) },
  { entry: 'train', input: 'weightScale 0', expectedCode: 'INVALID_ARGUMENT', names: 'weightScale must be a number > 0, got 0', call: trainOn({ weighting: 'linear', weightScale: 0 }) },
  { entry: 'train', input: 'weightScale NaN', expectedCode: 'NOT_FINITE', names: 'weightScale', call: trainOn({ weighting: 'linear', weightScale: NaN }) },
  { entry: 'train', input: 'weightScale without a weighting', expectedCode: 'INVALID_ARGUMENT', names: "weightScale (2) needs weighting 'linear' or 'log'", call: trainOn({ weightScale: 2 }) },
  { entry: 'NegativeSampler', input: 'a weighting on data without weights', expectedCode: 'INVALID_ARGUMENT', names: "weighting 'log' needs data.weights", call: () => new NegativeSampler(TRAINABLE, { weighting: 'log' }) },
  { entry: 'NegativeSampler', input: 'a negative weight with a weighting', expectedCode: 'INVALID_ARGUMENT', names: 'data.weights[1] = -2', call: () => new NegativeSampler({ ...TRAINABLE, weights: Float32Array.of(1, -2, 1, 1, 1) }, { weighting: 'linear' }) },
  { entry: 'evaluateSampled', input: 'K of 0', expectedCode: 'INVALID_K', names: 'got 0', call: () => evaluateSampled(neumf(), TRAINABLE, { k: 0, numNegatives: 1 }) },
  { entry: 'evaluateSampled', input: 'K above the item count', expectedCode: 'INVALID_K', names: 'k = 5', call: () => evaluateSampled(neumf(), TRAINABLE, { k: 5, numNegatives: 1 }) },
  { entry: 'evaluateSampled', input: 'K fractional', expectedCode: 'INVALID_K', names: '2.5', call: () => evaluateSampled(neumf(), TRAINABLE, { k: 2.5 }) },
  { entry: 'evaluateSampled', input: 'empty test set', expectedCode: 'EMPTY_INPUT', names: 'test is empty', call: () => evaluateSampled(neumf(), EMPTY, { k: 2 }) },
  { entry: 'evaluateSampled', input: 'a user out of range', expectedCode: 'USER_OUT_OF_RANGE', names: 'test.users[0] = 3', call: () => evaluateSampled(neumf(), { users: Int32Array.of(3), items: Int32Array.of(0) }, { k: 2 }) },
  { entry: 'evaluateSampled', input: 'users and items of mismatched lengths', expectedCode: 'LENGTH_MISMATCH', names: 'length 2', call: () => evaluateSampled(neumf(), { users: Int32Array.of(0, 1), items: Int32Array.of(0) }, { k: 2 }) },
  { entry: 'evaluateSampled', input: 'ids in a plain array', expectedCode: 'INVALID_ARGUMENT', names: 'an array of length 1', call: () => evaluateSampled(neumf(), { users: any([0]), items: Int32Array.of(0) }, { k: 2 }) },
  {
    entry: 'evaluateSampled',
    input: 'a listed negative out of range',
    expectedCode: 'ITEM_OUT_OF_RANGE',
    names: 'test.negatives[0][1] = 4',
    call: () => evaluateSampled(neumf(), { users: Int32Array.of(0), items: Int32Array.of(0), negatives: [Int32Array.of(2, 4)] }, { k: 1 }),
  },
  {
    entry: 'evaluateSampled',
    input: 'fewer negative lists than positives',
    expectedCode: 'LENGTH_MISMATCH',
    names: 'has 0 lists but test has 1',
    call: () => evaluateSampled(neumf(), { users: Int32Array.of(0), items: Int32Array.of(0), negatives: [] }, { k: 1 }),
  },
  {
    entry: 'evaluateSampled',
    input: 'a user who has seen every item',
    expectedCode: 'NO_NEGATIVES',
    names: 'user 2',
    call: () => evaluateSampled(neumf(), { users: Int32Array.of(2), items: Int32Array.of(0) }, { k: 1, numNegatives: 1, exclude: DATA }),
  },
  {
    entry: 'evaluateSampled',
    input: 'sampled negatives without exclude',
    expectedCode: 'INVALID_ARGUMENT',
    names: 'exclude is undefined',
    call: () => evaluateSampled(neumf(), { users: Int32Array.of(0), items: Int32Array.of(0) }, { k: 1, numNegatives: 2 }),
  },
  {
    entry: 'evaluateSampled',
    input: 'numNegatives with listed negatives',
    expectedCode: 'INVALID_ARGUMENT',
    names: 'numNegatives = 50',
    call: () => evaluateSampled(neumf(), { users: Int32Array.of(0), items: Int32Array.of(0), negatives: [Int32Array.of(1, 2)] }, { k: 1, numNegatives: 50 }),
  },
  { entry: 'evaluateSampled', input: 'a model of the wrong type', expectedCode: 'INVALID_ARGUMENT', names: 'a Object', call: () => evaluateSampled(any({}), TRAINABLE) },
  { entry: 'evaluateFull', input: 'K of 0', expectedCode: 'INVALID_K', names: 'got 0', call: () => evaluateFull(neumf(), TRAINABLE, { k: 0 }) },
  { entry: 'evaluateFull', input: 'K above the item count', expectedCode: 'INVALID_K', names: 'k = 99', call: () => evaluateFull(neumf(), TRAINABLE, { k: 99 }) },
  { entry: 'evaluateFull', input: 'empty test set', expectedCode: 'EMPTY_INPUT', names: 'test is empty', call: () => evaluateFull(neumf(), EMPTY, { k: 2 }) },
  { entry: 'evaluateFull', input: 'an item out of range', expectedCode: 'ITEM_OUT_OF_RANGE', names: '= 6', call: () => evaluateFull(neumf(), { ...TRAINABLE, numItems: 7, items: Int32Array.of(0, 1, 1, 0, 6) }, { k: 2 }) },
  { entry: 'evaluateFull', input: "ties: 'average'", expectedCode: 'INVALID_ARGUMENT', names: "'average'", call: () => evaluateFull(neumf(), TRAINABLE, { ties: 'average' }) },
  { entry: 'evaluateFull', input: 'batchUsers 0', expectedCode: 'INVALID_SIZE', names: 'got 0', call: () => evaluateFull(neumf(), TRAINABLE, { k: 2, batchUsers: 0 }) },
  {
    entry: 'evaluateFull',
    input: 'asked only users with no held-out item',
    expectedCode: 'EMPTY_INPUT',
    names: 'none of the 1 users',
    call: () => evaluateFull(neumf(), { ...TRAINABLE, users: Int32Array.of(0, 0, 0, 2, 2) }, { k: 2, users: Int32Array.of(1) }),
  },
  { entry: 'recommend', input: 'user negative', expectedCode: 'USER_OUT_OF_RANGE', names: 'user -1', call: () => recommend(neumf(), -1) },
  { entry: 'recommend', input: 'user fractional', expectedCode: 'USER_OUT_OF_RANGE', names: 'user 1.5', call: () => recommend(neumf(), 1.5) },
  { entry: 'recommend', input: 'user NaN', expectedCode: 'USER_OUT_OF_RANGE', names: 'user NaN', call: () => recommend(neumf(), NaN) },
  { entry: 'recommend', input: 'user out of range', expectedCode: 'USER_OUT_OF_RANGE', names: 'user 3', call: () => recommend(neumf(), 3) },
  { entry: 'recommend', input: 'user of the wrong type', expectedCode: 'USER_OUT_OF_RANGE', names: 'user "0"', call: () => recommend(neumf(), any('0')) },
  { entry: 'recommend', input: 'an external id instead of an index', expectedCode: 'USER_OUT_OF_RANGE', names: 'user "user-42" is not a user index', call: () => recommend(neumf(), any('user-42')) },
  { entry: 'recommend', input: 'K of 0', expectedCode: 'INVALID_K', names: 'got 0', call: () => recommend(neumf(), 0, { k: 0 }) },
  { entry: 'recommend', input: 'K negative', expectedCode: 'INVALID_K', names: '-2', call: () => recommend(neumf(), 0, { k: -2 }) },
  { entry: 'recommend', input: 'K fractional', expectedCode: 'INVALID_K', names: '0.5', call: () => recommend(neumf(), 0, { k: 0.5 }) },
  { entry: 'recommend', input: 'K above the item count', expectedCode: 'INVALID_K', names: 'k = 5', call: () => recommend(neumf(), 0, { k: 5 }) },
  { entry: 'recommend', input: 'an excluded item out of range', expectedCode: 'ITEM_OUT_OF_RANGE', names: 'exclude entry 1 = 4', call: () => recommend(neumf(), 0, { k: 1, exclude: [1, 4] }) },
  { entry: 'recommend', input: 'empty candidates', expectedCode: 'EMPTY_INPUT', names: 'candidates is empty', call: () => recommend(neumf(), 0, { k: 1, candidates: new Int32Array(0) }) },
  { entry: 'recommend', input: 'a candidate out of range', expectedCode: 'ITEM_OUT_OF_RANGE', names: 'candidates[0] = 8', call: () => recommend(neumf(), 0, { k: 1, candidates: Int32Array.of(8) }) },
  { entry: 'recommendAll', input: 'K above the item count', expectedCode: 'INVALID_K', names: 'k = 5', call: () => recommendAll(neumf(), { k: 5 }) },
  { entry: 'recommendAll', input: 'a user out of range', expectedCode: 'USER_OUT_OF_RANGE', names: 'users[1] = 3', call: () => recommendAll(neumf(), { k: 1, users: Int32Array.of(0, 3) }) },
  { entry: 'recommendAll', input: 'batchUsers 0', expectedCode: 'INVALID_SIZE', names: 'got 0', call: () => recommendAll(neumf(), { k: 1, batchUsers: 0 }) },
  { entry: 'recommendAll', input: 'signal not an AbortSignal', expectedCode: 'INVALID_ARGUMENT', names: 'signal must be an AbortSignal', call: () => recommendAll(neumf(), { k: 1, signal: any({}) }) },
  { entry: 'similarItems', input: 'item out of range', expectedCode: 'ITEM_OUT_OF_RANGE', names: 'item 4', call: () => similarItems(neumf(), 4) },
  { entry: 'similarItems', input: 'item fractional', expectedCode: 'ITEM_OUT_OF_RANGE', names: 'item 0.5', call: () => similarItems(neumf(), 0.5) },
  { entry: 'similarItems', input: 'K above the item count', expectedCode: 'INVALID_K', names: 'k = 9', call: () => similarItems(neumf(), 0, { k: 9 }) },
  { entry: 'similarItems', input: 'K equal to the item count', expectedCode: 'INVALID_K', names: 'k = 4 is larger than numItems - 1 = 3', call: () => similarItems(neumf(), 0, { k: 4 }) },
  { entry: 'similarItems', input: 'an external id instead of an index', expectedCode: 'ITEM_OUT_OF_RANGE', names: 'item "Heat" is not an item index', call: () => similarItems(neumf(), any('Heat')) },
  { entry: 'Recommender.fit', input: 'empty data', expectedCode: 'EMPTY_INPUT', names: 'rows has no interactions', call: () => Recommender.fit([], { epochs: 1, engine: 'tfjs' }) },
  { entry: 'Recommender.fit', input: 'unknown model kind', expectedCode: 'INVALID_ARGUMENT', names: '"svd"', call: () => Recommender.fit([{ user: 'a', item: 'x' }], { model: any('svd') }) },
  { entry: 'Recommender.fit', input: 'layers not shrinking', expectedCode: 'INVALID_LAYERS', names: 'layers[1] = 64', call: () => Recommender.fit([{ user: 'a', item: 'x' }, { user: 'a', item: 'y' }], { layers: [8, 64], epochs: 1 }) },
  { entry: 'Recommender.fit', input: 'a missing item id', expectedCode: 'INVALID_ID', names: 'row 0, column "item"', call: () => Recommender.fit([{ user: 'a' }], { epochs: 1 }) },
  {
    entry: 'Recommender.fit',
    input: 'rows with other key names',
    expectedCode: 'INVALID_ID',
    names: 'its fields are "userId", "movie"',
    call: () => Recommender.fit([{ userId: 'a', movie: 'x' }], { epochs: 1 }),
  },
  {
    entry: 'Recommender.fit',
    input: 'a user who has seen every item',
    expectedCode: 'NO_NEGATIVES',
    names: 'user "alice" (index 0)',
    call: () => Recommender.fit([{ user: 'alice', item: 'x' }, { user: 'alice', item: 'y' }, { user: 'bob', item: 'x' }], { epochs: 1, engine: 'tfjs' }),
  },
  {
    entry: 'Recommender.fit',
    input: 'learning rate NaN',
    expectedCode: 'NOT_FINITE',
    names: 'NaN',
    call: () => Recommender.fit([{ user: 'a', item: 'x' }, { user: 'b', item: 'y' }], { epochs: 1, learningRate: NaN, engine: 'tfjs' }),
  },
  { entry: 'Recommender', input: 'id maps not matching the model', expectedCode: 'SHAPE_MISMATCH', names: 'hold 1 users', call: () => new Recommender({ model: neumf(), users: IdMap.fromIds(['a']), items: IdMap.fromIds([1, 2, 3, 4]) }) },
  { entry: 'Recommender.recommend', input: 'K of 0', expectedCode: 'INVALID_K', names: 'got 0', call: () => rec().recommend('alice', { k: 0 }) },
  { entry: 'Recommender.recommend', input: 'K above the item count', expectedCode: 'INVALID_K', names: 'k = 9', call: () => rec().recommend('alice', { k: 9 }) },
  { entry: 'Recommender.recommend', input: "an unknown user with unknownUser: 'error'", expectedCode: 'UNKNOWN_USER', names: '"mallory"', call: () => rec().recommend('mallory', { k: 3, unknownUser: 'error' }) },
  { entry: 'Recommender.recommend', input: 'a user id of the wrong type', expectedCode: 'INVALID_ID', names: 'a Object', call: () => rec().recommend(any({}), { k: 3, unknownUser: 'error' }) },
  { entry: 'Recommender.similar', input: 'an unknown item', expectedCode: 'UNKNOWN_ITEM', names: '"Heat 2"', call: () => rec().similar('Heat 2') },
  { entry: 'Recommender.similar', input: 'K negative', expectedCode: 'INVALID_K', names: '-1', call: () => rec().similar('Heat', { k: -1 }) },
  { entry: 'Recommender.similar', input: 'K equal to the item count', expectedCode: 'INVALID_K', names: 'k = 8 is larger than numItems - 1 = 7', call: () => rec().similar('Heat', { k: 8 }) },
  { entry: 'Recommender.foldIn', input: 'a user who has seen every item', expectedCode: 'NO_NEGATIVES', names: 'user "newcomer"', call: () => rec().foldIn('newcomer', TRICKY_ITEMS) },
  { entry: 'Recommender.foldIn', input: 'no items', expectedCode: 'EMPTY_INPUT', names: '"newcomer"', call: () => rec().foldIn('newcomer', []) },
  { entry: 'Recommender.foldIn', input: 'an unknown item', expectedCode: 'UNKNOWN_ITEM', names: '"Nope"', call: () => rec().foldIn('newcomer', ['Nope']) },
  { entry: 'Recommender.foldIn', input: 'learning rate Infinity', expectedCode: 'NOT_FINITE', names: 'Infinity', call: () => rec().foldIn('newcomer', ['Heat'], { learningRate: Infinity }) },
  { entry: 'Recommender.foldIn', input: 'steps 0', expectedCode: 'INVALID_ARGUMENT', names: 'steps must be a positive integer, got 0', call: () => rec().foldIn('newcomer', ['Heat'], { steps: 0 }) },
  { entry: 'saveModel', input: 'a target of the wrong type', expectedCode: 'INVALID_ARGUMENT', names: 'a Object', call: () => saveModel(any({}), 'memory://x') },
  { entry: 'saveModel', input: 'an unknown URL scheme', expectedCode: 'INVALID_ARGUMENT', names: '"ftp://host/m"', call: () => saveModel(neumf(), 'ftp://host/m') },
  { entry: 'saveModel', input: 'indexeddb:// in Node', expectedCode: 'UNSUPPORTED_RUNTIME', names: 'indexeddb://', call: () => saveModel(neumf(), 'indexeddb://movies') },
  { entry: 'saveModel', input: 'an http:// URL (read-only)', expectedCode: 'INVALID_ARGUMENT', names: '"https://example.com/m"', call: () => saveModel(neumf(), 'https://example.com/m') },
  { entry: 'loadModel', input: "a URL naming the bundle's model.json", expectedCode: 'INVALID_ARGUMENT', names: 'pass the bundle\'s folder, "file://./models/x"', call: () => loadModel('file://./models/x/model.json') },
  { entry: 'loadModel', input: 'a URL of the wrong type', expectedCode: 'INVALID_ARGUMENT', names: '42', call: () => loadModel(any(42)) },
  { entry: 'loadModel', input: 'a missing directory', expectedCode: 'BUNDLE_NOT_FOUND', names: 'nowhere-recsys', call: () => loadModel(`file://${join(tmpdir(), 'nowhere-recsys')}`) },
  { entry: 'loadModel', input: 'a missing weights file', expectedCode: 'BUNDLE_NOT_FOUND', names: 'weights.bin', call: async () => loadModel(await damagedBundle((d) => unlink(join(d, 'weights.bin')))) },
  { entry: 'loadModel', input: 'a missing manifest', expectedCode: 'BUNDLE_NOT_FOUND', names: 'recsys.json', call: async () => loadModel(await damagedBundle((d) => unlink(join(d, 'recsys.json')))) },
  { entry: 'loadModel', input: 'a missing model.json', expectedCode: 'BUNDLE_NOT_FOUND', names: 'model.json', call: async () => loadModel(await damagedBundle((d) => unlink(join(d, 'model.json')))) },
  { entry: 'loadModel', input: 'truncated weights', expectedCode: 'BUNDLE_CORRUPT', names: '(truncated)', call: async () => loadModel(await damagedBundle((d) => truncate(join(d, 'weights.bin'), 100))) },
  {
    entry: 'loadModel',
    input: 'a flipped weight byte',
    expectedCode: 'BUNDLE_CORRUPT',
    names: 'CRC-32',
    call: async () =>
      loadModel(
        await damagedBundle(async (d) => {
          const bytes = await readFile(join(d, 'weights.bin'));
          bytes[10] ^= 0xff;
          await writeFile(join(d, 'weights.bin'), bytes);
        }),
      ),
  },
  { entry: 'loadModel', input: 'a newer format version', expectedCode: 'BUNDLE_VERSION', names: 'version 99', call: async () => loadModel(await damagedBundle((d) => editJson(join(d, 'recsys.json'), (j) => void (j.formatVersion = 99)))) },
  { entry: 'loadModel', input: 'a manifest that is not JSON', expectedCode: 'BUNDLE_CORRUPT', names: 'recsys.json', call: async () => loadModel(await damagedBundle((d) => writeFile(join(d, 'recsys.json'), '{"format": '))) },
  {
    entry: 'loadModel',
    input: 'a config not matching the weights',
    expectedCode: 'BUNDLE_MISMATCH',
    names: 'numItems=9',
    call: async () =>
      loadModel(
        await damagedBundle((d) =>
          editJson(join(d, 'recsys.json'), (j) => {
            (j.architecture as { numItems: number }).numItems = 9;
          }),
        ),
      ),
  },
);

// ---- running it -----------------------------------------------------------------------------

beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'recsys-bad-inputs-'));
  goodBundle = join(root, 'good');
  const r = trickyRecommender(2);
  await saveModel(r, `file://${goodBundle}`);
  r.dispose();
  // built before the rows run, so that the per-row tensor count sees only what a row leaks
  initialWeights = neumf().getWeights().map((w) => Array.from(w.dataSync()));
  rec();
});
let initialWeights: number[][] = [];

afterAll(async () => {
  for (const m of models) m.dispose();
  cachedRec?.dispose();
  await rm(root, { recursive: true, force: true });
  console.log(`bad-input matrix: ${rows.length} rows; codes seen (${codesSeen.size}): ${[...codesSeen].sort().join(', ')}`);
});

describe('every bad input gets a RecsysError with a stable code and a message naming the value', () => {
  it.each(rows)('$entry: $input -> $expectedCode', async ({ call, expectedCode, names }) => {
    const kept = models.length;
    const before = tf.memory().numTensors;
    const error = await thrown(call);
    checkRecsysError(error, expectedCode, names);
    // a call that fails leaves no tensor behind (rows that build models on purpose aside)
    if (models.length === kept) expect(tf.memory().numTensors).toBe(before);
  });

  it('a user who has seen every item is no error for serving: recommend returns fewer than K (documented), here none', () => {
    expect(recommend(neumf(), 2, { k: 3, exclude: DATA })).toEqual([]);
    expect(recommend(neumf(), 0, { k: 3, exclude: DATA }).map((r) => r.item)).toEqual(expect.arrayContaining([2, 3]));
  });

  it('no failing call changed the shared model (train, evaluate and serve reject before any step)', () => {
    expect(neumf().getWeights().map((w) => Array.from(w.dataSync()))).toEqual(initialWeights);
  });

  it('has at least 100 rows, covering every public entry point', () => {
    expect(rows.length).toBeGreaterThanOrEqual(100);
    const entries = new Set(rows.map((r) => r.entry.split('.')[0]));
    for (const name of [
      'GMF', 'MLP', 'NeuMF', 'Embedding', 'pretrainedNeuMF', 'NegativeSampler', 'hitRate', 'ndcg', 'mrr', 'precision', 'recall',
      'averagePrecision', 'auc', 'readNcf', 'readMovieLens', 'readCsv', 'leaveOneOut', 'holdout', 'temporalSplit', 'train',
      'evaluateSampled', 'evaluateFull', 'recommend', 'similarItems', 'Recommender', 'saveModel', 'loadModel',
    ]) {
      expect(entries.has(name), name).toBe(true);
    }
  });
});
