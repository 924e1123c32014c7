// Fold-in: learning one user's embedding rows with everything else frozen, so a new (or changed)
// user gets personal recommendations without retraining the model.
//
// Why a dedicated loop rather than train() with frozen layers: only the user's own rows may move,
// and train() would update whole tables (and sample over every user). Here the user's rows are two
// small tf.Variables, the rest of the network is the model's own layers applied eagerly (item
// tables gathered, the MLP tower and the prediction layer called on concrete tensors), and the
// optimizer is given only those two variables, so the item side and the tower cannot change.
// The forward pass follows the standard NCF computation that inspectModel guarantees:
//   sigmoid(W · [u_gmf ⊙ i_gmf ; tower([u_mlp ; i_mlp])] + b)   (either part alone for GMF / MLP).
//
// A new user needs a new row in each user table. The model is rebuilt from its own topology JSON
// with one more row (every layer option, names and penalties kept) and all weights copied: cost
// O(model size) per new user, fine for interactive sign-ups; for thousands of new users at once,
// retrain instead.
import * as tf from '@tensorflow/tfjs';
import { RecsysError, isRecsysError } from '../errors.js';
import { assertFinite, assertInRange, assertInteger, show } from '../_lib/validate.js';
import { LAYER_NAMES, ncfSpec, type NcfArchitecture } from '../ncf/index.js';
import { mulberry32, type Random } from '../_lib/random.js';
import { DEFAULT_NEGATIVES, NegativeSampler, type Batch } from '../sampling/negative-sampler.js';
import { runEpochLoop } from '../training/epoch-loop.js';
import { optimizerStep } from '../training/tfjs-engine.js';
import { readNcfWeights } from '../scoring/scorer-fast.js';

/** Options of `Recommender.foldIn`. @category Serving */
export interface FoldInOptions {
  /** Optimizer steps (each over all the user's positives and freshly sampled negatives). Default 50. */
  steps?: number;
  /** Adam learning rate, a finite number > 0. Default 0.05. */
  learningRate?: number;
  /** Negatives sampled per positive at every step (from the items the user has not seen). Default 4. */
  negatives?: number;
  /** Seed of the new user's initial row and of the negative sampling. Default 42. */
  seed?: number;
  /** L2 penalty on the user's rows, a finite number >= 0. Default 0. */
  l2?: number;
  /**
   * A NEW user's side features, for a model with user features: a row like `featuresFrom`'s
   * without the id (e.g. `{ country: 'fr', age: 34 }`); values the model never saw count as its
   * "unknown" row, a field left out adds nothing. The user's vector is then their learned id rows
   * plus these fields' pooled rows, as for every user in training. A known user's features are
   * the model's already (INVALID_ARGUMENT); a model without user features: UNSUPPORTED_MODEL.
   */
  features?: Readonly<Record<string, unknown>>;
}

/** What `Recommender.foldIn` reports. @category Serving */
export interface FoldInResult {
  /** The user's index in the model (new users get the next free index). */
  readonly user: number;
  /** True when the user was new and the model grew by one row. */
  readonly added: boolean;
  /** Positives the user's rows were learned from (their seen items, old and new). */
  readonly positives: number;
  /** Mean loss (binary cross-entropy) of the last step. */
  readonly loss: number;
  /** Steps run. */
  readonly steps: number;
}

/** @internal Fully resolved fold-in options. */
export type ResolvedFoldInOptions = Required<Omit<FoldInOptions, 'features'>> & Pick<FoldInOptions, 'features'>;

