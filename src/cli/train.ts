// `neural-recsys train <csv>`: read interactions from a CSV, hold out each user's last (or a random)
// interaction for test and the one before for validation, train a model with the progress on
// stderr, report HR / NDCG / MRR against popularity, and save a bundle (and an HTML report).
import { writeFile } from 'node:fs/promises';
import { RecsysError } from '../errors.js';
import { leaveOneOut, readCsv, validationSplit, type IdMap, type Interactions } from '../data/index.js';
import type * as tf from '@tensorflow/tfjs';
import { GMF, MLP, NeuMF, type NeuMFArgs } from '../models/index.js';
import { train, TRAIN_DEFAULTS, type TrainHistory } from '../training/index.js';
import { evaluateFull, evaluateSampled } from '../evaluation/index.js';
import { recommend, Recommender } from '../serving/index.js';
import { saveModel } from '../io/index.js';
import { MODEL_NAMES, trainConfig, type TrainConfig } from './train-args.js';
import { assertEnoughUnseen, delimiterOption } from './held-out.js';
import { formatSeconds, table } from './format.js';
import { fitPopularity } from '../baselines/index.js';
import { createProgress } from './progress.js';
import { renderReport, type ReportMetrics, type ReportRecommendations } from './report.js';
import { bundleUrl, useCpuBackend } from './runtime.js';

const BUILDERS = { neumf: NeuMF, gmf: GMF, mlp: MLP } as const;

/** The data read from the CSV and its splits. */
interface TrainData {
  readonly data: Interactions;
  readonly users: IdMap<string>;
  readonly items: IdMap<string>;
  readonly trainAll: Interactions;
  readonly fit: Interactions;
  readonly validation: Interactions | undefined;
  readonly test: Interactions | undefined;
}

/** Reads the CSV and splits it (test, then validation), refusing splits the evaluation cannot use. */
async function readAndSplit(c: TrainConfig): Promise<TrainData> {
  const { csv, flags } = c;
  const { data, users, items, duplicates } = await readCsv(csv, {
    user: flags.user,
    item: flags.item,
    ...(flags.time !== undefined ? { time: flags.time } : {}),
    ...(flags.weight !== undefined ? { weight: flags.weight } : {}),
    ...delimiterOption(flags.delimiter),
  });
  if (data.users.length === 0) throw new RecsysError('EMPTY_INPUT', `${csv} holds no interactions`);
  const by = flags.time !== undefined ? ({ by: 'time' } as const) : ({ by: 'random', seed: c.seed } as const);
  const { train: trainAll, test } = flags['no-test'] ? { train: data, test: undefined } : leaveOneOut(data, by);
  const { train: fit, validation } = flags['no-validation'] ? { train: trainAll, validation: undefined } : validationSplit(trainAll, by);
  checkHeldOut(c, data, users, validation, 'validation');
  checkHeldOut(c, data, users, test, 'test');
  const count = (n: number): string => n.toLocaleString('en');
  c.say(
    `data: ${csv}: ${count(users.size)} users, ${count(items.size)} items, ${count(data.users.length)} interactions` +
      (duplicates > 0 ? ` (${count(duplicates)} repeated pairs merged)` : ''),
  );
  c.say(`split (${by.by === 'time' ? `by ${flags.time}` : `random, seed ${c.seed}`}): ${splitText({ fit, validation, test }, count)}`);
  return { data, users, items, trainAll, fit, validation, test };
}

/** "train n, validation n, test n" (the parts present). */
function splitText(d: Pick<TrainData, 'fit' | 'validation' | 'test'>, count: (n: number) => string = String): string {
  return `train ${count(d.fit.users.length)}` + (d.validation ? `, validation ${count(d.validation.users.length)}` : '') + (d.test ? `, test ${count(d.test.users.length)}` : '');
}

/** A held-out split must be non-empty, and every user in it must have --eval-negatives unseen items. */
function checkHeldOut(c: TrainConfig, data: Interactions, users: IdMap<string>, heldOut: Interactions | undefined, what: 'validation' | 'test'): void {
  if (heldOut === undefined) return;
  if (heldOut.users.length === 0) {
    throw new RecsysError('EMPTY_INPUT', `no user of ${c.csv} has enough interactions for a ${what} split (each needs ${what === 'test' ? 2 : 3}); pass --no-${what}`);
  }
  assertEnoughUnseen(data, heldOut, c.evalNegatives, users, ` (${data.numItems} items in all) for ${what}`);
}

/** "NeuMF, factors 8, layers 64,32,16,8". */
function modelText(c: TrainConfig): string {
  const { kind, factors, layers } = c;
  return `${MODEL_NAMES[kind]}` + (kind !== 'mlp' ? `, factors ${factors ?? 8}` : '') + (kind !== 'gmf' ? `, layers ${(layers ?? [64, 32, 16, 8]).join(',')}` : '');
}

