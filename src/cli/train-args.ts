// The command line of `neural-recsys train`: its usage text, its flags, and their checks, turned
// into the run's settings (TrainConfig) before any data is read.
import { parseArgs } from 'node:util';
import { RecsysError } from '../errors.js';
import type { TrainOptions } from '../training/index.js';
import { DEFAULT_RANKED_NEGATIVES } from '../evaluation/sampled.js';
import { choiceOption, expectPositionals, intListOption, intOption, positiveNumberOption, threadsOption } from './args.js';

/** Usage of `train`, printed by `--help` and after a usage error. */
export const TRAIN_USAGE = `Usage: neural-recsys train <csv> [options]

Trains a recommender on the interactions of a CSV/TSV file (one row per user-item interaction),
evaluates it against popularity on a held-out test split, and saves a bundle.

Columns:
  --user <name>            column of the user id (default: user)
  --item <name>            column of the item id (default: item)
  --time <name>            column of the time (numbers or ISO dates): splits by time
  --weight <name>          column of the interaction's strength
  --delimiter <char>       field delimiter (default: detected among , tab ; |)

Model and training:
  --model <neumf|gmf|mlp>  (default: neumf)
  --factors <n>            GMF embedding width (default: 8)
  --layers <a,b,...>       MLP layer sizes (default: 64,32,16,8)
  --epochs <n>             (default: 20)
  --batch-size <n>         (default: 256)
  --negatives <n>          negatives per positive, resampled every epoch (default: 4)
  --learning-rate <x>      (default: 0.001)
  --loss <bce|bpr>         (default: bce)
  --weighting <none|linear|log>  confidence of a positive from its --weight (or repeat count):
                           c = 1 + s*w (linear) or 1 + s*log(1 + w) (log) (default: none)
  --weight-scale <s>       s of --weighting (default: 1)
  --seed <n>               seeds weights, sampling and random splits (default: 42)
  --engine <auto|fused|tfjs>  (default: auto)
  --threads <n|auto>       fused engine worker threads (default: 1)

Validation and test:
  --no-validation          no validation split (train on everything but test, keep the last epoch)
  --patience <n>           stop after n validations without improvement, keep the best (default: 5)
  --no-test                no test split: train on all rows (and validation), print no metrics
  --k <n>                  cut-off of HR@K / NDCG@K / MRR@K (default: 10)
  --eval-negatives <n>     sampled negatives per test item (default: 99, as in the NCF paper)

Output:
  --out <dir>              save the bundle there (load it with recommend / similar / evaluate)
  --report <file.html>     write a self-contained HTML report (curves, metrics, sample recommendations)
  --json                   print the results as JSON on stdout (progress stays on stderr)
  -h, --help               show this help

The test split holds out each user's latest interaction (by --time, else a seeded random one);
the validation split, the one before it. Users with a single interaction keep it for training.
The saved bundle holds the model trained without the test split, and every row as "seen".`;

const OPTIONS = {
  user: { type: 'string', default: 'user' },
  item: { type: 'string', default: 'item' },
  time: { type: 'string' },
  weight: { type: 'string' },
  delimiter: { type: 'string' },
  model: { type: 'string', default: 'neumf' },
  factors: { type: 'string' },
  layers: { type: 'string' },
  epochs: { type: 'string', default: '20' },
  'batch-size': { type: 'string' },
  negatives: { type: 'string' },
  'learning-rate': { type: 'string' },
  loss: { type: 'string' },
  weighting: { type: 'string' },
  'weight-scale': { type: 'string' },
  seed: { type: 'string', default: '42' },
  engine: { type: 'string' },
  threads: { type: 'string' },
  'no-validation': { type: 'boolean', default: false },
  patience: { type: 'string', default: '5' },
  'no-test': { type: 'boolean', default: false },
  k: { type: 'string', default: '10' },
  'eval-negatives': { type: 'string', default: String(DEFAULT_RANKED_NEGATIVES) },
  out: { type: 'string' },
  report: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export const MODELS = ['neumf', 'gmf', 'mlp'] as const;
export const MODEL_NAMES = { neumf: 'NeuMF', gmf: 'GMF', mlp: 'MLP' } as const;

/** The parsed command line of `train`. */
export interface TrainConfig {
  readonly argv: string[];
  readonly csv: string;
  readonly flags: ReturnType<typeof parseTrainArgs>['values'];
  readonly kind: (typeof MODELS)[number];
  readonly epochs: number;
  readonly seed: number;
  readonly k: number;
  readonly evalNegatives: number;
  readonly patience: number;
  readonly factors: number | undefined;
  readonly layers: number[] | undefined;
  readonly trainOptions: TrainOptions;
  readonly say: (line: string) => void;
}

function parseTrainArgs(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

/** Checks the flags and turns them into the run's settings (`null`: --help was printed). */
export function trainConfig(argv: string[]): TrainConfig | null {
  const { values: flags, positionals } = parseTrainArgs(argv);
  if (flags.help) {
    process.stdout.write(`${TRAIN_USAGE}\n`);
    return null;
  }
  expectPositionals('train', positionals, ['<csv>']);
  const kind = choiceOption('--model', flags.model, MODELS) ?? 'neumf';
  const factors = intOption('--factors', flags.factors);
  const layers = intListOption('--layers', flags.layers);
  if (kind === 'gmf' && layers !== undefined) throw new RecsysError('INVALID_ARGUMENT', '--layers sets the MLP tower: GMF has none (use --model neumf or mlp)');
  if (kind === 'mlp' && factors !== undefined) throw new RecsysError('INVALID_ARGUMENT', '--factors sets the GMF width: MLP has none (its width is --layers)');
  const epochs = intOption('--epochs', flags.epochs) ?? 20;
  const seed = intOption('--seed', flags.seed, 0) ?? 42;
  const trainOptions: TrainOptions = {
    epochs,
    seed,
    batchSize: intOption('--batch-size', flags['batch-size']),
    negatives: intOption('--negatives', flags.negatives),
    learningRate: positiveNumberOption('--learning-rate', flags['learning-rate']),
    loss: choiceOption('--loss', flags.loss, ['bce', 'bpr'] as const),
    weighting: choiceOption('--weighting', flags.weighting, ['none', 'linear', 'log'] as const),
    weightScale: positiveNumberOption('--weight-scale', flags['weight-scale']),
    engine: choiceOption('--engine', flags.engine, ['auto', 'fused', 'tfjs'] as const),
    threads: threadsOption(flags.threads),
  };
  for (const key of Object.keys(trainOptions) as (keyof TrainOptions)[]) if (trainOptions[key] === undefined) delete trainOptions[key];
  return {
    argv,
    csv: positionals[0],
    flags,
    kind,
    epochs,
    seed,
    k: intOption('--k', flags.k) ?? 10,
    evalNegatives: intOption('--eval-negatives', flags['eval-negatives']) ?? DEFAULT_RANKED_NEGATIVES,
    patience: intOption('--patience', flags.patience) ?? 5,
    factors,
    layers,
    trainOptions,
    say: (line) => {
      if (!flags.json) process.stdout.write(`${line}\n`);
    },
  };
}
