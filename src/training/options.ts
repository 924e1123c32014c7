// Validation and defaults for train()'s options. Everything is checked up front, before any tensor
// is created, so a typo or a bad value fails in microseconds with a message naming it instead of
// minutes into an epoch. Unknown option names are rejected too: `{ epoch: 5 }` silently training for
// the default 20 epochs is the kind of mistake a library should catch.
import { RecsysError } from '../errors.js';
import { assertK, assertOneOf, show } from '../_lib/validate.js';
import type { ResolvedTrainOptions, TrainOptions, ValidationOptions } from './types.js';
import { DEFAULT_NEGATIVES } from '../sampling/negative-sampler.js';
import { DEFAULT_RANKED_NEGATIVES } from '../evaluation/sampled.js';

/**
 * Default values of {@link TrainOptions}, as {@link resolveTrainOptions} fills them in.
 *
 * @example
 * ```ts
 * TRAIN_DEFAULTS.batchSize; //=> 256
 * ```
 */
export const TRAIN_DEFAULTS: Readonly<ResolvedTrainOptions> = Object.freeze({
  epochs: 20,
  batchSize: 256,
  negatives: DEFAULT_NEGATIVES,
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

const OPTIMIZERS = ['adam', 'sgd'] as const;
const LOSSES = ['bce', 'bpr'] as const;
const SAMPLINGS = ['uniform', 'popularity'] as const;
const WEIGHTINGS = ['none', 'linear', 'log'] as const;
const ENGINES = ['auto', 'fused', 'tfjs'] as const;
const METRICS = ['hr', 'ndcg', 'mrr'] as const;

const KNOWN_OPTIONS: readonly (keyof TrainOptions)[] = [
  'epochs',
  'batchSize',
  'negatives',
  'learningRate',
  'optimizer',
  'loss',
  'seed',
  'sampling',
  'weighting',
  'weightScale',
  'excludeFromNegatives',
  'validation',
  'earlyStopping',
  'engine',
  'threads',
  'signal',
  'onEpochEnd',
  'onBatchEnd',
];
const KNOWN_VALIDATION: readonly (keyof ValidationOptions)[] = ['data', 'every', 'metric', 'k', 'negatives'];
const KNOWN_EARLY_STOPPING = ['patience', 'restoreBest', 'minDelta'] as const;
const KNOWN_OPTIMIZER = ['name', 'rows'] as const;
const ROWS = ['dense', 'lazy'] as const;

/** Validation settings with every default filled in (internal). */
export interface ResolvedValidation {
  /** The held-out positives (checked later, against the model and the training data). */
  data: ValidationOptions['data'];
  /** Validate every this many epochs. */
  every: number;
  /** Metric selected on. */
  metric: 'hr' | 'ndcg' | 'mrr';
  /** Cut-off K. */
  k: number;
  /** Sampled negatives per positive when the data lists none. */
  negatives: number;
}

/** Early-stopping settings with every default filled in (internal). */
export interface ResolvedEarlyStopping {
  /** Validations without improvement before stopping. Default 3. */
  patience: number;
  /** Whether the model ends with the best validated weights. Default true. */
  restoreBest: boolean;
  /** Smallest increase that counts as an improvement. Default 0. */
  minDelta: number;
}

/** Everything train() needs beyond what an engine sees (internal). */
export interface ResolvedLoopOptions {
  /** What the engine runs with. */
  engineOptions: ResolvedTrainOptions;
  /** The engine asked for. */
  engine: 'auto' | 'fused' | 'tfjs';
  /** Validation, when asked for. */
  validation?: ResolvedValidation;
  /** Early stopping, when asked for (implies validation). */
  earlyStopping?: ResolvedEarlyStopping;
}

/**
 * Checks every field of {@link TrainOptions} and fills in the defaults, giving the options an engine
 * runs with. Non-finite numbers give `NOT_FINITE`; everything else that is wrong (zero or
 * fractional sizes, unknown names, values outside their sets) gives `INVALID_ARGUMENT`, and a bad
 * validation `k` gives `INVALID_K`. `threads: 'auto'` resolves to the number of logical cores.
 *
 * Negatives must be at least 1 for both losses: BCE without negatives only ever sees label 1 (the
 * model learns to call everything relevant) and BPR needs one negative per pair.
 *
 * @param options - the options given to `train` (all optional)
 * @returns the resolved engine options
 * @example
 * ```ts
 * resolveTrainOptions({ epochs: 5, loss: 'bpr' });
 * //=> { epochs: 5, batchSize: 256, negatives: 4, learningRate: 0.001, optimizer: 'adam',
 * //     adamRows: 'dense', loss: 'bpr', seed: 42, sampling: 'uniform', weighting: 'none',
 * //     weightScale: 1, threads: 1 }
 * resolveTrainOptions({ batchSize: 0 });
 * //=> throws RecsysError INVALID_ARGUMENT: batchSize must be a positive integer, got 0
 * ```
 */
export function resolveTrainOptions(options?: TrainOptions): ResolvedTrainOptions {
  return resolveLoopOptions(options).engineOptions;
}

/**
 * Like {@link resolveTrainOptions}, also resolving the loop's own options: engine, validation and
 * early stopping (internal to train()).
 *
 * @param options - the options given to `train`
 * @returns the resolved options of the loop and of its engine
 * @example
 * ```ts
 * resolveLoopOptions({ validation: { data: valid } }).validation?.k; //=> 10
 * ```
 */
export function resolveLoopOptions(options?: TrainOptions): ResolvedLoopOptions {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`, { value: options });
  }
  rejectUnknown('options', options, KNOWN_OPTIONS);
  const o = options;

  const engineOptions: ResolvedTrainOptions = {
    epochs: integerOption('epochs', o.epochs, TRAIN_DEFAULTS.epochs, 1),
    batchSize: integerOption('batchSize', o.batchSize, TRAIN_DEFAULTS.batchSize, 1),
    negatives: integerOption(
      'negatives',
      o.negatives,
      TRAIN_DEFAULTS.negatives,
      1,
      ' (both losses need negatives: BCE contrasts positives with them, BPR pairs each positive with one)',
    ),
    learningRate: learningRateOption(o.learningRate),
    ...optimizerOption(o.optimizer),
    loss: oneOfOption('loss', o.loss, TRAIN_DEFAULTS.loss, LOSSES),
    seed: finiteOption('seed', o.seed, TRAIN_DEFAULTS.seed),
    sampling: oneOfOption('sampling', o.sampling, TRAIN_DEFAULTS.sampling, SAMPLINGS),
    weighting: oneOfOption('weighting', o.weighting, TRAIN_DEFAULTS.weighting, WEIGHTINGS),
    weightScale: weightScaleOption(o.weightScale),
    threads: threadsOption(o.threads),
  };
  const engine = oneOfOption('engine', o.engine, 'auto', ENGINES);
  if (o.weightScale !== undefined && engineOptions.weighting === 'none') {
    throw new RecsysError('INVALID_ARGUMENT', `weightScale (${show(o.weightScale)}) needs weighting 'linear' or 'log'; with weighting 'none' the weights are not used`, {
      value: o.weightScale,
    });
  }

  if (o.signal !== undefined) {
    const s = o.signal as unknown;
    if (s === null || typeof s !== 'object' || typeof (s as AbortSignal).aborted !== 'boolean') {
      throw new RecsysError('INVALID_ARGUMENT', `signal must be an AbortSignal, got ${show(s)}`, { value: s });
    }
  }
  for (const name of ['onEpochEnd', 'onBatchEnd'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'function') {
      throw new RecsysError('INVALID_ARGUMENT', `${name} must be a function, got ${show(o[name])}`, { value: o[name] });
    }
  }
  if (o.excludeFromNegatives !== undefined) {
    const x = o.excludeFromNegatives as unknown;
    if (x === null || typeof x !== 'object' || Array.isArray(x)) {
      throw new RecsysError('INVALID_ARGUMENT', `excludeFromNegatives must be an Interactions object or { training, validation }, got ${show(x)}`);
    }
    if (!('users' in x)) rejectUnknown('excludeFromNegatives', x, ['training', 'validation']);
  }

  const validation = o.validation === undefined ? undefined : validationOption(o.validation);
  const earlyStopping = o.earlyStopping === undefined ? undefined : earlyStoppingOption(o.earlyStopping);
  const x = o.excludeFromNegatives as { users?: unknown; validation?: unknown } | undefined;
  if (x !== undefined && x.users === undefined && x.validation !== undefined && validation === undefined) {
    throw new RecsysError('INVALID_ARGUMENT', 'excludeFromNegatives.validation needs validation: pass validation: { data } too, or drop it');
  }
  if (earlyStopping !== undefined && validation === undefined) {
    throw new RecsysError(
      'INVALID_ARGUMENT',
      'earlyStopping needs validation: pass validation: { data } (held-out positives, never the test set)',
    );
  }
  return { engineOptions, engine, validation, earlyStopping };
}

function rejectUnknown(where: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const near = known.find((k) => k.toLowerCase().startsWith(key.toLowerCase().slice(0, 4)));
      throw new RecsysError(
        'INVALID_ARGUMENT',
        `unknown ${where === 'options' ? 'option' : `${where} option`} ${show(key)}${near ? ` (did you mean '${near}'?)` : ''}; known: ${known.join(', ')}`,
        { name: key },
      );
    }
  }
}

/** Non-finite numbers get NOT_FINITE everywhere, so one code means "NaN or Infinity slipped in". */
function rejectNonFinite(name: string, value: unknown): void {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RecsysError('NOT_FINITE', `${name} must be a finite number, got ${show(value)}`, { name, value });
  }
}

function integerOption(name: string, value: unknown, fallback: number, min: number, why = ''): number {
  if (value === undefined) return fallback;
  rejectNonFinite(name, value);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    const what = min === 1 ? 'a positive integer' : 'a non-negative integer';
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be ${what}${why}, got ${show(value)}`, { name, value });
  }
  return value;
}