/** Builds the model and trains it with progress on stderr (validation and early stopping when split). */
async function buildAndTrain(c: TrainConfig, d: TrainData): Promise<{ model: tf.LayersModel; history: TrainHistory; seconds: number }> {
  const { kind, factors, layers, epochs, seed, k, trainOptions } = c;
  // --factors with MLP and --layers with GMF were refused, so each builder gets only its own
  const build = BUILDERS[kind] as (args: NeuMFArgs) => tf.LayersModel;
  const model = build({ numUsers: d.users.size, numItems: d.items.size, seed, ...(factors !== undefined ? { factors } : {}), ...(layers !== undefined ? { layers } : {}) });
  c.say(`model: ${modelText(c)}; ${epochs} epochs, seed ${seed}`);
  const negatives = trainOptions.negatives ?? TRAIN_DEFAULTS.negatives;
  const progress = createProgress({
    epochs,
    instancesPerEpoch: d.fit.users.length * (trainOptions.loss === 'bpr' ? negatives : negatives + 1),
    stream: process.stderr,
  });
  const started = performance.now();
  try {
    const history = await train(model, d.fit, {
      ...trainOptions,
      ...(d.validation
        ? { validation: { data: d.validation, metric: 'ndcg', k, negatives: c.evalNegatives }, earlyStopping: { patience: c.patience, restoreBest: true } }
        : {}),
      onBatchEnd: (_batch, logs) => progress.batch(logs.size, logs.loss),
      onEpochEnd: (_epoch, logs) => progress.epoch(logs),
    });
    const seconds = (performance.now() - started) / 1000;
    const kept = keptEpoch(history);
    c.say(
      `trained ${history.epochs.length} epochs in ${formatSeconds(seconds)} on the ${history.engine} engine (${history.engineReason}), ` +
        `${history.threads} thread${history.threads === 1 ? '' : 's'}` +
        (history.bestValidation !== undefined ? `; kept epoch ${kept} (validation NDCG@${k} ${history.bestValidation.toFixed(4)})` : '') +
        (history.stoppedEarly ? '; stopped early' : ''),
    );
    return { model, history, seconds };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    progress.stop();
  }
}

/** The epoch whose weights the model keeps, 1-based (0: the starting weights). */
function keptEpoch(history: TrainHistory): number {
  return history.bestEpoch !== undefined ? history.bestEpoch + 1 : history.epochs.length;
}

/** Test metrics of the model and popularity (sampled and full ranking), and a sample of recommendations. */
function evaluateOnTest(c: TrainConfig, d: TrainData, model: tf.LayersModel, rec: Recommender<string, string>): { metrics: ReportMetrics[]; sample: ReportRecommendations[] } {
  const { k, evalNegatives, seed } = c;
  const { users, items, trainAll, test } = d;
  const topK = Math.min(10, items.size - 1);
  const sample: ReportRecommendations[] = [];
  if (test === undefined) {
    for (let u = 0; u < Math.min(5, users.size); u++) {
      const top = rec.recommend(users.id(u), { k: topK });
      sample.push({ user: String(users.id(u)), heldOut: [], items: top.map((t) => ({ id: String(t.id), score: t.score })) });
    }
    return { metrics: [], sample };
  }
  const popularity = fitPopularity(trainAll, { breakTies: true });
  const sampledOptions = { k, negatives: evalNegatives, exclude: trainAll, seed };
  const columns = [`HR@${k}`, `NDCG@${k}`, `MRR@${k}`];
  const names = [MODEL_NAMES[c.kind], 'popularity'];
  const protocol = (title: string, results: { description: string; hr: number; ndcg: number; mrr: number }[]): ReportMetrics => ({
    title,
    description: results[0].description,
    columns,
    rows: results.map((r, i) => ({ name: names[i], values: [r.hr, r.ndcg, r.mrr] })),
  });
  const metrics = [
    protocol(`test, sampled (${evalNegatives} negatives)`, [evaluateSampled(model, test, sampledOptions), evaluateSampled(popularity, test, sampledOptions)]),
    protocol(`test, full ranking (${items.size} items)`, [evaluateFull(model, test, { exclude: trainAll, k }), evaluateFull(popularity, test, { exclude: trainAll, k })]),
  ];
  // A sample of what the model recommends to test users, with their held-out item beside it.
  for (let r = 0; r < Math.min(5, test.users.length); r++) {
    const u = test.users[r];
    const top = recommend(model, u, { k: topK, exclude: trainAll });
    sample.push({ user: String(users.id(u)), heldOut: [String(items.id(test.items[r]))], items: top.map((t) => ({ id: String(items.id(t.item)), score: t.score })) });
  }
  return { metrics, sample };
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
  const c = trainConfig(argv);
  if (c === null) return 0;
  const started = performance.now();
  const tfBackend = await useCpuBackend();
  const d = await readAndSplit(c);
  const { model, history, seconds } = await buildAndTrain(c, d);
  // Everything a user did counts as seen in the bundle: recommendations never repeat it.
  const rec = new Recommender({ model, users: d.users, items: d.items, seen: d.data }, history);
  try {
    const { metrics, sample } = evaluateOnTest(c, d, model, rec);
    for (const m of metrics) {
      c.say(`\ntest, ${m.description}`);
      c.say(table(['model', ...m.columns], m.rows.map((r) => [r.name, ...r.values])));
    }
    let savedTo: string | undefined;
    if (c.flags.out !== undefined) {
      savedTo = (await saveModel(rec, bundleUrl(c.flags.out))).location;
      c.say(`\nsaved the bundle to ${savedTo}`);
      c.say(`  try: npx neural-recsys recommend ${c.flags.out} ${JSON.stringify(String(d.users.id(0)))}`);
    }
    const run: TrainRun = { config: c, data: d, history, seconds, metrics, sample, savedTo, tfBackend, started };
    if (c.flags.report !== undefined) {
      await writeFile(c.flags.report, reportHtml(run));
      c.say(`report: ${c.flags.report}`);
    }
    if (c.flags.json) process.stdout.write(`${JSON.stringify(jsonSummary(run), null, 2)}\n`);
  } finally {
    rec.dispose();
  }
  return 0;
}