/** @internal Checks fold-in options and fills in the defaults. */
export function resolveFoldInOptions(options: unknown): ResolvedFoldInOptions {
  if (options === null || typeof options !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
  }
  const { steps = 50, learningRate = 0.05, negatives = DEFAULT_NEGATIVES, seed = 42, l2 = 0, features } = options as FoldInOptions;
  assertInteger('steps', steps);
  assertFinite('learningRate', learningRate);
  assertInRange('learningRate', learningRate, 0, Infinity, { loOpen: true, hiOpen: true, code: 'NOT_FINITE' });
  assertInteger('negatives', negatives);
  assertFinite('seed', seed, 'INVALID_ARGUMENT');
  assertInRange('l2', l2, 0, Infinity, { hiOpen: true });
  if (features !== undefined && (features === null || typeof features !== 'object' || Array.isArray(features))) {
    throw new RecsysError('INVALID_ARGUMENT', `features must be an object of field values (e.g. { country: 'fr' }), got ${show(features)}`);
  }
  return { steps, learningRate, negatives, seed, l2, ...(features === undefined ? {} : { features }) };
}

/** @internal One user's rows in the user tables (null for a part the model does not have). */
export interface UserRows {
  gmf: Float32Array | null;
  mlp: Float32Array | null;
}

function gaussian(random: Random, n: number): Float32Array {
  // Box-Muller; N(0, 0.01) as the builders' default initializer
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - random();
    out[i] = 0.01 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  }
  return out;
}

/** @internal Fresh rows for a new user, `N(0, 0.01)` like the builders' initializer. */
export function initialUserRows(arch: NcfArchitecture, seed: number): UserRows {
  const random = mulberry32(seed);
  const { factors, mlpWidth } = ncfSpec(arch);
  return { gmf: factors > 0 ? gaussian(random, factors) : null, mlp: mlpWidth > 0 ? gaussian(random, mlpWidth) : null };
}

/** @internal Copies a user's current rows out of the model. */
export function readUserRows(model: tf.LayersModel, arch: NcfArchitecture, user: number): UserRows {
  const read = (name: string): Float32Array => {
    const row = tf.tidy(() => {
      const table = model.getLayer(name).getWeights()[0];
      return table.slice([user, 0], [1, table.shape[1]!]);
    });
    try {
      return Float32Array.from(row.dataSync());
    } finally {
      row.dispose();
    }
  };
  const { factors, mlpWidth } = ncfSpec(arch);
  return { gmf: factors > 0 ? read(LAYER_NAMES.gmfUser) : null, mlp: mlpWidth > 0 ? read(LAYER_NAMES.mlpUser) : null };
}

/**
 * Fold-in's batches: `steps` pointwise batches of the one user (index 0 of `sampler`), each all
 * their positives followed by `negatives` per positive freshly drawn from the items they have not
 * seen (uniform, with replacement, exactly as training draws them: never a positive, never a hang).
 * One buffer is refilled per step.
 */
function* userBatches(sampler: NegativeSampler, positives: Int32Array, options: ResolvedFoldInOptions): Generator<Batch> {
  const p = positives.length;
  const n = p * (1 + options.negatives);
  const batch: Batch = { users: new Int32Array(n), items: new Int32Array(n), labels: new Float32Array(n) };
  batch.items.set(positives);
  batch.labels.fill(1, 0, p);
  const random = mulberry32(options.seed ^ 0x5bd1e995);
  for (let step = 0; step < options.steps; step++) {
    batch.items.set(sampler.sample(0, n - p, random), p);
    yield batch;
  }
}

/** The user's vector in each block, as the forward pass reads it (their rows plus any pooled fields). */
interface UserVector {
  gmf: (() => tf.Tensor) | null;
  mlp: (() => tf.Tensor) | null;
}

/** The item vectors of each block: the model's own id tables, or with item features their pooled copies. */
interface ItemTables {
  gmf: tf.Tensor | null;
  mlp: tf.Tensor | null;
  /** Frees the pooled copies (the model's own tables are left alone). */
  dispose(): void;
}

