// The command line of bench/reproduce-ml1m.ts, read with node:util's parseArgs. The flags, their
// defaults and the usage errors are those of the former hand-written parser.
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineName } from '../../src/training/types.js';
import type { ModelName, Optimizer } from './types.js';

/**
 * Which GMF/MLP weights NeuMF-pre starts from: their validation-best, test-best or last epoch, or
 * (`holdout-val`, for a whole-file run) the epoch the hold-out run of the same model chose by
 * validation, from a whole-file run made with `--keep-every-epoch`.
 */
export type PretrainCheckpoint = 'val' | 'test' | 'last' | 'holdout-val';

export interface Args {
  dataDir: string;
  models: ModelName[];
  factors: number[];
  seeds: number[];
  epochs: number;
  batchSize: number;
  negatives: number;
  learningRate: number;
  engine: EngineName;
  threads: number;
  out: string;
  limitUsers: number | null;
  holdout: boolean;
  preOptimizers: Optimizer[];
  pretrainCheckpoint: PretrainCheckpoint;
  alpha: number;
  /** With `--models neumf-pre`: evaluate the pretrained combination at each alpha, no training. */
  alphas: number[] | null;
  /** Learning rate of NeuMF-pre's own training (null: `learningRate`, as the GMF and MLP runs). */
  preLearningRate: number | null;
  /** L2 on the MLP's Dense kernels (the MLP runs, NeuMF's MLP part, NeuMF-pre's); 0: none (the protocol). */
  mlpL2: number;
  /**
   * How the GMF runs train: `adam` (the protocol) or `mf`, Rendle et al.'s dot-product MF recipe
   * (bench/ml1m/gmf-mf.ts); NeuMF-pre and `--alphas` then start from those GMF runs.
   */
  gmfRecipe: 'adam' | 'mf';
  /** With `--gmf-recipe mf`: evaluate (and keep checkpoints) every this many epochs. */
  mfEvery: number;
  /** Keep the GMF/MLP weights of every epoch (`<id>-e<epoch>`), for `--pretrain-checkpoint holdout-val`. */
  keepEveryEpoch: boolean;
  weightsDir: string;
  resume: boolean;
  render: string[] | null;
  /** Train the plain-JS reference trainer instead of the library (an ablation of optimizer details). */
  referenceAdam: 'dense' | 'lazy' | null;
  referenceShuffle: 'full' | 'grouped';
  referenceEpsilon: number;
  /** Directory with the original repository's pretrained GMF/MLP weights as raw float32 (see docs). */
  originalWeights: string | null;
  doc: string;
  svg: string;
}

/** The repository root (bench/ml1m/../..). */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));

const OPTIONS = {
  models: { type: 'string' },
  factors: { type: 'string' },
  seeds: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  negatives: { type: 'string' },
  lr: { type: 'string' },
  engine: { type: 'string' },
  threads: { type: 'string' },
  out: { type: 'string' },
  'limit-users': { type: 'string' },
  'no-holdout': { type: 'boolean' },
  'pre-optimizers': { type: 'string' },
  'pretrain-checkpoint': { type: 'string' },
  alpha: { type: 'string' },
  alphas: { type: 'string' },
  'pre-lr': { type: 'string' },
  'mlp-l2': { type: 'string' },
  'gmf-recipe': { type: 'string' },
  'mf-every': { type: 'string' },
  'keep-every-epoch': { type: 'boolean' },
  'weights-dir': { type: 'string' },
  resume: { type: 'boolean' },
  // --render takes the result files as the positional arguments that follow
  render: { type: 'boolean' },
  reference: { type: 'string' },
  'reference-gmf': { type: 'string' },
  'reference-shuffle': { type: 'string' },
  'reference-epsilon': { type: 'string' },
  'original-weights': { type: 'string' },
  doc: { type: 'string' },
  svg: { type: 'string' },
} as const;

const list = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);

function int(name: string, s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${s}`);
  return n;
}

function positive(name: string, s: string): number {
  const x = Number(s);
  if (!Number.isFinite(x) || x <= 0) throw new Error(`${name} must be a number > 0, got ${s}`);
  return x;
}

function fraction(name: string, s: string): number {
  const x = Number(s);
  if (!Number.isFinite(x) || x < 0 || x > 1) throw new Error(`${name} takes numbers in [0, 1], got ${s}`);
  return x;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], message: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(message);
  return value as T;
}

/** parseArgs, with its two usage errors worded as before: `unknown option --x`, `--x needs a value`. */
function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const name = /'(--?[\w-]+)/.exec((e as Error).message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && name) throw new Error(`unknown option ${name}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && name) throw new Error(`${name} needs a value`);
    throw e;
  }
}

