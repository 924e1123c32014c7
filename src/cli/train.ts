// `neural-recsys train <csv>`: read interactions from a CSV, hold out each user's last (or a random)
// interaction for test and the one before for validation, train a model with the progress on
// stderr, report HR / NDCG / MRR against popularity, and save a bundle (and an HTML report).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { RecsysError } from '../errors.js';
import { itemPopularity, leaveOneOut, readCsv, validationSplit, type Interactions } from '../data/index.js';
import type * as tf from '@tensorflow/tfjs';
import { GMF, MLP, NeuMF, type NeuMFArgs } from '../models/index.js';
import { train, TRAIN_DEFAULTS, type TrainHistory, type TrainOptions } from '../training/index.js';
import { evaluateFull, evaluateSampled } from '../evaluation/index.js';
import { DEFAULT_RANKED_NEGATIVES } from '../evaluation/sampled.js';
import { recommend, Recommender } from '../serving/index.js';
import { saveModel } from '../io/index.js';
import { choiceOption, expectPositionals, intListOption, intOption, positiveNumberOption, threadsOption } from './args.js';
import { formatSeconds, table } from './format.js';
import { popularityScorer } from './popularity.js';
import { createProgress } from './progress.js';
import { renderReport, type ReportMetrics, type ReportRecommendations } from './report.js';
import { bundleUrl, useCpuBackend } from './runtime.js';

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

const MODELS = ['neumf', 'gmf', 'mlp'] as const;
const MODEL_NAMES = { neumf: 'NeuMF', gmf: 'GMF', mlp: 'MLP' } as const;
const BUILDERS = { neumf: NeuMF, gmf: GMF, mlp: MLP } as const;

/**
 * The fewest unseen items any user with a held-out item has in `all`: the most negatives that can be
 * sampled for every one of them.
 *
 * @param all - every known interaction (seen and held out)
 * @param heldOut - the held-out interactions
 * @returns the user with the fewest unseen items and that number; undefined when nothing is held out
 * @example
 * ```ts
 * const all = { users: Int32Array.of(0, 0, 1), items: Int32Array.of(0, 1, 0), numUsers: 2, numItems: 3 };
 * fewestUnseen(all, { ...all, users: Int32Array.of(0), items: Int32Array.of(1) }); //=> { user: 0, unseen: 1 }
 * ```
 */
export function fewestUnseen(all: Interactions, heldOut: Interactions): { user: number; unseen: number } | undefined {
  const seen = new Map<number, Set<number>>();
  for (let r = 0; r < all.users.length; r++) {
    let items = seen.get(all.users[r]);
    if (items === undefined) seen.set(all.users[r], (items = new Set()));
    items.add(all.items[r]);
  }
  let worst: { user: number; unseen: number } | undefined;
  for (const user of new Set(heldOut.users)) {
    const unseen = all.numItems - (seen.get(user)?.size ?? 0);
    if (worst === undefined || unseen < worst.unseen) worst = { user, unseen };
  }
  return worst;
}

/**
 * Runs `neural-recsys train`.
 *
 * @param argv - the arguments after `train`
 * @returns the exit code (0)
 * @example
 * ```ts
 * await trainCommand(['events.csv', '--user', 'visitor', '--item', 'product', '--out', './bundle']); //=> 0
 * ```
 */