function itemTables(model: tf.LayersModel, arch: NcfArchitecture): ItemTables {
  const { factors, mlpWidth } = ncfSpec(arch);
  if ((arch.features?.item ?? []).length === 0) {
    // the model's own variables (getWeights does not copy): read, never disposed here
    return {
      gmf: factors > 0 ? model.getLayer(LAYER_NAMES.gmfItem).getWeights()[0] : null,
      mlp: mlpWidth > 0 ? model.getLayer(LAYER_NAMES.mlpItem).getWeights()[0] : null,
      dispose: () => undefined,
    };
  }
  const w = readNcfWeights(model, arch);
  if (typeof w === 'string') throw new RecsysError('UNSUPPORTED_MODEL', `foldIn cannot read the model: ${w}`);
  const gmf = factors > 0 ? tf.tensor2d(w.gmfItem, [arch.numItems, factors]) : null;
  const mlp = mlpWidth > 0 ? tf.tensor2d(w.mlpItem, [arch.numItems, mlpWidth]) : null;
  return { gmf, mlp, dispose: () => tf.dispose([gmf, mlp].filter((t): t is tf.Tensor2D => t !== null)) };
}

/**
 * The standard NCF forward pass for one user's rows against a batch of items, the model's own item
 * tables, tower and prediction layer applied eagerly (see the top of this file).
 */
function userForward(model: tf.LayersModel, arch: NcfArchitecture, user: UserVector, items: ItemTables) {
  const { gmf: userGmf, mlp: userMlp } = user;
  const { gmf: gmfItem, mlp: mlpItem } = items;
  const tower = userMlp ? arch.layers.slice(1).map((_, i) => model.getLayer(LAYER_NAMES.mlpLayer(i + 1))) : [];
  const prediction = model.getLayer(LAYER_NAMES.prediction);
  return (items: tf.Tensor1D): tf.Tensor => {
    const parts: tf.Tensor[] = [];
    if (userGmf && gmfItem) parts.push(tf.mul(tf.gather(gmfItem, items), userGmf()));
    if (userMlp && mlpItem) {
      let h: tf.Tensor = tf.concat([tf.tile(userMlp(), [items.shape[0], 1]), tf.gather(mlpItem, items)], 1);
      for (const layer of tower) h = layer.apply(h) as tf.Tensor;
      parts.push(h);
    }
    return prediction.apply(parts.length === 1 ? parts[0] : tf.concat(parts, 1)) as tf.Tensor;
  };
}

/**
 * @internal Learns a user's rows from their positives (distinct item indices) with the rest of the
 * model frozen, through the training epoch loop (one "epoch" of `steps` batches: the loop's abort-free
 * walk, its divergence rule and its progress report, which keeps the last step's loss). Starts from
 * `init`; returns the learned rows and the last step's loss. With side features, `pooled` is what
 * the user's fields add to each block's vector (held fixed), and the items are their pooled vectors.
 */
export async function learnUserRows(
  model: tf.LayersModel,
  arch: NcfArchitecture,
  init: UserRows,
  positives: Int32Array,
  options: ResolvedFoldInOptions,
  pooled: UserRows | null = null,
): Promise<{ rows: UserRows; loss: number }> {
  if (positives.length >= arch.numItems) {
    throw new RecsysError('NO_NEGATIVES', `the user has seen all ${arch.numItems} items, so there is nothing to contrast them with`);
  }
  // tidy frees the initial values; the variables themselves survive it
  const toVariable = (row: Float32Array): tf.Variable => tf.tidy(() => tf.variable(tf.tensor2d(row, [1, row.length])));
  const userGmf: tf.Variable | null = init.gmf ? toVariable(init.gmf) : null;
  const userMlp: tf.Variable | null = init.mlp ? toVariable(init.mlp) : null;
  const variables = [userGmf, userMlp].filter((v): v is tf.Variable => v !== null);
  const optimizer = tf.train.adam(options.learningRate);
  // the library's negative sampler over the one user (index 0)
  const data = { users: new Int32Array(positives.length), items: positives, numUsers: 1, numItems: arch.numItems };
  const sampler = new NegativeSampler(data, { seed: options.seed });
  const offset = (row: Float32Array | null | undefined): tf.Tensor | null => (row ? tf.tensor2d(row, [1, row.length]) : null);
  const offsets = { gmf: offset(pooled?.gmf), mlp: offset(pooled?.mlp) };
  const vector = (v: tf.Variable | null, o: tf.Tensor | null) => (v === null ? null : o === null ? () => v : () => tf.add(v, o));
  const items = itemTables(model, arch);
  const forward = userForward(model, arch, { gmf: vector(userGmf, offsets.gmf), mlp: vector(userMlp, offsets.mlp) }, items);
  const lossOf = (batch: Batch) => (): tf.Scalar => {
    const n = batch.items.length;
    let l = tf.losses.logLoss(tf.tensor2d(batch.labels, [n, 1]), forward(tf.tensor1d(batch.items, 'int32'))) as tf.Scalar;
    if (options.l2 > 0) for (const v of variables) l = tf.add(l, tf.mul(options.l2, tf.sum(tf.square(v))));
    return l;
  };
  let loss = NaN;
  try {
    await runEpochLoop({
      batches: userBatches(sampler, positives, options),
      step: (batch) => optimizerStep(optimizer, lossOf(batch), variables),
      progress: { batch: (_index, value) => void (loss = value) },
      divergence: { what: 'fold-in', loss: options.l2 > 0 ? 'bce + l2' : 'bce', epoch: 0, learningRate: options.learningRate },
    });
    return {
      rows: {
        gmf: userGmf ? Float32Array.from(userGmf.dataSync()) : null,
        mlp: userMlp ? Float32Array.from(userMlp.dataSync()) : null,
      },
      loss,
    };
  } finally {
    optimizer.dispose();
    for (const v of variables) v.dispose();
    items.dispose();
    tf.dispose([offsets.gmf, offsets.mlp].filter((t): t is tf.Tensor => t !== null));
  }
}

