// createScorer picks how a model is scored: the fast typed-array path for the standard NCF models,
// model.predict in bounded chunks for anything else. Evaluation and serving accept a model or a
// Scorer and go through resolveScorer, so a caller scoring many times creates one Scorer and
// passes it, instead of paying for reading the weights on every call.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { assertInteger, show } from '../_lib/validate.js';
import { inspectModel } from '../models/index.js';
import type { Scorer } from './scorer.js';
import { NcfFastScorer, readNcfWeights } from './scorer-fast.js';
import { PredictScorer } from './scorer-predict.js';
import { inferCount } from './model-embeddings.js';

/** Options of {@link createScorer}. @category Evaluation */
export interface ScorerOptions {
  /**
   * Most (user, item) pairs per `model.predict` call on the generic path (memory is about
   * `chunkSize` x the widest layer floats). Default 32768. The fast path needs no chunks.
   */
  chunkSize?: number;
  /**
   * `true`: require the fast path (a `RecsysError` UNSUPPORTED_MODEL saying why when the model is
   * not a standard GMF/MLP/NeuMF); `false`: always use `model.predict`; unset (default): fast
   * whenever the model is a standard one.
   */
  fast?: boolean;
  /**
   * Number of users, for a custom model whose user input feeds no Embedding layer (otherwise it
   * is read from the model, and a value given here must agree).
   */
  numUsers?: number;
  /** Number of items, as {@link ScorerOptions.numUsers} for the item side. */
  numItems?: number;
}

/** A {@link Scorer} made from a model by {@link createScorer}, saying which path it uses. @category Evaluation */
export interface ModelScorer extends Scorer {
  /**
   * `'fast'`: typed-array math over a snapshot of a standard model's weights, with the first MLP
   * layer computed once per user and once per item; `'predict'`: chunked `model.predict`.
   */
  readonly method: 'fast' | 'predict';
  /**
   * On the fast path, what computes the scores: `'wasm-simd'` (a WebAssembly SIMD kernel, where
   * the runtime has WebAssembly SIMD) or `'js'` (plain JS loops); null on the predict path.
   */
  readonly kernel: 'wasm-simd' | 'js' | null;
}

const DEFAULT_CHUNK_SIZE = 32768;

function assertLayersModel(model: unknown, name = 'model'): asserts model is tf.LayersModel {
  const m = model as Partial<tf.LayersModel> | null;
  if (m === null || typeof m !== 'object' || typeof m.predict !== 'function' || !Array.isArray(m.layers)) {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be a tf.LayersModel or a Scorer, got ${show(model)}`);
  }
}

function resolveCount(
  model: tf.LayersModel,
  side: 'user' | 'item',
  given: number | undefined,
  known: number | null,
): number {
  const option = side === 'user' ? 'numUsers' : 'numItems';
  const inferred = known ?? inferCount(model, side);
  if (given !== undefined) {
    assertInteger(option, given, 1, 'INVALID_SIZE');
    if (inferred !== null && given !== inferred) {
      throw new RecsysError('SHAPE_MISMATCH', `${option} = ${given} but the model's ${side} embeddings have ${inferred} rows`);
    }
    return given;
  }
  if (inferred === null) {
    throw new RecsysError(
      'UNSUPPORTED_MODEL',
      `cannot tell how many ${side}s the model accepts: its ${side} input feeds no Embedding layer; pass { ${option} } to createScorer`,
    );
  }
  return inferred;
}

/**
 * Creates a {@link Scorer} for a model. For a standard GMF, MLP or NeuMF (as built by this
 * library's builders) it reads the weights once into typed arrays and scores with plain math,
 * computing the first MLP layer once per user and once per item instead of once per pair (several
 * times faster than `model.predict` for full ranking). Any other model taking `[user, item]` int32
 * indices is scored with `model.predict` in chunks of bounded size.
 *
 * Where the runtime has WebAssembly SIMD the fast path runs its per-pair math in a SIMD kernel
 * (`kernel: 'wasm-simd'`, about 15x its plain JS loops, which remain the fallback).
 *
 * The fast path is a **snapshot** of the weights at creation: after training the model further,
 * create a new scorer. Scores are the model's output (sigmoid probabilities for the standard
 * models); both paths agree with `model.predict` to about 1e-6.
 *
 * @param model - a `tf.LayersModel` with inputs [user, item] (int32 indices) and one score output
 * @param options - see {@link ScorerOptions}
 * @returns a scorer; call `dispose()` when done (the generic path holds no tensors, but a fast
 *   scorer holds the weight snapshot until it is released)
 * @example
 * ```ts
 * const model = NeuMF({ numUsers: 3, numItems: 5, factors: 4, layers: [8, 4] });
 * const scorer = createScorer(model);
 * scorer.method; //=> 'fast'
 * scorer.kernel; //=> 'wasm-simd' (Node 16.4+, current browsers)
 * scorer.scoreItems(0, Int32Array.of(1, 4)); //=> Float32Array [0.5001, 0.4998] (about 0.5 untrained)
 * scorer.dispose();
 * ```
 */
