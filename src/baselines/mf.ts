// Dot-product matrix factorisation trained as in Rendle, Krichene, Zhang, Anderson, "Neural
// Collaborative Filtering vs. Matrix Factorization Revisited" (RecSys 2020): logistic loss on each
// positive and sampled negatives, L2, a global bias and per-user and per-item biases, plain SGD one
// example at a time. A small typed-array trainer of its own (not the fused engine, which trains
// tfjs models) so that the baselines entry stays tfjs-free; negatives come from the library's
// seeded NegativeSampler (uniform over the items the user has no training positive for).
import type { Interactions } from '../data/interactions.js';
import { assertFinite, assertInRange, assertInteger } from '../_lib/validate.js';
import { deriveSeed, mulberry32, randomInt } from '../_lib/random.js';
import { NegativeSampler } from '../sampling/negative-sampler.js';
import { userItemCsr } from './csr.js';
import { FactorScorer, type FactorBaselineScorer } from './factors.js';
import { partArray } from './part-array.js';
import { booleanOption, checkKnownOptions, checkOptionsObject, secondsSince } from './scorer.js';
import { RecsysError } from '../errors.js';

/** Options of {@link fitMF}. Defaults are Rendle et al.'s ML-1M settings except `epochs` and `learningRate`. */
export interface MFOptions {
  /** Embedding dimension, a positive integer. Default 64 (Rendle et al. go up to 192). */
  factors?: number;
  /** Passes over the training positives, a positive integer. Default 20 (Rendle et al.: 256 at learning rate 0.002). */
  epochs?: number;
  /** SGD step size, > 0. Default 0.01. */
  learningRate?: number;
  /** L2 regularisation of embeddings and biases, applied on each example's rows, >= 0. Default 0.005. */
  regularization?: number;
  /** Sampled negatives per positive (label 0), a positive integer. Default 8. */
  negatives?: number;
  /** Standard deviation of the normal initial embeddings, >= 0. Default 0.1. */
  stddev?: number;
  /**
   * Order of an epoch's examples. `false` (the default): positives in a shuffled order, each
   * followed by its `negatives` (the library's NegativeSampler order, so the same user's row is
   * updated `1 + negatives` times in a row). `true`: the whole epoch's examples, positives and
   * negatives, shuffled together (Rendle et al.'s `mf_simple.py`); holds the epoch in memory
   * (9 bytes per example).
   */
  shuffleExamples?: boolean;
  /** Seed of the initial embeddings and the negatives' sampling and order. Default 0. */
  seed?: number;
  /**
   * Called after each epoch with its number (1-based), the mean logistic loss over its examples,
   * and a Scorer of the parameters as they are now (valid during the call only: training goes on
   * changing them), e.g. to evaluate on a validation set and pick the epoch.
   */
  onEpoch?: (epoch: number, loss: number, current: MFScorer) => void;
}

/** The scorer {@link fitMF} returns: `score(u, i) = b + b_u + b_i + p_u . q_i` (a logit). */
export interface MFScorer extends FactorBaselineScorer {
  /** Always `'mf'`. */
  readonly kind: 'mf';
  /** The options used, defaults filled in (without `onEpoch`). */
  readonly options: Required<Omit<MFOptions, 'onEpoch'>>;
  /** Mean logistic loss of each epoch (entry `e - 1` for epoch `e`). */
  readonly loss: Float64Array;
  /** The global bias `b`. */
  readonly globalBias: number;
  /** The user biases `b_u`, one per user. */
  readonly userBias: Float64Array;
  /** The item biases `b_i`, one per item. */
  readonly itemBias: Float64Array;
}