export async function trainCommand(argv: string[]): Promise<number> {
  const { values: flags, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (flags.help) {
    process.stdout.write(`${TRAIN_USAGE}\n`);
    return 0;
  }
  expectPositionals('train', positionals, ['<csv>']);
  const csv = positionals[0];
  const kind = choiceOption('--model', flags.model, MODELS) ?? 'neumf';
  const epochs = intOption('--epochs', flags.epochs) ?? 20;
  const seed = intOption('--seed', flags.seed, 0) ?? 42;
  const k = intOption('--k', flags.k) ?? 10;
  const evalNegatives = intOption('--eval-negatives', flags['eval-negatives']) ?? DEFAULT_RANKED_NEGATIVES;
  const patience = intOption('--patience', flags.patience) ?? 5;
  const factors = intOption('--factors', flags.factors);
  const layers = intListOption('--layers', flags.layers);
  if (kind === 'gmf' && layers !== undefined) throw new RecsysError('INVALID_ARGUMENT', '--layers sets the MLP tower: GMF has none (use --model neumf or mlp)');
  if (kind === 'mlp' && factors !== undefined) throw new RecsysError('INVALID_ARGUMENT', '--factors sets the GMF width: MLP has none (its width is --layers)');
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
  const useValidation = !flags['no-validation'];
  const useTest = !flags['no-test'];
  const started = performance.now();
  const say = (line: string): void => {
    if (!flags.json) process.stdout.write(`${line}\n`);
  };

  const tfBackend = await useCpuBackend();
  const { data, users, items, duplicates } = await readCsv(csv, {
    user: flags.user,
    item: flags.item,
    ...(flags.time !== undefined ? { time: flags.time } : {}),
    ...(flags.weight !== undefined ? { weight: flags.weight } : {}),
    ...(flags.delimiter !== undefined ? { delimiter: flags.delimiter === '\\t' ? '\t' : flags.delimiter } : {}),
  });
  if (data.users.length === 0) throw new RecsysError('EMPTY_INPUT', `${csv} holds no interactions`);
  const by = flags.time !== undefined ? ({ by: 'time' } as const) : ({ by: 'random', seed } as const);
  const { train: trainAll, test } = useTest ? leaveOneOut(data, by) : { train: data, test: undefined };
  const { train: fit, validation } = useValidation ? validationSplit(trainAll, by) : { train: trainAll, validation: undefined };
  for (const [heldOut, what] of [
    [validation, 'validation'],
    [test, 'test'],
  ] as const) {
    if (heldOut === undefined) continue;
    if (heldOut.users.length === 0) {
      throw new RecsysError('EMPTY_INPUT', `no user of ${csv} has enough interactions for a ${what} split (each needs ${what === 'test' ? 2 : 3}); pass --no-${what}`);
    }
    const worst = fewestUnseen(data, heldOut);
    if (worst !== undefined && worst.unseen < evalNegatives) {
      throw new RecsysError(
        'INVALID_ARGUMENT',
        `--eval-negatives ${evalNegatives} is more than the ${worst.unseen} items user ${JSON.stringify(users.id(worst.user))} has not seen ` +
          `(${data.numItems} items in all) for ${what}: pass --eval-negatives ${worst.unseen} or fewer`,
      );
    }
  }
  say(
    `data: ${csv}: ${users.size.toLocaleString('en')} users, ${items.size.toLocaleString('en')} items, ${data.users.length.toLocaleString('en')} interactions` +
      (duplicates > 0 ? ` (${duplicates.toLocaleString('en')} repeated pairs merged)` : ''),
  );
  say(
    `split (${by.by === 'time' ? `by ${flags.time}` : `random, seed ${seed}`}): train ${fit.users.length.toLocaleString('en')}` +
      (validation ? `, validation ${validation.users.length.toLocaleString('en')}` : '') +
      (test ? `, test ${test.users.length.toLocaleString('en')}` : ''),
  );

  // --factors with MLP and --layers with GMF were refused above, so each builder gets only its own
  const build = BUILDERS[kind] as (args: NeuMFArgs) => tf.LayersModel;
  const model = build({ numUsers: users.size, numItems: items.size, seed, ...(factors !== undefined ? { factors } : {}), ...(layers !== undefined ? { layers } : {}) });
  const modelText =
    `${MODEL_NAMES[kind]}` + (kind !== 'mlp' ? `, factors ${factors ?? 8}` : '') + (kind !== 'gmf' ? `, layers ${(layers ?? [64, 32, 16, 8]).join(',')}` : '');
  say(`model: ${modelText}; ${epochs} epochs, seed ${seed}`);

  const negatives = trainOptions.negatives ?? TRAIN_DEFAULTS.negatives;
  const progress = createProgress({
    epochs,
    instancesPerEpoch: fit.users.length * (trainOptions.loss === 'bpr' ? negatives : negatives + 1),
    stream: process.stderr,
  });
  let history: TrainHistory;
  const trainStarted = performance.now();
  try {
    history = await train(model, fit, {
      ...trainOptions,
      ...(validation ? { validation: { data: validation, metric: 'ndcg', k, negatives: evalNegatives }, earlyStopping: { patience, restoreBest: true } } : {}),
      onBatchEnd: (_batch, logs) => progress.batch(logs.size, logs.loss),
      onEpochEnd: (_epoch, logs) => progress.epoch(logs),
    });
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    progress.stop();
  }
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  const kept = history.bestEpoch !== undefined ? history.bestEpoch + 1 : history.epochs.length;
  say(
    `trained ${history.epochs.length} epochs in ${formatSeconds(trainSeconds)} on the ${history.engine} engine (${history.engineReason}), ` +
      `${history.threads} thread${history.threads === 1 ? '' : 's'}` +
      (history.bestValidation !== undefined ? `; kept epoch ${kept} (validation NDCG@${k} ${history.bestValidation.toFixed(4)})` : '') +
      (history.stoppedEarly ? '; stopped early' : ''),
  );

  // Everything a user did counts as seen in the bundle: recommendations never repeat it.
  const rec = new Recommender({ model, users, items, seen: data }, history);
  try {
    const metrics: ReportMetrics[] = [];
    const sample: ReportRecommendations[] = [];
    const topK = Math.min(10, items.size - 1);
    if (test !== undefined) {
      const popularity = popularityScorer(itemPopularity(trainAll), users.size);
      const sampledOptions = { k, negatives: evalNegatives, exclude: trainAll, seed };
      const sampled = [evaluateSampled(model, test, sampledOptions), evaluateSampled(popularity, test, sampledOptions)];
      const full = [evaluateFull(model, test, { exclude: trainAll, k }), evaluateFull(popularity, test, { exclude: trainAll, k })];
      const columns = [`HR@${k}`, `NDCG@${k}`, `MRR@${k}`];
      const names = [MODEL_NAMES[kind], 'popularity'];
      metrics.push(
        {
          title: `test, sampled (${evalNegatives} negatives)`,
          description: sampled[0].description,
          columns,
          rows: sampled.map((r, i) => ({ name: names[i], values: [r.hr, r.ndcg, r.mrr] })),
        },
        {
          title: `test, full ranking (${items.size} items)`,
          description: full[0].description,
          columns,
          rows: full.map((r, i) => ({ name: names[i], values: [r.hr, r.ndcg, r.mrr] })),
        },
      );
      // A sample of what the model recommends to test users, with their held-out item beside it.
      for (let r = 0; r < Math.min(5, test.users.length); r++) {
        const u = test.users[r];
        const top = recommend(model, u, { k: topK, exclude: trainAll });
        sample.push({ user: String(users.id(u)), heldOut: [String(items.id(test.items[r]))], items: top.map((t) => ({ id: String(items.id(t.item)), score: t.score })) });
      }
    } else {
      for (let u = 0; u < Math.min(5, users.size); u++) {
        const top = rec.recommend(users.id(u), { k: topK });
        sample.push({ user: String(users.id(u)), heldOut: [], items: top.map((t) => ({ id: String(t.id), score: t.score })) });
      }
    }
    for (const m of metrics) {
      say(`\ntest, ${m.description}`);
      say(table(['model', ...m.columns], m.rows.map((r) => [r.name, ...r.values])));
    }

    let savedTo: string | undefined;
    if (flags.out !== undefined) {
      savedTo = (await saveModel(rec, bundleUrl(flags.out))).location;
      say(`\nsaved the bundle to ${savedTo}`);
      say(`  try: npx neural-recsys recommend ${flags.out} ${JSON.stringify(String(users.id(0)))}`);
    }
    const command = ['neural-recsys', 'train', ...argv].map((a) => (/^[\w./:@=,+-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
    if (flags.report !== undefined) {
      const html = renderReport({
        title: `neural-recsys train ${csv}`,
        command,
        finishedAt: new Date().toISOString(),
        facts: [
          ['data', `${users.size} users, ${items.size} items, ${data.users.length} interactions`],
          ['split', `train ${fit.users.length}` + (validation ? `, validation ${validation.users.length}` : '') + (test ? `, test ${test.users.length}` : '')],
          ['model', modelText],
          ['training', `${history.epochs.length} of ${epochs} epochs on the ${history.engine} engine (${history.engineReason}), ${history.threads} thread(s), ${formatSeconds(trainSeconds)}`],
          ['kept epoch', String(kept)],
          ['TensorFlow.js backend', tfBackend],
          ...(savedTo !== undefined ? ([['bundle', savedTo]] as [string, string][]) : []),
        ],
        epochs: history.epochs.map((e) => ({ loss: e.loss, ...(e.validation ? { validation: e.validation } : {}) })),
        ...(history.bestEpoch !== undefined ? { bestEpoch: history.bestEpoch } : {}),
        metrics,
        recommendations: sample,
      });
      await writeFile(flags.report, html);
      say(`report: ${flags.report}`);
    }
    if (flags.json) {
      const summary = {
        data: { file: csv, users: users.size, items: items.size, interactions: data.users.length },
        split: { train: fit.users.length, validation: validation?.users.length ?? 0, test: test?.users.length ?? 0 },
        model: { kind, ...(kind !== 'mlp' ? { factors: factors ?? 8 } : {}), ...(kind !== 'gmf' ? { layers: layers ?? [64, 32, 16, 8] } : {}) },
        training: {
          engine: history.engine,
          engineReason: history.engineReason,
          threads: history.threads,
          seconds: trainSeconds,
          bestEpoch: history.bestEpoch ?? null,
          stoppedEarly: history.stoppedEarly,
          epochs: history.epochs.map((e) => ({ loss: e.loss, validation: e.validation ?? null, seconds: e.seconds })),
        },
        metrics: metrics.map((m) => ({ protocol: m.title, rows: m.rows.map((r) => ({ name: r.name, ...Object.fromEntries(m.columns.map((c, i) => [c, r.values[i]])) })) })),
        bundle: savedTo ?? null,
        report: flags.report ?? null,
        seconds: (performance.now() - started) / 1000,
      };
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    }
  } finally {
    rec.dispose();
  }
  return 0;
}