export function createScorer(model: tf.LayersModel, options: ScorerOptions = {}): ModelScorer {
  assertLayersModel(model);
  if (options === null || typeof options !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
  }
  const { chunkSize = DEFAULT_CHUNK_SIZE, fast, numUsers, numItems } = options;
  assertInteger('chunkSize', chunkSize, 1, 'INVALID_SIZE');
  if (fast !== undefined && typeof fast !== 'boolean') {
    throw new RecsysError('INVALID_ARGUMENT', `fast must be true, false or undefined, got ${show(fast)}`);
  }

  const architecture = fast === false ? null : inspectModel(model);
  if (fast !== false) {
    let reason = 'it is not a standard GMF, MLP or NeuMF model (inspectModel found no NCF architecture)';
    if (architecture !== null) {
      const weights = readNcfWeights(model, architecture);
      if (typeof weights !== 'string') {
        resolveCount(model, 'user', numUsers, architecture.numUsers);
        resolveCount(model, 'item', numItems, architecture.numItems);
        return Object.assign(new NcfFastScorer(weights), { method: 'fast' as const });
      }
      reason = weights;
    }
    if (fast === true) throw new RecsysError('UNSUPPORTED_MODEL', `the fast scorer cannot score this model: ${reason}`);
  }
  const users = resolveCount(model, 'user', numUsers, architecture?.numUsers ?? null);
  const items = resolveCount(model, 'item', numItems, architecture?.numItems ?? null);
  return Object.assign(new PredictScorer(model, users, items, chunkSize), { method: 'predict' as const, kernel: null });
}

/**
 * Tells a {@link Scorer} from a model (or anything else): an object with `scoreItems`,
 * `scoreAllItems` and integer `numUsers` / `numItems`.
 *
 * @param value - anything
 * @returns true when `value` can be used as a Scorer
 * @example
 * ```ts
 * isScorer(createScorer(model)); //=> true
 * isScorer(model);               //=> false
 * ```
 */
export function isScorer(value: unknown): value is Scorer {
  const s = value as Partial<Scorer> | null;
  return (
    s !== null &&
    typeof s === 'object' &&
    typeof s.scoreItems === 'function' &&
    typeof s.scoreAllItems === 'function' &&
    Number.isInteger(s.numUsers) &&
    Number.isInteger(s.numItems)
  );
}

/**
 * Internal: the scorer for a model-or-scorer argument, and whether the caller created it (and so
 * must dispose it).
 */
export function resolveScorer(modelOrScorer: tf.LayersModel | Scorer, name = 'model'): { scorer: Scorer; owned: boolean } {
  if (isScorer(modelOrScorer)) return { scorer: modelOrScorer, owned: false };
  assertLayersModel(modelOrScorer, name);
  return { scorer: createScorer(modelOrScorer), owned: true };
}

/**
 * Internal: scores many short per-user candidate lists. Uses `scorePairs` when the scorer has it
 * (one predict per chunk), else `scoreItems` per run of equal users.
 */
export function scorePairs(scorer: Scorer, users: Int32Array, items: Int32Array, out: Float32Array): Float32Array {
  if (typeof scorer.scorePairs === 'function') return scorer.scorePairs(users, items, out);
  let start = 0;
  while (start < users.length) {
    let end = start + 1;
    while (end < users.length && users[end] === users[start]) end++;
    const view = out.subarray(start, end);
    const scores = checkScores(scorer.scoreItems(users[start], items.subarray(start, end), view), end - start);
    // A user-written Scorer may ignore `out` and return a new array.
    if (scores !== view) out.set(scores.subarray(0, end - start), start);
    start = end;
  }
  return out;
}

/** Internal: checks that a scorer returned at least `n` scores. */
export function checkScores(scores: Float32Array, n: number): Float32Array {
  if (!(scores instanceof Float32Array) || scores.length < n) {
    throw new RecsysError('SHAPE_MISMATCH', `the scorer returned ${show(scores)} for ${n} items; expected a Float32Array of ${n} scores`);
  }
  return scores;
}