class MF extends FactorScorer implements MFScorer {
  readonly kind = 'mf' as const;
  constructor(
    numUsers: number,
    numItems: number,
    readonly options: Required<Omit<MFOptions, 'onEpoch'>>,
    userFactors: Float64Array,
    itemFactors: Float64Array,
    biases: { global: Float64Array; user: Float64Array; item: Float64Array },
    readonly loss: Float64Array,
  ) {
    super(numUsers, numItems, options.factors, userFactors, itemFactors, biases);
    this.biasParts = biases;
  }
  private readonly biasParts: { global: Float64Array; user: Float64Array; item: Float64Array };
  get globalBias(): number {
    return this.biasParts.global[0];
  }
  get userBias(): Float64Array {
    return this.biasParts.user;
  }
  get itemBias(): Float64Array {
    return this.biasParts.item;
  }
  parts() {
    const { global, user, item } = this.biasParts;
    return { options: this.options, arrays: { userFactors: this.userFactors, itemFactors: this.itemFactors, globalBias: global, userBias: user, itemBias: item, loss: this.loss } };
  }
}

/** Internal: rebuilds an MF scorer from its parts. */
export function restoreMF(numUsers: number, numItems: number, options: Required<Omit<MFOptions, 'onEpoch'>>, arrays: Record<string, unknown>): MFScorer {
  const f = options.factors;
  const biases = {
    global: partArray(arrays, 'globalBias', Float64Array, 1),
    user: partArray(arrays, 'userBias', Float64Array, numUsers),
    item: partArray(arrays, 'itemBias', Float64Array, numItems),
  };
  return new MF(
    numUsers,
    numItems,
    { ...options, shuffleExamples: options.shuffleExamples ?? false }, // bundles written before the option
    partArray(arrays, 'userFactors', Float64Array, numUsers * f),
    partArray(arrays, 'itemFactors', Float64Array, numItems * f),
    biases,
    partArray(arrays, 'loss', Float64Array, options.epochs),
  );
}

function normals(n: number, stddev: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const t = 2 * Math.PI * random();
    out[k] = r * Math.cos(t) * stddev;
    if (k + 1 < n) out[k + 1] = r * Math.sin(t) * stddev;
  }
  return out;
}

/** Internal: the epoch's examples in one batch, shuffled together (Fisher-Yates, seeded). */
export function shuffledEpoch(batches: Iterable<{ users: Int32Array; items: Int32Array; labels: ArrayLike<number> }>, size: number, seed: number) {
  const users = new Int32Array(size);
  const items = new Int32Array(size);
  const labels = new Uint8Array(size);
  let n = 0;
  for (const b of batches) {
    users.set(b.users, n);
    items.set(b.items, n);
    for (let t = 0; t < b.labels.length; t++) labels[n + t] = b.labels[t];
    n += b.users.length;
  }
  const random = mulberry32(seed);
  for (let k = n - 1; k > 0; k--) {
    const j = randomInt(random, k + 1);
    const u = users[k];
    users[k] = users[j];
    users[j] = u;
    const i = items[k];
    items[k] = items[j];
    items[j] = i;
    const l = labels[k];
    labels[k] = labels[j];
    labels[j] = l;
  }
  return { users: users.subarray(0, n), items: items.subarray(0, n), labels: labels.subarray(0, n) };
}

/**
 * Fits a dot-product matrix factorisation in Rendle et al.'s setup (RecSys 2020, the paper that
 * showed a well-tuned dot product matching NeuMF on the NCF benchmark): `score(u, i) = b + b_u +
 * b_i + p_u . q_i`, trained with the logistic (binary cross-entropy) loss on every training
 * positive (label 1) and `negatives` sampled items per positive (label 0), redrawn every epoch, by
 * SGD one example at a time with L2 `regularization` on the rows each example touches (as their
 * `mf_simple.py`; `shuffleExamples` also shuffles the epoch's examples together as that script
 * does). Scores are logits (apply a sigmoid for probabilities; rankings are the same).
 *
 * Costs `O(positives x (1 + negatives) x factors)` per epoch on one thread.
 *
 * @param train - the training interactions (weights are not used)
 * @param options - `factors` (64), `epochs` (20), `learningRate` (0.01), `regularization` (0.005),
 *   `negatives` (8), `stddev` (0.1), `shuffleExamples` (false), `seed` (0), `onEpoch`; see
 *   {@link MFOptions}
 * @returns an {@link MFScorer}
 * @example
 * ```ts
 * const mf = fitMF(ncf.train, { factors: 128, epochs: 30, seed: 1 });
 * mf.loss;                                   //=> Float64Array of 30 falling mean losses
 * recommend(mf, 0, { k: 10, exclude: ... });
 * ```
 */
