// The NCF models (GMF, MLP, NeuMF without and with pretraining) as rows of the baselines table
// (bench/baselines.ts), selected the way that table selects every method: per seed, a hold-out run
// on train minus the validation positives, evaluated on validation by `train` itself before the
// first epoch and after every epoch, picks the number of epochs (the first with the best
// validation HR@10; 0, the starting weights, is a candidate as `train` makes it, and would leave
// the refit untrained); the model is then trained again
// from the same seed on the whole train file for that many epochs, and only that refit meets the
// test set (sampled, and full ranking). Training as in the NCF paper and bench/reproduce-ml1m.ts:
// log loss, 4 negatives per positive, batch 256, Adam, MLP tower [8F, 4F, 2F, F], at most 20 epochs,
// the fused engine.
//
// NeuMF with pretraining (selectAndRefitPretrained) chooses everything on validation too: the
// GMF and MLP hold-out runs their epochs (their validation-best weights are kept), the combination's
// alpha among `alphas` (pretrainedNeuMF of the two hold-out models, evaluated on validation before
// any training), and the epochs of its own training (SGD at `preLearningRate`, as the paper; 0
// epochs, the combination itself, is a candidate). The refit repeats each step on the whole train
// file with those choices: GMF and MLP for their epochs, combined with that alpha, trained for
// that many epochs.
import type * as tf from '@tensorflow/tfjs';
import { fitMF } from '../src/baselines/index.js';
import type { Interactions } from '../src/data/index.js';
import { evaluateSampled } from '../src/evaluation/index.js';
import { GMF, MLP, NeuMF, pretrainedNeuMF } from '../src/models/index.js';
import { deriveSeed } from '../src/sampling/index.js';
import { createScorer } from '../src/scoring/index.js';
import { train, type TrainHistory, type TrainOptions, type ValidationLists } from '../src/training/index.js';
import { gmfForMF, RENDLE_MF, setGmfToMF } from './ml1m/gmf-mf.js';

export type NcfKind = 'gmf' | 'mlp' | 'neumf';

export const NCF_LABEL: Record<NcfKind | 'neumf-pre', string> = { gmf: 'GMF', mlp: 'MLP', neumf: 'NeuMF (no pretraining)', 'neumf-pre': 'NeuMF-pre' };

export interface NcfSettings {
  epochs: number;
  learningRate: number;
  /**
   * Stop a hold-out run once this many validation points in a row have not beaten its first best
   * (`train`'s `earlyStopping.patience`); the refit still trains the chosen count. Default: all
   * `epochs`.
   */
  patience?: number;
  /**
   * The fused engine's worker threads for every `train` run (`train`'s `threads`; Hogwild, so not
   * bit-for-bit repeatable); the MF-recipe GMF (fitMF) has one. Default: 1, deterministic.
   */
  threads?: number;
}

/** What every selection runs on: the hold-out run's data, the refit's, the validation set and a logger. */
export interface NcfData {
  /** Train minus the validation positives (the hold-out runs). */
  fit: Interactions;
  /** The whole train file (the refits). */
  train: Interactions;
  /** Each user's held-out positive and the items it is ranked against. */
  validation: ValidationLists;
  log: (...parts: unknown[]) => void;
}

/** NeuMF-pre's own choices: the alphas tried, and its SGD learning rate; how its GMF part trains. */
export interface PretrainSettings {
  alphas: number[];
  preLearningRate: number;
  /**
   * Train the GMF part as Rendle et al.'s dot-product MF (bench/ml1m/gmf-mf.ts) instead of by
   * Adam: at most `maxEpochs` epochs, validation every `every` epochs (and at the last).
   */
  gmfByMF?: { maxEpochs: number; every: number };
  /**
   * Stop NeuMF-pre's own SGD hold-out run after this many epochs without a better validation point
   * (the combination before any training is the first point). Default: all epochs.
   */
  sgdPatience?: number;
}