/** @internal Writes a user's rows into the model's user tables (in place). */
export function writeUserRows(model: tf.LayersModel, rows: UserRows, user: number): void {
  const write = (name: string, row: Float32Array) => {
    const layer = model.getLayer(name);
    const updated = tf.tidy(() =>
      tf.tensorScatterUpdate(layer.getWeights()[0], tf.tensor2d([[user]], [1, 1], 'int32'), tf.tensor2d(row, [1, row.length])),
    );
    layer.setWeights([updated]);
    updated.dispose();
  };
  if (rows.gmf) write(LAYER_NAMES.gmfUser, rows.gmf);
  if (rows.mlp) write(LAYER_NAMES.mlpUser, rows.mlp);
}

/**
 * @internal A new model from `topology` (the model's own, edited), each layer's weights set to
 * `weightsFor(name, current weights)`: the current ones, or new tensors, which are disposed once
 * written. The old model is left untouched; the caller disposes it.
 */
export async function rebuildModel(
  model: tf.LayersModel,
  topology: object,
  weightsFor: (layer: string, weights: tf.Tensor[]) => tf.Tensor[],
): Promise<tf.LayersModel> {
  const grown = await tf.models.modelFromJSON({ modelTopology: topology as Parameters<typeof tf.models.modelFromJSON>[0]['modelTopology'] });
  try {
    for (const layer of model.layers) {
      const weights = layer.getWeights();
      if (weights.length === 0) continue;
      const written = weightsFor(layer.name, weights);
      grown.getLayer(layer.name).setWeights(written);
      tf.dispose(written.filter((w) => !weights.includes(w)));
    }
  } catch (e) {
    grown.dispose();
    throw e;
  }
  return grown;
}

/**
 * Learns the rows of one user (new: `known` undefined, from fresh rows; known: from the current
 * rows) on `positives`; a NO_NEGATIVES error names the user's id.
 */
export async function learnUser(
  model: tf.LayersModel,
  arch: NcfArchitecture,
  known: number | undefined,
  positives: Int32Array,
  opts: ResolvedFoldInOptions,
  userId: unknown,
  pooled: UserRows | null = null,
): ReturnType<typeof learnUserRows> {
  const init = known === undefined ? initialUserRows(arch, opts.seed) : readUserRows(model, arch, known);
  try {
    return await learnUserRows(model, arch, init, positives, opts, pooled);
  } catch (e) {
    if (!isRecsysError(e, 'NO_NEGATIVES')) throw e;
    throw new RecsysError('NO_NEGATIVES', `user ${show(userId)}: ${e.message}`, { ...e.details, user: userId });
  }
}
