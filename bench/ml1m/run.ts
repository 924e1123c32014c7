// One run of the protocol with the library: build the model (NeuMF-pre from the cached GMF and MLP
// checkpoints), evaluate before training and after every epoch of train(), keep the checkpoints a
// later NeuMF-pre run starts from.
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GMF, MLP, NeuMF, pretrainedNeuMF } from '../../src/models/index.js';
import { train } from '../../src/training/index.js';
import { deriveSeed } from '../../src/_lib/random.js';
import type { Args } from './args.js';
import { loadWeights, saveWeights } from './checkpoints.js';
import { validationNegatives, type Prepared } from './data.js';
import { evaluatePoint } from './evaluate.js';
import { gmfForMF, trainGmfByMF } from './gmf-mf.js';
import { round, startRun, type Current, type Writer } from './record.js';
import { paperFigure, type EpochPoint, type ModelName, type Optimizer, type RunRecord } from './types.js';

export interface RunSpec {
  model: ModelName;
  optimizer: Optimizer;
  factor: number;
  seed: number;
}

/** What differs from the protocol (learning rate, batch, negatives), '' when nothing does. */
export function settingsTag(args: Args, model?: ModelName): string {
  const parts: string[] = [];
  const pre = model === undefined || model === 'neumf-pre';
  if (args.learningRate !== 0.001) parts.push(`lr${args.learningRate}`);
  if (args.batchSize !== 256) parts.push(`b${args.batchSize}`);
  if (args.negatives !== 4) parts.push(`neg${args.negatives}`);
  // pretraining settings only name the runs they change
  if (pre && args.alpha !== 0.5) parts.push(`alpha${args.alpha}`);
  if (pre && args.pretrainCheckpoint !== 'val') parts.push(`pre-${args.pretrainCheckpoint}`);
  if (pre && args.preLearningRate !== null) parts.push(`prelr${args.preLearningRate}`);
  if (args.mlpL2 !== 0 && model !== 'gmf') parts.push(`mlpl2${args.mlpL2}`);
  if (args.gmfRecipe === 'mf' && model !== 'mlp' && model !== 'neumf') parts.push('gmfmf');
  // the protocol runs use 2 threads; the fused engine is Hogwild there, exact on one thread
  if (args.threads !== 2 && args.holdout) parts.push(`t${args.threads}`);
  return parts.join('-');
}

export function runId(s: RunSpec, args: Args): string {
  const variant = s.model === 'neumf-pre' ? `neumf-pre-${s.optimizer}` : s.model;
  const tag = settingsTag(args, s.model);
  return `${variant}-f${s.factor}-s${s.seed}${args.holdout ? '' : '-full'}${tag ? `-${tag}` : ''}`;
}

export function layersOf(factor: number): number[] {
  return [8 * factor, 4 * factor, 2 * factor, factor];
}

/** `--mlp-l2` as the builders' per-layer L2: the Dense kernels only (the fused engine trains those). */
function mlpKernelL2(args: Args, factor: number): number[] {
  return layersOf(factor).map((_, i) => (i === 0 ? 0 : args.mlpL2));
}

/** Where the checkpoints of this data size live. */
export function checkpointDir(args: Args): string {
  return join(args.weightsDir, args.limitUsers === null ? 'full' : `limit${args.limitUsers}`);
}

/** The file (without .bin/.json) of a GMF/MLP checkpoint NeuMF-pre starts from, and its epoch. */
function checkpointFile(base: string, id: string, spec: RunSpec, args: Args, model: 'gmf' | 'mlp'): { path: string; epoch: number } | null {
  const epochIn = (path: string): number | null =>
    existsSync(`${path}.json`) ? ((JSON.parse(readFileSync(`${path}.json`, 'utf8')) as { epoch?: number }).epoch ?? -99) : null;
  if (args.pretrainCheckpoint !== 'holdout-val') {
    const path = join(base, `${id}-${args.pretrainCheckpoint}`);
    const epoch = epochIn(path);
    return epoch === null ? null : { path, epoch };
  }
  // the epoch the hold-out run of the same model chose by validation, in this whole-file run
  const holdoutId = runId({ ...spec, model, optimizer: 'adam' }, { ...args, holdout: true, pretrainCheckpoint: 'val', alpha: 0.5, preLearningRate: null });
  const chosen = epochIn(join(base, `${holdoutId}-val`));
  if (chosen === null) return null;
  const path = join(base, `${id}-e${chosen}`);
  return epochIn(path) === null ? null : { path, epoch: chosen };
}