export interface NcfSelected {
  /** Epochs the hold-out run chose (1-based count: train this many on the whole file). */
  epochs: number;
  val: { hr: number; ndcg: number };
  /**
   * Validation HR@10 / NDCG@10 of the hold-out run's starting weights (epoch -1) and after each of
   * its epochs, and its training seconds so far.
   */
  curve: { epoch: number; hr: number; ndcg: number; seconds: number }[];
  /** The refit on the whole train file (the caller evaluates and disposes it). */
  model: tf.LayersModel;
  refitSeconds: number;
  /** With `keepHoldout`: the hold-out run's model at its chosen epoch (the caller disposes it). */
  holdout?: tf.LayersModel;
}

function build(kind: NcfKind, factors: number, numUsers: number, numItems: number, seed: number): tf.LayersModel {
  const layers = [8 * factors, 4 * factors, 2 * factors, factors];
  if (kind === 'gmf') return GMF({ numUsers, numItems, factors, seed });
  if (kind === 'mlp') return MLP({ numUsers, numItems, layers, seed });
  return NeuMF({ numUsers, numItems, factors, layers, seed });
}

interface FitExtras {
  optimizer?: 'adam' | 'sgd';
  /** A hold-out run's selection: `train`'s own validation, early stopping and epoch callback. */
  selection?: Pick<TrainOptions, 'validation' | 'earlyStopping' | 'onEpochEnd'>;
}

/** Trains `model` for `epochs` (none when 0); its training seconds and, when it trained, `train`'s history. */
async function fit(
  model: tf.LayersModel,
  data: Interactions,
  epochs: number,
  settings: NcfSettings,
  seed: number,
  factors: number,
  { optimizer = 'adam', selection }: FitExtras = {},
): Promise<{ seconds: number; history?: TrainHistory }> {
  if (epochs === 0) return { seconds: 0 };
  const history = await train(model, data, {
    epochs,
    batchSize: 256,
    negatives: 4,
    learningRate: settings.learningRate,
    optimizer,
    loss: 'bce',
    seed: deriveSeed(seed, 0x5eed + factors),
    threads: settings.threads ?? 1,
    ...selection,
  });
  return { seconds: history.epochs.reduce((a, e) => a + e.seconds, 0), history };
}

/**
 * One seed of one NCF model: the hold-out run on `data.fit` chooses the epochs on `data.validation`,
 * then the refit on `data.train`. With `keepHoldout` the hold-out model is returned too, holding the
 * weights of its chosen epoch.
 */
export async function selectAndRefit(kind: NcfKind, factors: number, seed: number, data: NcfData, settings: NcfSettings, keepHoldout = false): Promise<NcfSelected> {
  const probe = build(kind, factors, data.fit.numUsers, data.fit.numItems, seed);
  let kept = false;
  try {
    const { curve, best } = await holdOut(probe, NCF_LABEL[kind], data, settings, seed, factors, keepHoldout, 'adam');
    const epochs = best.epoch + 1;
    const model = build(kind, factors, data.train.numUsers, data.train.numItems, seed);
    let refitSeconds: number;
    try {
      refitSeconds = (await fit(model, data.train, epochs, settings, seed, factors)).seconds;
    } catch (e) {
      model.dispose();
      throw e;
    }
    kept = keepHoldout;
    return { epochs, val: { hr: best.hr, ndcg: best.ndcg }, curve, model, refitSeconds, ...(keepHoldout ? { holdout: probe } : {}) };
  } finally {
    if (!kept) probe.dispose();
  }
}

/**
 * Trains `probe` on `data.fit` for `settings.epochs` with `train`'s own validation on
 * `data.validation` (HR@10 after every epoch; the starting weights first, as epoch -1, a candidate
 * like any other) and, with `settings.patience`, its early stopping; returns the curve and its first
 * best point. With `keep` the probe ends holding the weights of that point (`restoreBest`).
 */