/** Everything the report and the JSON summary say. */
interface TrainRun {
  readonly config: TrainConfig;
  readonly data: TrainData;
  readonly history: TrainHistory;
  readonly seconds: number;
  readonly metrics: ReportMetrics[];
  readonly sample: ReportRecommendations[];
  readonly savedTo: string | undefined;
  readonly tfBackend: string;
  readonly started: number;
}

function reportHtml(run: TrainRun): string {
  const { config: c, data: d, history } = run;
  const command = ['neural-recsys', 'train', ...c.argv].map((a) => (/^[\w./:@=,+-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
  return renderReport({
    title: `neural-recsys train ${c.csv}`,
    command,
    finishedAt: new Date().toISOString(),
    facts: [
      ['data', `${d.users.size} users, ${d.items.size} items, ${d.data.users.length} interactions`],
      ['split', splitText(d)],
      ['model', modelText(c)],
      ['training', `${history.epochs.length} of ${c.epochs} epochs on the ${history.engine} engine (${history.engineReason}), ${history.threads} thread(s), ${formatSeconds(run.seconds)}`],
      ['kept epoch', String(keptEpoch(history))],
      ['TensorFlow.js backend', run.tfBackend],
      ...(run.savedTo !== undefined ? ([['bundle', run.savedTo]] as [string, string][]) : []),
    ],
    epochs: history.epochs.map((e) => ({ loss: e.loss, ...(e.validation ? { validation: e.validation } : {}) })),
    ...(history.bestEpoch !== undefined ? { bestEpoch: history.bestEpoch } : {}),
    metrics: run.metrics,
    recommendations: run.sample,
  });
}

function jsonSummary(run: TrainRun): unknown {
  const { config: c, data: d, history } = run;
  return {
    data: { file: c.csv, users: d.users.size, items: d.items.size, interactions: d.data.users.length },
    split: { train: d.fit.users.length, validation: d.validation?.users.length ?? 0, test: d.test?.users.length ?? 0 },
    model: { kind: c.kind, ...(c.kind !== 'mlp' ? { factors: c.factors ?? 8 } : {}), ...(c.kind !== 'gmf' ? { layers: c.layers ?? [64, 32, 16, 8] } : {}) },
    training: {
      engine: history.engine,
      engineReason: history.engineReason,
      threads: history.threads,
      seconds: run.seconds,
      bestEpoch: history.bestEpoch ?? null,
      stoppedEarly: history.stoppedEarly,
      epochs: history.epochs.map((e) => ({ loss: e.loss, validation: e.validation ?? null, seconds: e.seconds })),
    },
    metrics: run.metrics.map((m) => ({ protocol: m.title, rows: m.rows.map((r) => ({ name: r.name, ...Object.fromEntries(m.columns.map((col, i) => [col, r.values[i]])) })) })),
    bundle: run.savedTo ?? null,
    report: c.flags.report ?? null,
    seconds: (performance.now() - run.started) / 1000,
  };
}