/** The protocol's GMF and MLP of this factor and seed, loaded from the cached checkpoints; null when missing. */
export function pretrainedParts(
  spec: RunSpec,
  args: Args,
  p: Prepared,
  id: string,
): { gmf: tf.LayersModel; mlp: tf.LayersModel; pretrainedFrom: NonNullable<RunRecord['pretrainedFrom']> } | null {
  const { numUsers, numItems } = p.ncf;
  // the GMF and MLP runs of the protocol (their ids carry no checkpoint, alpha or NeuMF-pre learning-rate tag)
  const protocol = { ...args, alpha: 0.5, pretrainCheckpoint: 'val' as const, preLearningRate: null };
  const gmfId = runId({ ...spec, model: 'gmf', optimizer: 'adam' }, protocol);
  const mlpId = runId({ ...spec, model: 'mlp', optimizer: 'adam' }, protocol);
  const base = checkpointDir(args);
  const gf = checkpointFile(base, gmfId, spec, args, 'gmf');
  const mf = checkpointFile(base, mlpId, spec, args, 'mlp');
  const gw = gf && loadWeights(gf.path);
  const mw = mf && loadWeights(mf.path);
  if (!gf || !mf || !gw || !mw) {
    console.log(`skip ${id}: no ${args.pretrainCheckpoint} checkpoint of ${gmfId} and ${mlpId} in ${base} (run gmf and mlp first)`);
    return null;
  }
  const gmf = GMF({ numUsers, numItems, factors: spec.factor });
  const mlp = MLP({ numUsers, numItems, layers: layersOf(spec.factor) });
  gmf.setWeights(gw);
  mlp.setWeights(mw);
  tf.dispose([...gw, ...mw]);
  return { gmf, mlp, pretrainedFrom: { gmf: gmfId, mlp: mlpId, checkpoint: args.pretrainCheckpoint, gmfEpoch: gf.epoch, mlpEpoch: mf.epoch } };
}

/** NeuMF-pre from the cached checkpoints of the protocol's GMF and MLP runs; null when they are missing. */
function pretrainedModel(spec: RunSpec, args: Args, p: Prepared, id: string): { model: tf.LayersModel; pretrainedFrom: RunRecord['pretrainedFrom'] } | null {
  const parts = pretrainedParts(spec, args, p, id);
  if (parts === null) return null;
  const model = pretrainedNeuMF(parts.gmf, parts.mlp, { alpha: args.alpha, l2Mlp: mlpKernelL2(args, spec.factor) });
  parts.gmf.dispose();
  parts.mlp.dispose();
  return { model, pretrainedFrom: parts.pretrainedFrom };
}

/** The run's model, seeded from (seed, factor, model); null when NeuMF-pre has no checkpoints. */
function createModel(spec: RunSpec, args: Args, p: Prepared, id: string): { model: tf.LayersModel; pretrainedFrom?: RunRecord['pretrainedFrom'] } | null {
  const { numUsers, numItems } = p.ncf;
  const seed = deriveSeed(spec.seed, spec.factor * 16 + ['gmf', 'mlp', 'neumf', 'neumf-pre'].indexOf(spec.model));
  if (spec.model === 'gmf') return { model: args.gmfRecipe === 'mf' ? gmfForMF(numUsers, numItems, spec.factor) : GMF({ numUsers, numItems, factors: spec.factor, seed }) };
  const l2 = mlpKernelL2(args, spec.factor);
  if (spec.model === 'mlp') return { model: MLP({ numUsers, numItems, layers: layersOf(spec.factor), l2, seed }) };
  if (spec.model === 'neumf') return { model: NeuMF({ numUsers, numItems, factors: spec.factor, layers: layersOf(spec.factor), l2Mlp: l2, seed }) };
  return pretrainedModel(spec, args, p, id);
}

/** Checkpoints kept for pretraining: weights of the validation-best and test-best epochs of a GMF/MLP run. */
class Keeper {
  private bestVal = -1;
  private bestTest = -1;
  private valWeights: tf.Tensor[] | null = null;
  private testWeights: tf.Tensor[] | null = null;
  private valEpoch = -1;
  private testEpoch = -1;

  /** @param every - where to save the weights of every epoch as `<id>-e<epoch>` (null: only val/test/last) */
  constructor(
    private readonly model: tf.LayersModel,
    private readonly every: { base: string; id: string } | null = null,
  ) {}

  see(point: EpochPoint): void {
    if (this.every) saveWeights(join(this.every.base, `${this.every.id}-e${point.epoch}`), this.model, point.epoch);
    if (point.val && point.val.hr > this.bestVal) {
      this.bestVal = point.val.hr;
      this.valEpoch = point.epoch;
      if (this.valWeights) tf.dispose(this.valWeights);
      this.valWeights = this.model.getWeights().map((w) => tf.clone(w));
    }
    if (point.test.hr > this.bestTest) {
      this.bestTest = point.test.hr;
      this.testEpoch = point.epoch;
      if (this.testWeights) tf.dispose(this.testWeights);
      this.testWeights = this.model.getWeights().map((w) => tf.clone(w));
    }
  }

  /** Saves the last, validation-best and test-best weights as `<id>-last|val|test`, and frees the copies. */
  save(base: string, id: string, lastEpoch: number): void {
    saveWeights(join(base, `${id}-last`), this.model, lastEpoch);
    if (this.valWeights) saveWeights(join(base, `${id}-val`), this.valWeights, this.valEpoch);
    if (this.testWeights) saveWeights(join(base, `${id}-test`), this.testWeights, this.testEpoch);
    tf.dispose([...(this.valWeights ?? []), ...(this.testWeights ?? [])]);
  }
}