async function holdOut(
  probe: tf.LayersModel,
  label: string,
  data: NcfData,
  settings: NcfSettings,
  seed: number,
  factors: number,
  keep: boolean,
  optimizer: 'adam' | 'sgd',
): Promise<{ curve: NcfSelected['curve']; best: NcfSelected['curve'][number] }> {
  const line = (p: NcfSelected['curve'][number]) =>
    data.log(label, `f${factors} s${seed} epoch ${p.epoch} val HR ${p.hr.toFixed(4)} NDCG ${p.ndcg.toFixed(4)} | train ${p.seconds.toFixed(0)} s`);
  const trained: NcfSelected['curve'] = [];
  let seconds = 0;
  const stopping = settings.patience !== undefined || keep;
  const { history } = await fit(probe, data.fit, settings.epochs, settings, seed, factors, {
    optimizer,
    selection: {
      validation: { data: data.validation, metric: 'hr', k: 10 },
      // restoreBest comes with earlyStopping: without a patience of its own, the run gets one it
      // cannot spend before its last epoch (train never stops after the last one anyway)
      ...(stopping ? { earlyStopping: { patience: settings.patience ?? settings.epochs, restoreBest: keep } } : {}),
      onEpochEnd: (epoch, logs) => {
        seconds += logs.seconds;
        const point = { epoch, hr: logs.validation!.hr, ndcg: logs.validation!.ndcg, seconds };
        trained.push(point);
        line(point);
      },
    },
  });
  const start = history!.initialValidation!;
  const initial = { epoch: -1, hr: start.hr, ndcg: start.ndcg, seconds: 0 };
  line(initial);
  if (history!.stoppedEarly) data.log(label, `f${factors} s${seed} stops: ${settings.patience} epochs without a better validation point`);
  const curve = [initial, ...trained];
  return { curve, best: curve.reduce((a, p) => (p.hr > a.hr ? p : a)) };
}

/**
 * One seed of the GMF part trained by the MF recipe (`PretrainSettings.gmfByMF`): the MF hold-out
 * run on `data.fit` is evaluated on `data.validation` every `every` epochs and chooses the epoch
 * count (the first best point); the refit trains the MF from the same seed on `data.train` for
 * that many epochs. Both come back as GMF models holding the MF exactly (the hold-out one at its
 * chosen point), as {@link selectAndRefit} with `keepHoldout` returns them. The curve's epochs
 * are 0-based as the Adam runs' (point e is after e + 1 epochs).
 */
export function selectAndRefitGmfByMF(factors: number, seed: number, data: NcfData, by: { maxEpochs: number; every: number }): NcfSelected {
  const label = `${NCF_LABEL.gmf} (MF recipe)`;
  const mfSeed = deriveSeed(seed, 0x3f00 + factors);
  const holdout = gmfForMF(data.fit.numUsers, data.fit.numItems, factors);
  const curve: NcfSelected['curve'] = [];
  let seconds = 0;
  let since = performance.now();
  try {
    fitMF(data.fit, {
      ...RENDLE_MF, factors: factors - 2, epochs: by.maxEpochs, seed: mfSeed,
      onEpoch: (epoch, _loss, current) => {
        if (epoch % by.every !== 0 && epoch !== by.maxEpochs) return;
        seconds += (performance.now() - since) / 1000;
        const v = evaluateSampled(current, data.validation, { k: 10 });
        if (curve.every((p) => v.hr > p.hr)) {
          setGmfToMF(holdout, current, factors);
        }
        curve.push({ epoch: epoch - 1, hr: v.hr, ndcg: v.ndcg, seconds });
        data.log(label, `f${factors} s${seed} epoch ${epoch} val HR ${v.hr.toFixed(4)} NDCG ${v.ndcg.toFixed(4)} | train ${seconds.toFixed(0)} s`);
        since = performance.now();
      },
    }).dispose();
    const best = curve.reduce((a, p) => (p.hr > a.hr ? p : a));
    const epochs = best.epoch + 1;
    const mf = fitMF(data.train, { ...RENDLE_MF, factors: factors - 2, epochs, seed: mfSeed });
    try {
      const model = gmfForMF(data.train.numUsers, data.train.numItems, factors);
      setGmfToMF(model, mf, factors);
      return { epochs, val: { hr: best.hr, ndcg: best.ndcg }, curve, model, refitSeconds: mf.fitSeconds, holdout };
    } finally {
      mf.dispose();
    }
  } catch (e) {
    holdout.dispose();
    throw e;
  }
}

/** `s` without its hold-out model (disposed by whoever kept it). */
function withoutHoldout(s: NcfSelected): NcfSelected {
  const { holdout: _, ...rest } = s;
  return rest;
}