/**
 * Reads the command line: `[dataDir] --flag value ...`, or `--render file... [--doc] [--svg]`.
 *
 * @example
 * ```ts
 * readArgs(['--models', 'gmf', '--epochs', '2']).epochs; //=> 2
 * readArgs(['--epochs', '0']); //=> throws Error: --epochs must be a positive integer, got 0
 * ```
 */
export function readArgs(argv: string[]): Args {
  const { values: v, positionals } = parse(argv);
  const reference = v.reference ?? v['reference-gmf'];
  const args: Args = {
    dataDir: positionals.length > 0 && !v.render ? resolve(positionals[positionals.length - 1]) : resolve(REPO, '../shared/data/ml-1m-ncf'),
    models: ['gmf', 'mlp', 'neumf', 'neumf-pre'],
    factors: v.factors === undefined ? [8] : list(v.factors).map((s) => int('--factors', s)),
    seeds: v.seeds === undefined ? [1] : list(v.seeds).map((s) => int('--seeds', s)),
    epochs: v.epochs === undefined ? 20 : int('--epochs', v.epochs),
    batchSize: v['batch-size'] === undefined ? 256 : int('--batch-size', v['batch-size']),
    negatives: v.negatives === undefined ? 4 : int('--negatives', v.negatives),
    learningRate: v.lr === undefined ? 0.001 : Number(v.lr),
    engine: v.engine === undefined ? 'fused' : oneOf(v.engine, ['auto', 'fused', 'tfjs'] as const, `--engine must be auto, fused or tfjs, got ${v.engine}`),
    threads: v.threads === undefined ? 2 : int('--threads', v.threads),
    out: v.out ?? '',
    limitUsers: v['limit-users'] === undefined ? null : int('--limit-users', v['limit-users']),
    holdout: !v['no-holdout'],
    preOptimizers: ['sgd', 'adam'],
    pretrainCheckpoint: 'val',
    alpha: v.alpha === undefined ? 0.5 : Number(v.alpha),
    alphas: v.alphas === undefined ? null : list(v.alphas).map((x) => fraction('--alphas', x)),
    preLearningRate: v['pre-lr'] === undefined ? null : positive('--pre-lr', v['pre-lr']),
    mlpL2: v['mlp-l2'] === undefined ? 0 : positive('--mlp-l2', v['mlp-l2']),
    gmfRecipe: v['gmf-recipe'] === undefined ? 'adam' : oneOf(v['gmf-recipe'], ['adam', 'mf'] as const, `--gmf-recipe must be adam or mf, got ${v['gmf-recipe']}`),
    mfEvery: v['mf-every'] === undefined ? 8 : int('--mf-every', v['mf-every']),
    keepEveryEpoch: v['keep-every-epoch'] ?? false,
    weightsDir: v['weights-dir'] ?? '/tmp/neural-recsys-ml1m-weights',
    resume: v.resume ?? false,
    render: v.render ? positionals : null,
    referenceAdam: reference === undefined ? null : oneOf(reference, ['dense', 'lazy'] as const, `--reference takes dense or lazy, got ${reference}`),
    referenceShuffle: 'full',
    referenceEpsilon: v['reference-epsilon'] === undefined ? 1e-8 : Number(v['reference-epsilon']),
    originalWeights: v['original-weights'] === undefined ? null : resolve(v['original-weights']),
    doc: v.doc ?? join(REPO, 'docs/benchmarks.md'),
    svg: v.svg ?? join(REPO, 'docs/hr-per-epoch-factor8.svg'),
  };
  const models = v.models;
  if (models !== undefined) {
    for (const m of list(models)) oneOf(m, ['gmf', 'mlp', 'neumf', 'neumf-pre'] as const, `unknown model ${m}`);
    args.models = list(models) as ModelName[];
  }
  if (v['pre-optimizers'] !== undefined) {
    for (const x of list(v['pre-optimizers'])) oneOf(x, ['sgd', 'adam'] as const, `--pre-optimizers takes sgd and/or adam, got ${x}`);
    args.preOptimizers = list(v['pre-optimizers']) as Optimizer[];
  }
  const c = v['pretrain-checkpoint'];
  if (c !== undefined) {
    args.pretrainCheckpoint = oneOf(c, ['val', 'test', 'last', 'holdout-val'] as const, `--pretrain-checkpoint must be val, test, last or holdout-val, got ${c}`);
  }
  if (args.pretrainCheckpoint === 'holdout-val' && args.holdout) throw new Error('--pretrain-checkpoint holdout-val is for whole-file runs (--no-holdout)');
  const shuffle = v['reference-shuffle'];
  if (shuffle !== undefined) args.referenceShuffle = oneOf(shuffle, ['full', 'grouped'] as const, `--reference-shuffle takes full or grouped, got ${shuffle}`);
  if (args.render === null && args.out === '') {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    args.out = join(REPO, `bench/results/ml1m-${stamp}.json`);
  }
  return args;
}