function newRun(spec: RunSpec, args: Args, id: string, pretrainedFrom: RunRecord['pretrainedFrom']): RunRecord {
  const tag = settingsTag(args, spec.model);
  return {
    id,
    model: spec.model,
    variant: spec.model === 'neumf-pre' ? `neumf-pre-${spec.optimizer}` : spec.model,
    optimizer: spec.optimizer,
    factor: spec.factor,
    ...(spec.model === 'gmf' ? {} : { layers: layersOf(spec.factor) }),
    seed: spec.seed,
    status: 'running',
    epochsPlanned: args.epochs,
    ...(tag ? { tag } : {}),
    holdout: args.holdout,
    ...(pretrainedFrom ? { pretrainedFrom } : {}),
    startedAt: new Date().toISOString(),
    trainSeconds: 0,
    evalSeconds: 0,
    wallSeconds: 0,
    curve: [],
  };
}

function logPoint(id: string, point: EpochPoint): void {
  const v = point.val ? ` val HR ${point.val.hr.toFixed(4)}` : '';
  const rate = point.instancesPerSecond !== undefined ? `, ${Math.round(point.instancesPerSecond)}/s` : '';
  const s = point.seconds !== undefined ? ` [${point.seconds.toFixed(1)} s${rate}, loss ${point.loss?.toFixed(4)}]` : '';
  console.log(`${id} epoch ${point.epoch}: test HR ${point.test.hr.toFixed(4)} NDCG ${point.test.ndcg.toFixed(4)} (optimistic ${point.testOptimistic.hr.toFixed(4)})${v}${s} eval ${point.evalSeconds}s`);
}

/** Trains and evaluates one model of the protocol, recording its curve in the result file. */
export async function runOne(spec: RunSpec, args: Args, p: Prepared, writer: Writer, current: Current): Promise<void> {
  const id = runId(spec, args);
  const valNegatives = args.holdout ? validationNegatives(p, spec.seed, 99) : null;
  const built = createModel(spec, args, p, id);
  if (built === null) return;
  const { model, pretrainedFrom } = built;
  const run = newRun(spec, args, id, pretrainedFrom);
  const every = args.keepEveryEpoch ? { base: checkpointDir(args), id } : null;
  const keeper = spec.model === 'gmf' || spec.model === 'mlp' ? new Keeper(model, every) : null;
  const runWriter = startRun(writer, current, run, (point) => logPoint(id, point), (point) => keeper?.see(point));

  if (spec.model === 'gmf' && args.gmfRecipe === 'mf') {
    // no epoch -1: the MF's initial parameters are not a GMF before fitMF starts
    trainGmfByMF(model, p.fit, spec.factor, spec.seed, args, () => evaluatePoint(model, p, valNegatives), (point) => {
      run.trainSeconds = round(run.trainSeconds + (point.seconds ?? 0), 2);
      runWriter.record(point);
    });
    run.engine = 'fitMF';
    runWriter.finish();
    finishOne(spec, args, id, run, model, keeper);
    return;
  }
  runWriter.record({ epoch: -1, ...evaluatePoint(model, p, valNegatives) });
  const history = await train(model, p.fit, {
    epochs: args.epochs,
    batchSize: args.batchSize,
    negatives: args.negatives,
    learningRate: spec.model === 'neumf-pre' && args.preLearningRate !== null ? args.preLearningRate : args.learningRate,
    optimizer: spec.optimizer,
    loss: 'bce',
    seed: deriveSeed(spec.seed, 0x5eed + spec.factor),
    engine: args.engine,
    threads: args.threads,
    onEpochEnd: (epoch, logs) => {
      run.trainSeconds = round(run.trainSeconds + logs.seconds, 2);
      runWriter.record({
        epoch,
        loss: round(logs.loss, 5),
        seconds: round(logs.seconds, 2),
        instancesPerSecond: Math.round(logs.instancesPerSecond),
        ...evaluatePoint(model, p, valNegatives),
      });
    },
  });
  run.engine = history.engine;
  run.engineReason = history.engineReason;
  runWriter.finish();
  finishOne(spec, args, id, run, model, keeper);
}

/** Saves a finished run's checkpoints, frees its model and logs its selections. */
function finishOne(spec: RunSpec, args: Args, id: string, run: RunRecord, model: tf.LayersModel, keeper: Keeper | null): void {
  keeper?.save(checkpointDir(args), id, run.curve[run.curve.length - 1].epoch);
  model.dispose();
  const sel = run.selection;
  const paper = paperFigure(run.variant, run.factor);
  console.log(
    `${id} done in ${run.wallSeconds}s: test-selected HR ${sel?.byTest.hr} NDCG ${sel?.byTest.ndcg} (epoch ${sel?.byTest.epoch}); ` +
      `val-selected HR ${sel?.byVal?.hr} NDCG ${sel?.byVal?.ndcg} (epoch ${sel?.byVal?.epoch})` +
      (paper ? `; paper ${paper.hr} / ${paper.ndcg}` : ''),
  );
}