/** NeuMF-pre's choices on validation and its refit (see the header). */
export interface PretrainedSelected extends NcfSelected {
  alpha: number;
  /** Validation HR@10 of the combination (no training of its own) at each alpha tried. */
  alphaCurve: { alpha: number; hr: number; ndcg: number }[];
  /** Training seconds of every hold-out run (GMF, MLP and NeuMF-pre's own). */
  tuneSeconds: number;
  /**
   * The GMF and MLP selections NeuMF-pre starts from, each exactly what {@link selectAndRefit}
   * returns for that model and seed (their `model` is the refit; the caller evaluates and disposes it).
   */
  parts: { gmf: NcfSelected; mlp: NcfSelected };
}

/**
 * One seed of NeuMF with pretraining: GMF and MLP chosen and refitted as {@link selectAndRefit}
 * does, alpha and NeuMF-pre's own epochs chosen on validation from the hold-out models, then the
 * same steps on the whole train file.
 */
export async function selectAndRefitPretrained(factors: number, seed: number, data: NcfData, settings: NcfSettings, pre: PretrainSettings): Promise<PretrainedSelected> {
  const gmf = pre.gmfByMF ? selectAndRefitGmfByMF(factors, seed, data, pre.gmfByMF) : await selectAndRefit('gmf', factors, seed, data, settings, true);
  let mlp: NcfSelected | null = null;
  let done = false;
  try {
    mlp = await selectAndRefit('mlp', factors, seed, data, settings, true);
    const result = await combineAndRefit(factors, seed, data, settings, pre, gmf, mlp);
    done = true;
    return result;
  } finally {
    gmf.holdout?.dispose();
    mlp?.holdout?.dispose();
    // on a throw the refits go too (on success they are the caller's)
    if (!done) {
      gmf.model.dispose();
      mlp?.model.dispose();
    }
  }
}

/** NeuMF-pre's own choices on validation (alpha, its epochs) from the two hold-out models, and its refit. */
async function combineAndRefit(factors: number, seed: number, data: NcfData, settings: NcfSettings, pre: PretrainSettings, gmf: NcfSelected, mlp: NcfSelected): Promise<PretrainedSelected> {
  const preSettings = { epochs: settings.epochs, learningRate: pre.preLearningRate, ...(pre.sgdPatience !== undefined ? { patience: pre.sgdPatience } : {}) };
  const alphaCurve = pre.alphas.map((alpha) => {
    const combined = pretrainedNeuMF(gmf.holdout!, mlp.holdout!, { alpha });
    const v = evaluateSampled(createScorer(combined), data.validation, { k: 10 });
    combined.dispose();
    data.log(NCF_LABEL['neumf-pre'], `f${factors} s${seed} alpha ${alpha} val HR ${v.hr.toFixed(4)} NDCG ${v.ndcg.toFixed(4)}`);
    return { alpha, hr: v.hr, ndcg: v.ndcg };
  });
  const alpha = alphaCurve.reduce((a, p) => (p.hr > a.hr ? p : a)).alpha;
  const probe = pretrainedNeuMF(gmf.holdout!, mlp.holdout!, { alpha });
  let selected: Awaited<ReturnType<typeof holdOut>>;
  try {
    selected = await holdOut(probe, NCF_LABEL['neumf-pre'], data, preSettings, seed, factors, false, 'sgd');
  } finally {
    probe.dispose();
  }
  const epochs = selected.best.epoch + 1;
  const model = pretrainedNeuMF(gmf.model, mlp.model, { alpha });
  let refitSeconds: number;
  try {
    refitSeconds = gmf.refitSeconds + mlp.refitSeconds + (await fit(model, data.train, epochs, preSettings, seed, factors, { optimizer: 'sgd' })).seconds;
  } catch (e) {
    model.dispose();
    throw e;
  }
  return {
    epochs,
    val: { hr: selected.best.hr, ndcg: selected.best.ndcg },
    curve: selected.curve,
    model,
    refitSeconds,
    alpha,
    alphaCurve,
    tuneSeconds: [gmf.curve, mlp.curve, selected.curve].reduce((a, c) => a + c[c.length - 1].seconds, 0),
    parts: { gmf: withoutHoldout(gmf), mlp: withoutHoldout(mlp) },
  };
}