function finiteOption(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  rejectNonFinite(name, value);
  if (typeof value !== 'number') {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be a finite number, got ${show(value)}`, { name, value });
  }
  return value;
}

function learningRateOption(value: unknown): number {
  const lr = finiteOption('learningRate', value, TRAIN_DEFAULTS.learningRate);
  if (!(lr > 0)) {
    throw new RecsysError('INVALID_ARGUMENT', `learningRate must be a number > 0, got ${show(value)}`, { value });
  }
  return lr;
}

function weightScaleOption(value: unknown): number {
  const scale = finiteOption('weightScale', value, TRAIN_DEFAULTS.weightScale);
  if (!(scale > 0)) {
    throw new RecsysError('INVALID_ARGUMENT', `weightScale must be a number > 0, got ${show(value)} (weighting: 'none' trains without weights)`, { value });
  }
  return scale;
}

function oneOfOption<T extends string>(name: string, value: unknown, fallback: T, allowed: readonly T[]): T {
  if (value === undefined) return fallback;
  assertOneOf(name, value, allowed);
  return value;
}

/** `optimizer` as a name or as `{ name, rows }`. */
function optimizerOption(value: unknown): { optimizer: 'adam' | 'sgd'; adamRows: 'dense' | 'lazy' } {
  if (value === undefined || typeof value === 'string') {
    return { optimizer: oneOfOption('optimizer', value, TRAIN_DEFAULTS.optimizer, OPTIMIZERS), adamRows: TRAIN_DEFAULTS.adamRows };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RecsysError('INVALID_ARGUMENT', `optimizer must be 'adam', 'sgd' or { name, rows }, got ${show(value)}`, { value });
  }
  rejectUnknown('optimizer', value, KNOWN_OPTIMIZER);
  const o = value as { name?: unknown; rows?: unknown };
  if (o.name === undefined) throw new RecsysError('INVALID_ARGUMENT', `optimizer.name is required ('adam' or 'sgd'), got ${show(value)}`, { value });
  return {
    optimizer: oneOfOption('optimizer.name', o.name, TRAIN_DEFAULTS.optimizer, OPTIMIZERS),
    adamRows: oneOfOption('optimizer.rows', o.rows, TRAIN_DEFAULTS.adamRows, ROWS),
  };
}

function threadsOption(value: unknown): number {
  if (value === 'auto') return availableCores();
  return integerOption('threads', value, TRAIN_DEFAULTS.threads, 1, " or 'auto'");
}

/**
 * Logical cores of this machine, browser-safe: `navigator.hardwareConcurrency` where it exists
 * (browsers, workers, Node >= 21), else `os.availableParallelism()` reached through
 * `process.getBuiltinModule` (Node >= 20.16), which keeps `node:os` out of browser bundles and
 * keeps this synchronous (an `import('node:os')` would make option resolution async). 1 when
 * neither is available.
 *
 * @returns a positive integer
 * @example
 * ```ts
 * availableCores(); //=> 2 (on a two-core machine)
 * ```
 */
export function availableCores(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: unknown } }).navigator;
  const fromNavigator = nav?.hardwareConcurrency;
  if (typeof fromNavigator === 'number' && Number.isInteger(fromNavigator) && fromNavigator > 0) return fromNavigator;
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const os = proc?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number; cpus?: () => unknown[] } | undefined;
    const n = os?.availableParallelism?.() ?? os?.cpus?.().length;
    if (typeof n === 'number' && Number.isInteger(n) && n > 0) return n;
  } catch {
    // a sandboxed runtime may refuse builtin modules: one core is the safe answer
  }
  return 1;
}

function validationOption(value: unknown): ResolvedValidation {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RecsysError('INVALID_ARGUMENT', `validation must be an object like { data, every, metric, k }, got ${show(value)}`);
  }
  rejectUnknown('validation', value, KNOWN_VALIDATION);
  const v = value as ValidationOptions;
  if (v.data === undefined || v.data === null || typeof v.data !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `validation.data must be interactions or { users, items, negatives }, got ${show(v.data)}`);
  }
  const k = v.k === undefined ? 10 : v.k;
  rejectNonFinite('validation.k', k);
  assertK(k, 'validation.k');
  return {
    data: v.data,
    every: integerOption('validation.every', v.every, 1, 1),
    metric: oneOfOption('validation.metric', v.metric, 'ndcg', METRICS),
    k,
    negatives: integerOption('validation.negatives', v.negatives, DEFAULT_RANKED_NEGATIVES, 1),
  };
}

function earlyStoppingOption(value: unknown): ResolvedEarlyStopping {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RecsysError('INVALID_ARGUMENT', `earlyStopping must be an object like { patience, restoreBest }, got ${show(value)}`);
  }
  rejectUnknown('earlyStopping', value, KNOWN_EARLY_STOPPING);
  const e = value as { patience?: unknown; restoreBest?: unknown; minDelta?: unknown };
  if (e.restoreBest !== undefined && typeof e.restoreBest !== 'boolean') {
    throw new RecsysError('INVALID_ARGUMENT', `earlyStopping.restoreBest must be a boolean, got ${show(e.restoreBest)}`);
  }
  const minDelta = finiteOption('earlyStopping.minDelta', e.minDelta, 0);
  if (minDelta < 0) {
    throw new RecsysError('INVALID_ARGUMENT', `earlyStopping.minDelta must be >= 0, got ${show(minDelta)}`, { value: minDelta });
  }
  return {
    patience: integerOption('earlyStopping.patience', e.patience, 3, 1),
    restoreBest: e.restoreBest ?? true,
    minDelta,
  };
}