export function fitMF(train: Interactions, options?: MFOptions): MFScorer {
  const start = performance.now();
  const opts = checkOptionsObject(options, 'fitMF');
  checkKnownOptions(opts, ['factors', 'epochs', 'learningRate', 'regularization', 'negatives', 'stddev', 'shuffleExamples', 'seed', 'onEpoch'], 'fitMF');
  const { factors = 64, epochs = 20, learningRate = 0.01, regularization = 0.005, negatives = 8, stddev = 0.1, seed = 0, onEpoch } = opts;
  assertInteger('factors', factors, 1);
  assertInteger('epochs', epochs, 1);
  assertInRange('learningRate', learningRate, 0, Number.MAX_VALUE, { loOpen: true });
  assertInRange('regularization', regularization, 0, Number.MAX_VALUE);
  assertInteger('negatives', negatives, 1);
  assertInRange('stddev', stddev, 0, Number.MAX_VALUE);
  assertFinite('seed', seed, 'INVALID_ARGUMENT');
  if (onEpoch !== undefined && typeof onEpoch !== 'function') throw new RecsysError('INVALID_ARGUMENT', 'onEpoch must be a function');
  const shuffleExamples = booleanOption('shuffleExamples', opts.shuffleExamples, false);
  const m = userItemCsr(train, false); // validates, and rejects empty data
  const f = factors;
  const P = normals(m.rows * f, stddev, deriveSeed(seed >>> 0, 1));
  const Q = normals(m.cols * f, stddev, deriveSeed(seed >>> 0, 2));
  const bu = new Float64Array(m.rows);
  const bi = new Float64Array(m.cols);
  const global = new Float64Array(1);
  let b = 0;
  const sampler = new NegativeSampler(train, { seed: deriveSeed(seed >>> 0, 3) });
  const loss = new Float64Array(epochs);
  const resolved = { factors, epochs, learningRate, regularization, negatives, stddev, shuffleExamples, seed };
  const scorer = new MF(m.rows, m.cols, resolved, P, Q, { global, user: bu, item: bi }, loss);
  const lr = learningRate;
  const reg = regularization;
  for (let epoch = 0; epoch < epochs; epoch++) {
    let total = 0;
    let count = 0;
    const batches = sampler.batches({ batchSize: 4096, negatives, epoch });
    for (const batch of shuffleExamples ? [shuffledEpoch(batches, sampler.epochSize(negatives), deriveSeed(seed >>> 0, 4 + epoch))] : batches) {
      const { users, items, labels } = batch;
      for (let t = 0; t < users.length; t++) {
        const po = users[t] * f;
        const qo = items[t] * f;
        let s = b + bu[users[t]] + bi[items[t]];
        for (let k = 0; k < f; k++) s += P[po + k] * Q[qo + k];
        const y = labels[t];
        // stable log(1 + e^s) - y s and sigmoid(s)
        let sig: number;
        if (s > 0) {
          const e = Math.exp(-s);
          sig = 1 / (1 + e);
          total += Math.log1p(e) + (1 - y) * s;
        } else {
          const e = Math.exp(s);
          sig = e / (1 + e);
          total += Math.log1p(e) - y * s;
        }
        count++;
        const g = y - sig;
        for (let k = 0; k < f; k++) {
          const p = P[po + k];
          const q = Q[qo + k];
          P[po + k] = p + lr * (g * q - reg * p);
          Q[qo + k] = q + lr * (g * p - reg * q);
        }
        bu[users[t]] += lr * (g - reg * bu[users[t]]);
        bi[items[t]] += lr * (g - reg * bi[items[t]]);
        b += lr * (g - reg * b);
      }
    }
    loss[epoch] = total / count;
    if (!Number.isFinite(loss[epoch])) {
      throw new RecsysError('TRAINING_DIVERGED', `fitMF diverged at epoch ${epoch + 1} (mean loss ${loss[epoch]}); lower learningRate (${lr})`);
    }
    global[0] = b;
    onEpoch?.(epoch + 1, loss[epoch], scorer);
  }
  scorer.fitSeconds = secondsSince(start);
  return scorer;
}
