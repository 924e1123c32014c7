// Reproduces the NCF paper (He et al., WWW 2017, Tables 2-3) on MovieLens-1M in the paper's own
// leave-one-out split: GMF, MLP, NeuMF, and NeuMF initialised from the trained GMF and MLP, trained
// with this library's train() (fused engine by default) and evaluated with evaluateSampled.
//
//   npx tsx bench/reproduce-ml1m.ts [dataDir] --models gmf,mlp,neumf,neumf-pre --factors 8
//       --epochs 20 --seeds 1,2 --engine fused --threads 2 --out bench/results/x.json
//   npx tsx bench/reproduce-ml1m.ts --render bench/results/a.json bench/results/b.json
//       [--doc docs/benchmarks.md] [--svg docs/hr-per-epoch-factor8.svg]
//
// Protocol (as the original Keras code, hexiangnan/neural_collaborative_filtering):
// - test: each user's test item ranked among its 99 listed negatives (the user's own test item,
//   listed in 156 lines, is dropped: it never competes with itself; readNcf does this); HR@10 and
//   NDCG@10 over the 6,040 users, pessimistic ties (the original's heapq.nlargest keeps the earlier
//   of equal scores and the test item is appended last, so ties go against it there too); the
//   optimistic figure is recorded beside it to show what ties are worth.
// - training: 4 negatives per positive, uniform over the items the user has no training positive
//   for, resampled every epoch; batch 256; Adam lr 0.001; 20 epochs; N(0, 0.01) embeddings.
// - evaluation before training (epoch -1, "Init" in the original) and after every epoch. The
//   original reports the best epoch by test HR, the init included; that is "test-selected" here.
// - validation (the honest selection): one training positive per user is held out of training
//   (the first line of the user in the train file, which lists a user's items latest first), ranked
//   among 99 negatives drawn once per run (seeded) from the items that user has no training positive
//   for. "val-selected" reports the test figures of the epoch with the best validation HR.
//   The same run gives both selections, so every model here trains on 6,040 fewer positives than the
//   original (0.6%); `--no-holdout` trains on the full train file to measure what that costs.
// - NeuMF with pretraining: GMF and MLP of the same factor and seed (the runs above, their
//   validation-best epoch; `--pretrain-checkpoint test` takes the test-best one as the original code
//   did) combined by pretrainedNeuMF (alpha 0.5, weights and bias), then trained again for the same
//   epochs with SGD lr 0.001 (the paper) and with Adam lr 0.001 (the original code's README).
//
// The JSON output holds every curve and is rewritten after every epoch (a cut run stays usable).
// `--render` merges result files into docs/benchmarks.md (between GENERATED markers) and draws the
// SVG plot of HR@10 per epoch at factor 8 (hand-written SVG, no dependency).
import { drawNegatives } from './negatives.js';
import * as tf from '@tensorflow/tfjs';
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNcf, type NcfData } from '../src/data/index.js';
import type { Interactions } from '../src/data/interactions.js';
import { GMF, LAYER_NAMES, MLP, NeuMF, pretrainedNeuMF } from '../src/models/index.js';
import { train } from '../src/training/index.js';
import type { EngineName } from '../src/training/types.js';
import { evaluateSampled } from '../src/evaluation/index.js';
import { createScorer, type Scorer } from '../src/scoring/index.js';
import { scorePairs } from '../src/scoring/scorer-create.js';
import { deriveSeed, mulberry32, randomInt } from '../src/_lib/random.js';

// ---------------------------------------------------------------------------------------------
// Types of the JSON output

type ModelName = 'gmf' | 'mlp' | 'neumf' | 'neumf-pre';
type Optimizer = 'adam' | 'sgd';

interface Metrics {
  hr: number;
  ndcg: number;
}

interface EpochPoint {
  /** -1: before training (after pretraining for NeuMF-pre). */
  epoch: number;
  loss?: number;
  /** Training seconds of this epoch (sampling included, evaluation excluded). */
  seconds?: number;
  instancesPerSecond?: number;
  /** Test HR@10 / NDCG@10, pessimistic ties. */
  test: Metrics;
  /** Test HR@10 / NDCG@10, optimistic ties (equal scores count for the test item). */
  testOptimistic: Metrics;
  /** Validation HR@10 / NDCG@10 (absent with --no-holdout). */
  val?: Metrics;
  /** Seconds the evaluation of this point took. */
  evalSeconds: number;
}

interface Selection {
  epoch: number;
  hr: number;
  ndcg: number;
  /** Validation HR at that epoch (val selection). */
  valHr?: number;
}

interface RunRecord {
  id: string;
  model: ModelName;
  /** The variant shown in tables: gmf, mlp, neumf, neumf-pre-sgd, neumf-pre-adam. */
  variant: string;
  optimizer: Optimizer;
  factor: number;
  layers?: number[];
  seed: number;
  /** 'running' in a file still being written, or left by a process that died without cleanup. */
  status: 'running' | 'complete' | 'cut';
  epochsPlanned?: number;
  /** Settings that differ from the protocol (e.g. 'lr0.003'); such runs are ablations. */
  tag?: string;
  engine?: string;
  engineReason?: string;
  holdout: boolean;
  pretrainedFrom?: { gmf: string; mlp: string; checkpoint: string; gmfEpoch: number; mlpEpoch: number };
  startedAt: string;
  finishedAt?: string;
  /** Sum of the epochs' training seconds. */
  trainSeconds: number;
  /** Sum of evaluation seconds (test + optimistic test + validation, every point). */
  evalSeconds: number;
  wallSeconds: number;
  curve: EpochPoint[];
  selection?: { byTest: Selection; byVal?: Selection };
}

interface ResultFile {
  schema: 'neural-recsys/reproduce-ml1m@1';
  command: string;
  createdAt: string;
  updatedAt: string;
  machine: { nproc: number; cpu: string; node: string; platform: string; tfjsBackend: string; loadAverageAtStart: number[] };
  /** git HEAD, and whether src/ had uncommitted changes when the file was started. */
  code: { head: string; srcDirty: string[] };
  settings: {
    dataDir: string;
    epochs: number;
    batchSize: number;
    negatives: number;
    learningRate: number;
    engine: string;
    threads: number;
    limitUsers: number | null;
    holdout: boolean;
    validationNegatives: number;
    pretrainCheckpoint: string;
    alpha: number;
  };
  data: { users: number; items: number; trainPositives: number; trainedPositives: number; validation: number; test: number; droppedSelfNegatives: number };
  runs: RunRecord[];
}

// ---------------------------------------------------------------------------------------------
// The paper's figures (Table 2 at factor 8; Table 3 / Figure for NeuMF with pretraining by factor)

const PAPER: Record<string, Metrics> = {
  'mlp-f8': { hr: 0.671, ndcg: 0.399 },
  'neumf-f8': { hr: 0.688, ndcg: 0.41 },
  'neumf-pre-f8': { hr: 0.684, ndcg: 0.403 },
  'neumf-pre-f16': { hr: 0.707, ndcg: 0.426 },
  'neumf-pre-f32': { hr: 0.726, ndcg: 0.445 },
  'neumf-pre-f64': { hr: 0.73, ndcg: 0.447 },
};

function paperFigure(variant: string, factor: number): Metrics | undefined {
  const base = variant.startsWith('neumf-pre') ? 'neumf-pre' : variant;
  return PAPER[`${base}-f${factor}`];
}

// ---------------------------------------------------------------------------------------------
// Command line

interface Args {
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
  pretrainCheckpoint: 'val' | 'test' | 'last';
  alpha: number;
  weightsDir: string;
  resume: boolean;
  render: string[] | null;
  /** Train the plain-JS reference GMF instead of the library (an ablation of optimizer details). */
  referenceAdam: 'dense' | 'lazy' | null;
  referenceShuffle: 'full' | 'grouped';
  referenceEpsilon: number;
  /** Directory with the original repository's pretrained GMF/MLP weights as raw float32 (see docs). */
  originalWeights: string | null;
  doc: string;
  svg: string;
}

const REPO = fileURLToPath(new URL('..', import.meta.url));

function parseArgs(argv: string[]): Args {
  const args: Args = {
    dataDir: resolve(REPO, '../shared/data/ml-1m-ncf'),
    models: ['gmf', 'mlp', 'neumf', 'neumf-pre'],
    factors: [8],
    seeds: [1],
    epochs: 20,
    batchSize: 256,
    negatives: 4,
    learningRate: 0.001,
    engine: 'fused',
    threads: 2,
    out: '',
    limitUsers: null,
    holdout: true,
    preOptimizers: ['sgd', 'adam'],
    pretrainCheckpoint: 'val',
    alpha: 0.5,
    weightsDir: '/tmp/neural-recsys-ml1m-weights',
    resume: false,
    render: null,
    referenceAdam: null,
    referenceShuffle: 'full',
    referenceEpsilon: 1e-8,
    originalWeights: null,
    doc: join(REPO, 'docs/benchmarks.md'),
    svg: join(REPO, 'docs/hr-per-epoch-factor8.svg'),
  };
  const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
  const int = (name: string, s: string | undefined): number => {
    const n = Number(s);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${s}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--models': {
        const models = list(next());
        for (const m of models) if (!['gmf', 'mlp', 'neumf', 'neumf-pre'].includes(m)) throw new Error(`unknown model ${m}`);
        args.models = models as ModelName[];
        break;
      }
      case '--factors': args.factors = list(next()).map((s) => int('--factors', s)); break;
      case '--seeds': args.seeds = list(next()).map((s) => int('--seeds', s)); break;
      case '--epochs': args.epochs = int('--epochs', next()); break;
      case '--batch-size': args.batchSize = int('--batch-size', next()); break;
      case '--negatives': args.negatives = int('--negatives', next()); break;
      case '--lr': args.learningRate = Number(next()); break;
      case '--engine': {
        const e = next();
        if (!['auto', 'fused', 'tfjs'].includes(e)) throw new Error(`--engine must be auto, fused or tfjs, got ${e}`);
        args.engine = e as EngineName;
        break;
      }
      case '--threads': args.threads = int('--threads', next()); break;
      case '--out': args.out = next(); break;
      case '--limit-users': args.limitUsers = int('--limit-users', next()); break;
      case '--no-holdout': args.holdout = false; break;
      case '--pre-optimizers': {
        const o = list(next());
        for (const x of o) if (x !== 'sgd' && x !== 'adam') throw new Error(`--pre-optimizers takes sgd and/or adam, got ${x}`);
        args.preOptimizers = o as Optimizer[];
        break;
      }
      case '--pretrain-checkpoint': {
        const c = next();
        if (c !== 'val' && c !== 'test' && c !== 'last') throw new Error(`--pretrain-checkpoint must be val, test or last, got ${c}`);
        args.pretrainCheckpoint = c;
        break;
      }
      case '--alpha': args.alpha = Number(next()); break;
      case '--weights-dir': args.weightsDir = next(); break;
      case '--resume': args.resume = true; break;
      case '--render': {
        const files: string[] = [];
        while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) files.push(argv[++i]);
        args.render = files;
        break;
      }
      case '--reference':
      case '--reference-gmf': {
        const a2 = next();
        if (a2 !== 'dense' && a2 !== 'lazy') throw new Error(`--reference takes dense or lazy, got ${a2}`);
        args.referenceAdam = a2;
        break;
      }
      case '--reference-shuffle': {
        const a2 = next();
        if (a2 !== 'full' && a2 !== 'grouped') throw new Error(`--reference-shuffle takes full or grouped, got ${a2}`);
        args.referenceShuffle = a2;
        break;
      }
      case '--reference-epsilon': args.referenceEpsilon = Number(next()); break;
      case '--original-weights': args.originalWeights = resolve(next()); break;
      case '--doc': args.doc = next(); break;
      case '--svg': args.svg = next(); break;
      default:
        if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
        args.dataDir = resolve(a);
    }
  }
  if (args.render === null && args.out === '') {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    args.out = join(REPO, `bench/results/ml1m-${stamp}.json`);
  }
  return args;
}

// ---------------------------------------------------------------------------------------------
// Data: the NCF split, the validation hold-out and its fixed negatives

interface Prepared {
  ncf: NcfData;
  /** What the models train on (train minus the validation positives unless --no-holdout). */
  fit: Interactions;
  test: { users: Int32Array; items: Int32Array; negatives: Int32Array[] };
  /** Validation users/items (negatives drawn per run). */
  valUsers: Int32Array;
  valItems: Int32Array;
  /** Per-user sorted full training items (for drawing validation negatives). */
  trainByUser: Int32Array[];
}

function restrictUsers(ncf: NcfData, limit: number): NcfData {
  const keep = (d: Interactions): Interactions => {
    const idx: number[] = [];
    for (let k = 0; k < d.users.length; k++) if (d.users[k] < limit) idx.push(k);
    return {
      users: Int32Array.from(idx, (k) => d.users[k]),
      items: Int32Array.from(idx, (k) => d.items[k]),
      ...(d.timestamps ? { timestamps: Float64Array.from(idx, (k) => d.timestamps![k]) } : {}),
      numUsers: limit,
      numItems: d.numItems,
    };
  };
  const rows: number[] = [];
  for (let k = 0; k < ncf.test.users.length; k++) if (ncf.test.users[k] < limit) rows.push(k);
  const testNegatives = ncf.testNegatives ? rows.map((k) => ncf.testNegatives![k]) : undefined;
  return {
    ...ncf,
    train: keep(ncf.train),
    test: { ...keep(ncf.test), ...(testNegatives ? { negatives: testNegatives } : {}) },
    testNegatives,
    numUsers: limit,
  };
}

async function prepare(args: Args): Promise<Prepared> {
  let ncf = await readNcf(args.dataDir);
  if (args.limitUsers !== null && args.limitUsers < ncf.numUsers) ncf = restrictUsers(ncf, args.limitUsers);
  const testNegatives = ncf.testNegatives;
  if (!testNegatives) throw new Error(`${args.dataDir} has no .test.negative file`);
  const { train } = ncf;
  const numUsers = ncf.numUsers;
  // A user's first line in the train file is its latest training interaction (the file lists
  // each user's items latest first): the most test-like positive to hold out.
  const first = new Int32Array(numUsers).fill(-1);
  const count = new Int32Array(numUsers);
  for (let k = 0; k < train.users.length; k++) {
    const u = train.users[k];
    if (first[u] < 0) first[u] = k;
    count[u]++;
  }
  const held = new Uint8Array(train.users.length);
  const valUsers: number[] = [];
  const valItems: number[] = [];
  for (let u = 0; u < numUsers; u++) {
    if (count[u] >= 2) {
      held[first[u]] = 1;
      valUsers.push(u);
      valItems.push(train.items[first[u]]);
    }
  }
  const trainByUser: number[][] = Array.from({ length: numUsers }, () => []);
  for (let k = 0; k < train.users.length; k++) trainByUser[train.users[k]].push(train.items[k]);
  let fit: Interactions = train;
  if (args.holdout) {
    const idx: number[] = [];
    for (let k = 0; k < train.users.length; k++) if (!held[k]) idx.push(k);
    fit = {
      users: Int32Array.from(idx, (k) => train.users[k]),
      items: Int32Array.from(idx, (k) => train.items[k]),
      numUsers: train.numUsers,
      numItems: train.numItems,
    };
  }
  return {
    ncf,
    fit,
    test: { users: ncf.test.users, items: ncf.test.items, negatives: testNegatives },
    valUsers: Int32Array.from(valUsers),
    valItems: Int32Array.from(valItems),
    trainByUser: trainByUser.map((l) => Int32Array.from(l).sort()),
  };
}

/** 99 distinct negatives per validation user, none of them a training positive of that user. */
function validationNegatives(p: Prepared, seed: number, count: number): Int32Array[] {
  return drawNegatives(p.valUsers, p.ncf.numItems, (u) => p.trainByUser[u], deriveSeed(seed, 0x7a11d), count);
}

// ---------------------------------------------------------------------------------------------
// Weights cache (GMF and MLP checkpoints for NeuMF with pretraining)

function saveWeights(path: string, model: tf.LayersModel | tf.Tensor[], epoch: number): void {
  const tensors = Array.isArray(model) ? model : model.getWeights();
  const shapes = tensors.map((t) => t.shape);
  const data = tensors.map((t) => t.dataSync() as Float32Array);
  const total = data.reduce((s, d) => s + d.length, 0);
  const flat = new Float32Array(total);
  let o = 0;
  for (const d of data) {
    flat.set(d, o);
    o += d.length;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.bin`, Buffer.from(flat.buffer));
  writeFileSync(`${path}.json`, JSON.stringify({ shapes, epoch }));
}

function loadWeights(path: string): tf.Tensor[] | null {
  if (!existsSync(`${path}.bin`) || !existsSync(`${path}.json`)) return null;
  const { shapes } = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as { shapes: number[][] };
  const buf = readFileSync(`${path}.bin`);
  const flat = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  let o = 0;
  return shapes.map((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(flat.slice(o, o + n), shape);
    o += n;
    return t;
  });
}

// ---------------------------------------------------------------------------------------------
// One run

function machine(): ResultFile['machine'] {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const m = /model name\s*:\s*(.+)/.exec(info);
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  let nproc = cpus().length;
  try {
    nproc = Number(execSync('nproc').toString().trim()) || nproc;
  } catch {
    // no nproc
  }
  const load = (process as unknown as { loadavg?: () => number[] }).loadavg?.() ?? [];
  return { nproc, cpu, node: process.version, platform: `${process.platform}-${process.arch}`, tfjsBackend: tf.getBackend(), loadAverageAtStart: load };
}

function codeState(): ResultFile['code'] {
  const git = (cmd: string): string => {
    try {
      return execSync(`git ${cmd}`, { cwd: REPO, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch {
      return '';
    }
  };
  return { head: git('rev-parse --short HEAD'), srcDirty: git('status --porcelain -- src').split('\n').filter((l) => l.length > 0) };
}

function round(x: number, d = 4): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

function selectBy(curve: EpochPoint[], key: (p: EpochPoint) => number | undefined): EpochPoint | undefined {
  // strictly greater, as the original code (`if hr > best_hr`): the earliest best wins
  let best: EpochPoint | undefined;
  for (const p of curve) {
    const v = key(p);
    if (v === undefined) continue;
    if (best === undefined || v > (key(best) as number)) best = p;
  }
  return best;
}

function selections(curve: EpochPoint[]): RunRecord['selection'] {
  const t = selectBy(curve, (p) => p.test.hr);
  if (!t) return undefined;
  const v = selectBy(curve, (p) => p.val?.hr);
  return {
    byTest: { epoch: t.epoch, hr: t.test.hr, ndcg: t.test.ndcg },
    ...(v ? { byVal: { epoch: v.epoch, hr: v.test.hr, ndcg: v.test.ndcg, valHr: v.val!.hr } } : {}),
  };
}

class Writer {
  constructor(
    private readonly path: string,
    readonly file: ResultFile,
  ) {}

  flush(): void {
    this.file.updatedAt = new Date().toISOString();
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.file, null, 1) + '\n');
    renameSync(tmp, this.path);
  }
}

/**
 * A Scorer that records the scorePairs results of a first pass and, after rewind(), returns them
 * in the same order (checking each call asks for the same pairs) instead of scoring again.
 */
function replayingScorer(inner: Scorer): Scorer & { rewind(): void } {
  const recorded: { users: Int32Array; items: Int32Array; scores: Float32Array }[] = [];
  let replaying = false;
  let next = 0;
  const same = (a: Int32Array, b: Int32Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
  return {
    numUsers: inner.numUsers,
    numItems: inner.numItems,
    scoreItems: (user, items, out) => inner.scoreItems(user, items, out),
    scoreAllItems: (users, out) => inner.scoreAllItems(users, out),
    scorePairs(users, items, out) {
      if (replaying) {
        const r = recorded[next++];
        if (!r || !same(r.users, users) || !same(r.items, items)) throw new Error('replayingScorer: the second pass asked for other pairs');
        const dst = out ?? new Float32Array(items.length);
        dst.set(r.scores.subarray(0, items.length));
        return dst;
      }
      const scores = scorePairs(inner, users, items, out ?? new Float32Array(items.length));
      recorded.push({ users: users.slice(), items: items.slice(), scores: scores.slice(0, items.length) });
      return scores;
    },
    rewind() {
      replaying = true;
      next = 0;
    },
    dispose: () => inner.dispose(),
  };
}

function evaluatePoint(model: tf.LayersModel, p: Prepared, valNegatives: Int32Array[] | null): Omit<EpochPoint, 'epoch'> {
  const t0 = performance.now();
  const scorer = createScorer(model);
  try {
    // The optimistic pass ranks the same pairs again: it replays the pessimistic pass's scores.
    const replay = replayingScorer(scorer);
    const pess = evaluateSampled(replay, p.test, { k: 10, ties: 'pessimistic' });
    replay.rewind();
    const opt = evaluateSampled(replay, p.test, { k: 10, ties: 'optimistic' });
    const val = valNegatives ? evaluateSampled(scorer, { users: p.valUsers, items: p.valItems, negatives: valNegatives }, { k: 10 }) : null;
    return {
      test: { hr: round(pess.hr, 5), ndcg: round(pess.ndcg, 5) },
      testOptimistic: { hr: round(opt.hr, 5), ndcg: round(opt.ndcg, 5) },
      ...(val ? { val: { hr: round(val.hr, 5), ndcg: round(val.ndcg, 5) } } : {}),
      evalSeconds: round((performance.now() - t0) / 1000, 2),
    };
  } finally {
    scorer.dispose();
  }
}

interface RunSpec {
  model: ModelName;
  optimizer: Optimizer;
  factor: number;
  seed: number;
}

/** What differs from the protocol (learning rate, batch, negatives), '' when nothing does. */
function settingsTag(args: Args, model?: ModelName): string {
  const parts: string[] = [];
  const pre = model === undefined || model === 'neumf-pre';
  if (args.learningRate !== 0.001) parts.push(`lr${args.learningRate}`);
  if (args.batchSize !== 256) parts.push(`b${args.batchSize}`);
  if (args.negatives !== 4) parts.push(`neg${args.negatives}`);
  // pretraining settings only name the runs they change
  if (pre && args.alpha !== 0.5) parts.push(`alpha${args.alpha}`);
  if (pre && args.pretrainCheckpoint !== 'val') parts.push(`pre-${args.pretrainCheckpoint}`);
  // the protocol runs use 2 threads; the fused engine is Hogwild there, exact on one thread
  if (args.threads !== 2 && args.holdout) parts.push(`t${args.threads}`);
  return parts.join('-');
}

function runId(s: RunSpec, args: Args): string {
  const variant = s.model === 'neumf-pre' ? `neumf-pre-${s.optimizer}` : s.model;
  const tag = settingsTag(args, s.model);
  return `${variant}-f${s.factor}-s${s.seed}${args.holdout ? '' : '-full'}${tag ? `-${tag}` : ''}`;
}

function layersOf(factor: number): number[] {
  return [8 * factor, 4 * factor, 2 * factor, factor];
}

/** Checkpoint kept for pretraining: weights of the chosen epoch of a GMF/MLP run. */
interface Keeper {
  bestVal: number;
  bestTest: number;
  valWeights: tf.Tensor[] | null;
  testWeights: tf.Tensor[] | null;
  valEpoch: number;
  testEpoch: number;
}

async function runOne(
  spec: RunSpec,
  args: Args,
  p: Prepared,
  writer: Writer,
  current: { run: RunRecord | null },
): Promise<void> {
  const { numUsers, numItems } = p.ncf;
  const id = runId(spec, args);
  const layers = spec.model === 'gmf' ? undefined : layersOf(spec.factor);
  const valNegatives = args.holdout ? validationNegatives(p, spec.seed, 99) : null;
  const modelSeed = deriveSeed(spec.seed, spec.factor * 16 + ['gmf', 'mlp', 'neumf', 'neumf-pre'].indexOf(spec.model));

  let model: tf.LayersModel;
  let pretrainedFrom: RunRecord['pretrainedFrom'];
  if (spec.model === 'gmf') model = GMF({ numUsers, numItems, factors: spec.factor, seed: modelSeed });
  else if (spec.model === 'mlp') model = MLP({ numUsers, numItems, layers: layersOf(spec.factor), seed: modelSeed });
  else if (spec.model === 'neumf') model = NeuMF({ numUsers, numItems, factors: spec.factor, layers: layersOf(spec.factor), seed: modelSeed });
  else {
    // the GMF and MLP runs of the protocol (their ids carry no checkpoint or alpha tag)
    const protocol = { ...args, alpha: 0.5, pretrainCheckpoint: 'val' as const };
    const gmfId = runId({ ...spec, model: 'gmf', optimizer: 'adam' }, protocol);
    const mlpId = runId({ ...spec, model: 'mlp', optimizer: 'adam' }, protocol);
    const base = join(args.weightsDir, args.limitUsers === null ? 'full' : `limit${args.limitUsers}`);
    const gw = loadWeights(join(base, `${gmfId}-${args.pretrainCheckpoint}`));
    const mw = loadWeights(join(base, `${mlpId}-${args.pretrainCheckpoint}`));
    if (!gw || !mw) {
      console.log(`skip ${id}: no ${args.pretrainCheckpoint} checkpoint of ${gmfId} and ${mlpId} in ${base} (run gmf and mlp first)`);
      return;
    }
    const gmf = GMF({ numUsers, numItems, factors: spec.factor });
    const mlp = MLP({ numUsers, numItems, layers: layersOf(spec.factor) });
    gmf.setWeights(gw);
    mlp.setWeights(mw);
    tf.dispose([...gw, ...mw]);
    model = pretrainedNeuMF(gmf, mlp, { alpha: args.alpha });
    gmf.dispose();
    mlp.dispose();
    const epochOf = (rid: string): number => {
      const meta = JSON.parse(readFileSync(join(base, `${rid}-${args.pretrainCheckpoint}.json`), 'utf8')) as { epoch?: number };
      return meta.epoch ?? -99;
    };
    pretrainedFrom = { gmf: gmfId, mlp: mlpId, checkpoint: args.pretrainCheckpoint, gmfEpoch: epochOf(gmfId), mlpEpoch: epochOf(mlpId) };
  }

  const run: RunRecord = {
    id,
    model: spec.model,
    variant: spec.model === 'neumf-pre' ? `neumf-pre-${spec.optimizer}` : spec.model,
    optimizer: spec.optimizer,
    factor: spec.factor,
    ...(layers ? { layers } : {}),
    seed: spec.seed,
    status: 'running',
    epochsPlanned: args.epochs,
    ...(settingsTag(args, spec.model) ? { tag: settingsTag(args, spec.model) } : {}),
    holdout: args.holdout,
    ...(pretrainedFrom ? { pretrainedFrom } : {}),
    startedAt: new Date().toISOString(),
    trainSeconds: 0,
    evalSeconds: 0,
    wallSeconds: 0,
    curve: [],
  };
  writer.file.runs = writer.file.runs.filter((r) => r.id !== id);
  writer.file.runs.push(run);
  current.run = run;
  const wall0 = performance.now();

  const keeper: Keeper = { bestVal: -1, bestTest: -1, valWeights: null, testWeights: null, valEpoch: -1, testEpoch: -1 };
  const keep = spec.model === 'gmf' || spec.model === 'mlp';
  const record = (point: EpochPoint): void => {
    run.curve.push(point);
    run.evalSeconds = round(run.evalSeconds + point.evalSeconds, 2);
    run.wallSeconds = round((performance.now() - wall0) / 1000, 1);
    run.selection = selections(run.curve);
    if (keep) {
      if (point.val && point.val.hr > keeper.bestVal) {
        keeper.bestVal = point.val.hr;
        keeper.valEpoch = point.epoch;
        if (keeper.valWeights) tf.dispose(keeper.valWeights);
        keeper.valWeights = model.getWeights().map((w) => tf.clone(w));
      }
      if (point.test.hr > keeper.bestTest) {
        keeper.bestTest = point.test.hr;
        keeper.testEpoch = point.epoch;
        if (keeper.testWeights) tf.dispose(keeper.testWeights);
        keeper.testWeights = model.getWeights().map((w) => tf.clone(w));
      }
    }
    writer.flush();
    const v = point.val ? ` val HR ${point.val.hr.toFixed(4)}` : '';
    const s = point.seconds !== undefined ? ` [${point.seconds.toFixed(1)} s, ${Math.round(point.instancesPerSecond ?? 0)}/s, loss ${point.loss?.toFixed(4)}]` : '';
    console.log(`${id} epoch ${point.epoch}: test HR ${point.test.hr.toFixed(4)} NDCG ${point.test.ndcg.toFixed(4)} (optimistic ${point.testOptimistic.hr.toFixed(4)})${v}${s} eval ${point.evalSeconds}s`);
  };

  record({ epoch: -1, ...evaluatePoint(model, p, valNegatives) });
  const history = await train(model, p.fit, {
    epochs: args.epochs,
    batchSize: args.batchSize,
    negatives: args.negatives,
    learningRate: args.learningRate,
    optimizer: spec.optimizer,
    loss: 'bce',
    seed: deriveSeed(spec.seed, 0x5eed + spec.factor),
    engine: args.engine,
    threads: args.threads,
    onEpochEnd: (epoch, logs) => {
      run.trainSeconds = round(run.trainSeconds + logs.seconds, 2);
      record({
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
  run.status = 'complete';
  run.finishedAt = new Date().toISOString();
  run.wallSeconds = round((performance.now() - wall0) / 1000, 1);
  current.run = null;
  writer.flush();

  if (keep) {
    const base = join(args.weightsDir, args.limitUsers === null ? 'full' : `limit${args.limitUsers}`);
    saveWeights(join(base, `${id}-last`), model, run.curve[run.curve.length - 1].epoch);
    if (keeper.valWeights) saveWeights(join(base, `${id}-val`), keeper.valWeights, keeper.valEpoch);
    if (keeper.testWeights) saveWeights(join(base, `${id}-test`), keeper.testWeights, keeper.testEpoch);
    tf.dispose([...(keeper.valWeights ?? []), ...(keeper.testWeights ?? [])]);
  }
  model.dispose();
  const sel = run.selection;
  const paper = paperFigure(run.variant, run.factor);
  console.log(
    `${id} done in ${run.wallSeconds}s: test-selected HR ${sel?.byTest.hr} NDCG ${sel?.byTest.ndcg} (epoch ${sel?.byTest.epoch}); ` +
      `val-selected HR ${sel?.byVal?.hr} NDCG ${sel?.byVal?.ndcg} (epoch ${sel?.byVal?.epoch})` +
      (paper ? `; paper ${paper.hr} / ${paper.ndcg}` : ''),
  );
}

// ---------------------------------------------------------------------------------------------
// Ablation: a plain-JS reference GMF trainer that follows the original Keras 1 code's optimizer
// exactly (dense Adam: every row's moments decay and every row moves at every step, as Keras/Theano
// and PyTorch do with dense embedding gradients; lr_t = lr sqrt(1-b2^t)/(1-b1^t), epsilon 1e-8
// added to sqrt(v)), or with lazy Adam (only the rows a batch touched move: what the fused engine
// does). Same data, sampler rule, batch, init and evaluation as the library runs, so the two differ
// in the one detail under test. Not part of the library: a measuring instrument only.

function gaussian(random: () => number): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

async function runReference(spec: RunSpec, args: Args, p: Prepared, writer: Writer, current: { run: RunRecord | null }): Promise<void> {
  const { numUsers, numItems } = p.ncf;
  const F = spec.factor;
  const mode = args.referenceAdam!;
  const id = `ref-gmf-${mode}-${args.referenceShuffle}-eps${args.referenceEpsilon}-f${F}-s${spec.seed}${args.holdout ? '' : '-full'}`;
  const valNegatives = args.holdout ? validationNegatives(p, spec.seed, 99) : null;
  const random = mulberry32(deriveSeed(spec.seed, 0x4ef));
  const U = numUsers * F;
  const I = numItems * F;
  const W = U + I; // w at W..W+F-1, b at W+F
  const size = W + F + 1;
  const params = new Float32Array(size);
  for (let k = 0; k < W; k++) params[k] = 0.01 * gaussian(random);
  const limit = Math.sqrt(3 / F); // lecun_uniform
  for (let f = 0; f < F; f++) params[W + f] = (2 * random() - 1) * limit;
  const m = new Float32Array(size);
  const v = new Float32Array(size);
  const grad = new Float64Array(size);
  const touched = new Uint8Array(numUsers + numItems);
  const rows: number[] = [];

  // the training positives as a bitset, for the sampler's rejection test
  const fit = p.fit;
  const blocked = new Uint8Array(numUsers * numItems);
  for (let k = 0; k < fit.users.length; k++) blocked[fit.users[k] * numItems + fit.items[k]] = 1;
  const neg = args.negatives;
  const n = fit.users.length * (1 + neg);
  const us = new Int32Array(n);
  const is = new Int32Array(n);
  const ys = new Uint8Array(n);
  const order = new Int32Array(fit.users.length);

  const model = GMF({ numUsers, numItems, factors: F });
  const sync = (): void => {
    const t = [
      tf.tensor2d(params.slice(0, U), [numUsers, F]),
      tf.tensor2d(params.slice(U, W), [numItems, F]),
      tf.tensor2d(params.slice(W, W + F), [F, 1]),
      tf.tensor1d(params.slice(W + F, W + F + 1)),
    ];
    model.getLayer(LAYER_NAMES.gmfUser).setWeights([t[0]]);
    model.getLayer(LAYER_NAMES.gmfItem).setWeights([t[1]]);
    model.getLayer(LAYER_NAMES.prediction).setWeights([t[2], t[3]]);
    tf.dispose(t);
  };

  const run: RunRecord = {
    id,
    model: 'gmf',
    variant: `ref-gmf-${mode}`,
    optimizer: 'adam',
    factor: F,
    seed: spec.seed,
    status: 'running',
    epochsPlanned: args.epochs,
    engine: 'reference (plain JS, one thread)',
    engineReason: `ablation: ${mode} Adam, ${args.referenceShuffle} shuffle, epsilon ${args.referenceEpsilon}`,
    holdout: args.holdout,
    startedAt: new Date().toISOString(),
    trainSeconds: 0,
    evalSeconds: 0,
    wallSeconds: 0,
    curve: [],
  };
  writer.file.runs = writer.file.runs.filter((r) => r.id !== id);
  writer.file.runs.push(run);
  current.run = run;
  const wall0 = performance.now();
  const record = (point: EpochPoint): void => {
    run.curve.push(point);
    run.evalSeconds = round(run.evalSeconds + point.evalSeconds, 2);
    run.wallSeconds = round((performance.now() - wall0) / 1000, 1);
    run.selection = selections(run.curve);
    writer.flush();
    const val = point.val ? ` val HR ${point.val.hr.toFixed(4)}` : '';
    console.log(`${id} epoch ${point.epoch}: test HR ${point.test.hr.toFixed(4)} NDCG ${point.test.ndcg.toFixed(4)}${val} [${point.seconds ?? 0}s, loss ${point.loss ?? '-'}]`);
  };
  sync();
  record({ epoch: -1, ...evaluatePoint(model, p, valNegatives) });

  const b1 = 0.9;
  const b2 = 0.999;
  const eps = args.referenceEpsilon;
  const lr = args.learningRate;
  const B = args.batchSize;
  let t = 0;
  for (let epoch = 0; epoch < args.epochs; epoch++) {
    const t0 = performance.now();
    // instances: each positive followed by its negatives (uniform, rejected when a training positive)
    for (let k = 0; k < order.length; k++) order[k] = k;
    for (let k = order.length - 1; k > 0; k--) {
      const j = randomInt(random, k + 1);
      const x = order[k];
      order[k] = order[j];
      order[j] = x;
    }
    let o = 0;
    for (const k of order) {
      const u = fit.users[k];
      us[o] = u;
      is[o] = fit.items[k];
      ys[o++] = 1;
      for (let r = 0; r < neg; r++) {
        let j = randomInt(random, numItems);
        while (blocked[u * numItems + j]) j = randomInt(random, numItems);
        us[o] = u;
        is[o] = j;
        ys[o++] = 0;
      }
    }
    if (args.referenceShuffle === 'full') {
      // Keras fit(shuffle=True): every instance independently
      for (let k = n - 1; k > 0; k--) {
        const j = randomInt(random, k + 1);
        let x = us[k];
        us[k] = us[j];
        us[j] = x;
        x = is[k];
        is[k] = is[j];
        is[j] = x;
        x = ys[k];
        ys[k] = ys[j];
        ys[j] = x;
      }
    }
    let lossSum = 0;
    for (let start = 0; start < n; start += B) {
      const end = Math.min(n, start + B);
      const scale = 1 / (end - start);
      for (let k = start; k < end; k++) {
        const u = us[k];
        const i = is[k];
        const pu = u * F;
        const qi = U + i * F;
        let z = params[W + F];
        for (let f = 0; f < F; f++) z += params[pu + f] * params[qi + f] * params[W + f];
        const prob = 1 / (1 + Math.exp(-z));
        const y = ys[k];
        lossSum += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
        const dz = (prob - y) * scale;
        for (let f = 0; f < F; f++) {
          const a = params[pu + f];
          const c = params[qi + f];
          const wf = params[W + f];
          grad[W + f] += dz * a * c;
          grad[pu + f] += dz * wf * c;
          grad[qi + f] += dz * wf * a;
        }
        grad[W + F] += dz;
        if (mode === 'lazy') {
          if (!touched[u]) {
            touched[u] = 1;
            rows.push(u);
          }
          if (!touched[numUsers + i]) {
            touched[numUsers + i] = 1;
            rows.push(numUsers + i);
          }
        }
      }
      t++;
      const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      const c1 = 1 - b1;
      const c2 = 1 - b2;
      if (mode === 'dense') {
        // every element, every step: untouched rows have g = 0 but still decay and move
        for (let k = 0; k < size; k++) {
          const g = grad[k];
          const mk = b1 * m[k] + c1 * g;
          const vk = b2 * v[k] + c2 * g * g;
          m[k] = mk;
          v[k] = vk;
          params[k] -= (lrT * mk) / (Math.sqrt(vk) + eps);
          grad[k] = 0;
        }
      } else {
        for (let r2 = 0; r2 <= rows.length; r2++) {
          // the rows the batch touched, then the dense block (w, b)
          const from = r2 < rows.length ? (rows[r2] < numUsers ? rows[r2] * F : U + (rows[r2] - numUsers) * F) : W;
          const to = r2 < rows.length ? from + F : size;
          for (let k = from; k < to; k++) {
            const g = grad[k];
            const mk = b1 * m[k] + c1 * g;
            const vk = b2 * v[k] + c2 * g * g;
            m[k] = mk;
            v[k] = vk;
            params[k] -= (lrT * mk) / (Math.sqrt(vk) + eps);
            grad[k] = 0;
          }
          if (r2 < rows.length) touched[rows[r2]] = 0;
        }
        rows.length = 0;
      }
      // let signal handlers run now and then
      if ((t & 1023) === 0) await new Promise<void>((done) => setImmediate(done));
    }
    const seconds = (performance.now() - t0) / 1000;
    run.trainSeconds = round(run.trainSeconds + seconds, 2);
    sync();
    record({ epoch, loss: round(lossSum / n, 5), seconds: round(seconds, 2), instancesPerSecond: Math.round(n / seconds), ...evaluatePoint(model, p, valNegatives) });
  }
  run.status = 'complete';
  run.finishedAt = new Date().toISOString();
  run.wallSeconds = round((performance.now() - wall0) / 1000, 1);
  current.run = null;
  writer.flush();
  model.dispose();
  console.log(`${id} done: test-selected ${JSON.stringify(run.selection?.byTest)} val-selected ${JSON.stringify(run.selection?.byVal)}`);
}

/**
 * The reference trainer for MLP (same rules as the GMF one above): embeddings E wide, Dense ReLU
 * layers, sigmoid output; dense or lazy Adam exactly as Keras 1. Used only as an ablation.
 */
async function runReferenceMlp(spec: RunSpec, args: Args, p: Prepared, writer: Writer, current: { run: RunRecord | null }): Promise<void> {
  const { numUsers, numItems } = p.ncf;
  const layers = layersOf(spec.factor);
  const E = layers[0] / 2;
  const mode = args.referenceAdam!;
  const id = `ref-mlp-${mode}-${args.referenceShuffle}-eps${args.referenceEpsilon}-f${spec.factor}-s${spec.seed}${args.holdout ? '' : '-full'}`;
  const valNegatives = args.holdout ? validationNegatives(p, spec.seed, 99) : null;
  const random = mulberry32(deriveSeed(spec.seed, 0x4f0));
  // layout: user table, item table, then per Dense layer kernel [out][in] and bias, then output w, b
  const U = numUsers * E;
  const W = U + numItems * E;
  const L = layers.length - 1;
  const kOff: number[] = [];
  const bOff: number[] = [];
  let o = W;
  for (let l = 1; l <= L; l++) {
    kOff[l] = o;
    o += layers[l] * layers[l - 1];
    bOff[l] = o;
    o += layers[l];
  }
  const outW = o;
  const outB = o + layers[L];
  const size = outB + 1;
  const params = new Float32Array(size);
  for (let k = 0; k < W; k++) params[k] = 0.01 * gaussian(random);
  for (let l = 1; l <= L; l++) {
    const limit = Math.sqrt(6 / (layers[l - 1] + layers[l]));
    for (let k = 0; k < layers[l] * layers[l - 1]; k++) params[kOff[l] + k] = (2 * random() - 1) * limit;
  }
  const lim = Math.sqrt(3 / layers[L]);
  for (let k = 0; k < layers[L]; k++) params[outW + k] = (2 * random() - 1) * lim;
  const m = new Float32Array(size);
  const v = new Float32Array(size);
  const grad = new Float64Array(size);
  const touched = new Uint8Array(numUsers + numItems);
  const rows: number[] = [];
  const act = layers.map((n) => new Float64Array(n)); // act[0] = h0, act[l] = relu(a_l)
  const dAct = layers.map((n) => new Float64Array(n));

  const fit = p.fit;
  const blocked = new Uint8Array(numUsers * numItems);
  for (let k = 0; k < fit.users.length; k++) blocked[fit.users[k] * numItems + fit.items[k]] = 1;
  const neg = args.negatives;
  const n = fit.users.length * (1 + neg);
  const us = new Int32Array(n);
  const is = new Int32Array(n);
  const ys = new Uint8Array(n);
  const order = new Int32Array(fit.users.length);

  const model = MLP({ numUsers, numItems, layers });
  const sync = (): void => {
    const t: tf.Tensor[] = [];
    const set = (name: string, ws: tf.Tensor[]): void => {
      t.push(...ws);
      model.getLayer(name).setWeights(ws);
    };
    set(LAYER_NAMES.mlpUser, [tf.tensor2d(params.slice(0, U), [numUsers, E])]);
    set(LAYER_NAMES.mlpItem, [tf.tensor2d(params.slice(U, W), [numItems, E])]);
    for (let l = 1; l <= L; l++) {
      // stored [out][in]; tfjs wants [in][out]
      const k = tf.tidy(() => tf.tensor2d(params.slice(kOff[l], kOff[l] + layers[l] * layers[l - 1]), [layers[l], layers[l - 1]]).transpose());
      set(LAYER_NAMES.mlpLayer(l), [k, tf.tensor1d(params.slice(bOff[l], bOff[l] + layers[l]))]);
    }
    set(LAYER_NAMES.prediction, [tf.tensor2d(params.slice(outW, outW + layers[L]), [layers[L], 1]), tf.tensor1d(params.slice(outB, outB + 1))]);
    tf.dispose(t);
  };

  const run: RunRecord = {
    id,
    model: 'mlp',
    variant: `ref-mlp-${mode}`,
    optimizer: 'adam',
    factor: spec.factor,
    layers,
    seed: spec.seed,
    status: 'running',
    epochsPlanned: args.epochs,
    engine: 'reference (plain JS, one thread)',
    engineReason: `ablation: ${mode} Adam, ${args.referenceShuffle} shuffle, epsilon ${args.referenceEpsilon}`,
    holdout: args.holdout,
    startedAt: new Date().toISOString(),
    trainSeconds: 0,
    evalSeconds: 0,
    wallSeconds: 0,
    curve: [],
  };
  writer.file.runs = writer.file.runs.filter((r) => r.id !== id);
  writer.file.runs.push(run);
  current.run = run;
  const wall0 = performance.now();
  const record = (point: EpochPoint): void => {
    run.curve.push(point);
    run.evalSeconds = round(run.evalSeconds + point.evalSeconds, 2);
    run.wallSeconds = round((performance.now() - wall0) / 1000, 1);
    run.selection = selections(run.curve);
    writer.flush();
    const val = point.val ? ` val HR ${point.val.hr.toFixed(4)}` : '';
    console.log(`${id} epoch ${point.epoch}: test HR ${point.test.hr.toFixed(4)} NDCG ${point.test.ndcg.toFixed(4)}${val} [${point.seconds ?? 0}s, loss ${point.loss ?? '-'}]`);
  };
  sync();
  record({ epoch: -1, ...evaluatePoint(model, p, valNegatives) });

  const b1 = 0.9;
  const b2 = 0.999;
  const eps = args.referenceEpsilon;
  const lr = args.learningRate;
  const B = args.batchSize;
  let t = 0;
  for (let epoch = 0; epoch < args.epochs; epoch++) {
    const t0 = performance.now();
    for (let k = 0; k < order.length; k++) order[k] = k;
    for (let k = order.length - 1; k > 0; k--) {
      const j = randomInt(random, k + 1);
      const x = order[k];
      order[k] = order[j];
      order[j] = x;
    }
    let q = 0;
    for (const k of order) {
      const u = fit.users[k];
      us[q] = u;
      is[q] = fit.items[k];
      ys[q++] = 1;
      for (let r = 0; r < neg; r++) {
        let j = randomInt(random, numItems);
        while (blocked[u * numItems + j]) j = randomInt(random, numItems);
        us[q] = u;
        is[q] = j;
        ys[q++] = 0;
      }
    }
    if (args.referenceShuffle === 'full') {
      for (let k = n - 1; k > 0; k--) {
        const j = randomInt(random, k + 1);
        let x = us[k];
        us[k] = us[j];
        us[j] = x;
        x = is[k];
        is[k] = is[j];
        is[j] = x;
        x = ys[k];
        ys[k] = ys[j];
        ys[j] = x;
      }
    }
    let lossSum = 0;
    for (let start = 0; start < n; start += B) {
      const end = Math.min(n, start + B);
      const scale = 1 / (end - start);
      for (let k = start; k < end; k++) {
        const u = us[k];
        const i = is[k];
        const h0 = act[0];
        for (let e = 0; e < E; e++) {
          h0[e] = params[u * E + e];
          h0[E + e] = params[U + i * E + e];
        }
        for (let l = 1; l <= L; l++) {
          const nin = layers[l - 1];
          const prev = act[l - 1];
          const cur = act[l];
          for (let j = 0; j < layers[l]; j++) {
            let a = params[bOff[l] + j];
            const row = kOff[l] + j * nin;
            for (let c = 0; c < nin; c++) a += params[row + c] * prev[c];
            cur[j] = a > 0 ? a : 0;
          }
        }
        let z = params[outB];
        const last = act[L];
        for (let j = 0; j < layers[L]; j++) z += params[outW + j] * last[j];
        const y = ys[k];
        lossSum += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
        const dz = (1 / (1 + Math.exp(-z)) - y) * scale;
        grad[outB] += dz;
        const dl = dAct[L];
        for (let j = 0; j < layers[L]; j++) {
          grad[outW + j] += dz * last[j];
          dl[j] = last[j] > 0 ? dz * params[outW + j] : 0; // dL/da_L (ReLU gate)
        }
        for (let l = L; l >= 1; l--) {
          const nin = layers[l - 1];
          const prev = act[l - 1];
          const da = dAct[l];
          const dprev = dAct[l - 1];
          dprev.fill(0);
          for (let j = 0; j < layers[l]; j++) {
            const g = da[j];
            if (g === 0) continue;
            grad[bOff[l] + j] += g;
            const row = kOff[l] + j * nin;
            for (let c = 0; c < nin; c++) {
              grad[row + c] += g * prev[c];
              dprev[c] += g * params[row + c];
            }
          }
          if (l > 1) for (let c = 0; c < nin; c++) if (prev[c] <= 0) dprev[c] = 0;
        }
        const d0 = dAct[0];
        for (let e = 0; e < E; e++) {
          grad[u * E + e] += d0[e];
          grad[U + i * E + e] += d0[E + e];
        }
        if (mode === 'lazy') {
          if (!touched[u]) {
            touched[u] = 1;
            rows.push(u);
          }
          if (!touched[numUsers + i]) {
            touched[numUsers + i] = 1;
            rows.push(numUsers + i);
          }
        }
      }
      t++;
      const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      const c1 = 1 - b1;
      const c2 = 1 - b2;
      const update = (from: number, to: number): void => {
        for (let k = from; k < to; k++) {
          const g = grad[k];
          const mk = b1 * m[k] + c1 * g;
          const vk = b2 * v[k] + c2 * g * g;
          m[k] = mk;
          v[k] = vk;
          params[k] -= (lrT * mk) / (Math.sqrt(vk) + eps);
          grad[k] = 0;
        }
      };
      if (mode === 'dense') update(0, size);
      else {
        for (const r of rows) {
          const from = r < numUsers ? r * E : U + (r - numUsers) * E;
          update(from, from + E);
          touched[r] = 0;
        }
        rows.length = 0;
        update(W, size);
      }
      if ((t & 1023) === 0) await new Promise<void>((done) => setImmediate(done));
    }
    const seconds = (performance.now() - t0) / 1000;
    run.trainSeconds = round(run.trainSeconds + seconds, 2);
    sync();
    record({ epoch, loss: round(lossSum / n, 5), seconds: round(seconds, 2), instancesPerSecond: Math.round(n / seconds), ...evaluatePoint(model, p, valNegatives) });
  }
  run.status = 'complete';
  run.finishedAt = new Date().toISOString();
  run.wallSeconds = round((performance.now() - wall0) / 1000, 1);
  current.run = null;
  writer.flush();
  model.dispose();
}

/**
 * Diagnostic: scores the original repository's own pretrained GMF-8 and MLP-[64,32,16,8] (its
 * `Pretrain/*.h5`, converted to raw float32 files, see docs/benchmarks.md) with this library's
 * evaluation, and their pretrainedNeuMF combination; then, when --epochs > 0 and neumf-pre is
 * among --models, trains that combination with --pre-optimizers like a NeuMF-pre run.
 */
async function runOriginal(args: Args, p: Prepared, writer: Writer, current: { run: RunRecord | null }): Promise<void> {
  const dir = args.originalWeights!;
  const shapes = JSON.parse(readFileSync(join(dir, 'shapes.json'), 'utf8')) as Record<string, number[]>;
  const w = (name: string): tf.Tensor => {
    const b = readFileSync(join(dir, `${name}.bin`));
    return tf.tensor(new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4).slice(), shapes[name]);
  };
  const { numUsers, numItems } = p.ncf;
  const gmf = GMF({ numUsers, numItems, factors: 8 });
  gmf.getLayer(LAYER_NAMES.gmfUser).setWeights([w('gmf_user_embedding_W')]);
  gmf.getLayer(LAYER_NAMES.gmfItem).setWeights([w('gmf_item_embedding_W')]);
  gmf.getLayer(LAYER_NAMES.prediction).setWeights([w('gmf_prediction_W'), w('gmf_prediction_b')]);
  const mlp = MLP({ numUsers, numItems, layers: [64, 32, 16, 8] });
  mlp.getLayer(LAYER_NAMES.mlpUser).setWeights([w('mlp_user_embedding_W')]);
  mlp.getLayer(LAYER_NAMES.mlpItem).setWeights([w('mlp_item_embedding_W')]);
  for (const l of [1, 2, 3]) mlp.getLayer(LAYER_NAMES.mlpLayer(l)).setWeights([w(`mlp_layer${l}_W`), w(`mlp_layer${l}_b`)]);
  mlp.getLayer(LAYER_NAMES.prediction).setWeights([w('mlp_prediction_W'), w('mlp_prediction_b')]);
  const valNegatives = args.holdout ? validationNegatives(p, 1, 99) : null;
  const single = (id: string, variant: string, model: tf.LayersModel): void => {
    const point: EpochPoint = { epoch: -1, ...evaluatePoint(model, p, valNegatives) };
    const now = new Date().toISOString();
    writer.file.runs = writer.file.runs.filter((r) => r.id !== id);
    writer.file.runs.push({
      id, model: variant === 'orig-gmf' ? 'gmf' : 'mlp', variant, optimizer: 'adam', factor: 8, seed: 0, status: 'complete', tag: 'original-weights',
      holdout: args.holdout, startedAt: now, finishedAt: now, trainSeconds: 0, evalSeconds: point.evalSeconds, wallSeconds: point.evalSeconds,
      curve: [point], selection: selections([point]),
    });
    writer.flush();
    console.log(`${id}: test HR ${point.test.hr} NDCG ${point.test.ndcg} (optimistic ${point.testOptimistic.hr} / ${point.testOptimistic.ndcg})`);
  };
  single('orig-gmf-f8', 'orig-gmf', gmf);
  single('orig-mlp-f8', 'orig-mlp', mlp);
  if (args.models.includes('neumf-pre')) {
    for (const optimizer of args.preOptimizers) {
      const neumf = pretrainedNeuMF(gmf, mlp, { alpha: args.alpha });
      await trainAndRecord(`orig-neumf-pre-${optimizer}-f8`, `orig-neumf-pre-${optimizer}`, neumf, optimizer, args, p, writer, current, valNegatives);
      neumf.dispose();
    }
  }
  gmf.dispose();
  mlp.dispose();
}

/** Evaluates before training and after every epoch of train(), recording a run (for runOriginal). */
async function trainAndRecord(
  id: string,
  variant: string,
  model: tf.LayersModel,
  optimizer: Optimizer,
  args: Args,
  p: Prepared,
  writer: Writer,
  current: { run: RunRecord | null },
  valNegatives: Int32Array[] | null,
): Promise<void> {
  const run: RunRecord = {
    id, model: 'neumf-pre', variant, optimizer, factor: 8, layers: [64, 32, 16, 8], seed: 1, status: 'running', epochsPlanned: args.epochs,
    tag: 'original-weights', holdout: args.holdout, startedAt: new Date().toISOString(), trainSeconds: 0, evalSeconds: 0, wallSeconds: 0, curve: [],
  };
  writer.file.runs = writer.file.runs.filter((r) => r.id !== id);
  writer.file.runs.push(run);
  current.run = run;
  const wall0 = performance.now();
  const record = (point: EpochPoint): void => {
    run.curve.push(point);
    run.evalSeconds = round(run.evalSeconds + point.evalSeconds, 2);
    run.wallSeconds = round((performance.now() - wall0) / 1000, 1);
    run.selection = selections(run.curve);
    writer.flush();
    console.log(`${id} epoch ${point.epoch}: test HR ${point.test.hr.toFixed(4)} NDCG ${point.test.ndcg.toFixed(4)}${point.val ? ` val HR ${point.val.hr.toFixed(4)}` : ''}`);
  };
  record({ epoch: -1, ...evaluatePoint(model, p, valNegatives) });
  const history = await train(model, p.fit, {
    epochs: args.epochs, batchSize: args.batchSize, negatives: args.negatives, learningRate: args.learningRate, optimizer, loss: 'bce',
    seed: deriveSeed(1, 0x5eed + 8), engine: args.engine, threads: args.threads,
    onEpochEnd: (epoch, logs) => {
      run.trainSeconds = round(run.trainSeconds + logs.seconds, 2);
      record({ epoch, loss: round(logs.loss, 5), seconds: round(logs.seconds, 2), instancesPerSecond: Math.round(logs.instancesPerSecond), ...evaluatePoint(model, p, valNegatives) });
    },
  });
  run.engine = history.engine;
  run.engineReason = history.engineReason;
  run.status = 'complete';
  run.finishedAt = new Date().toISOString();
  current.run = null;
  writer.flush();
}

async function main(args: Args): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  const t0 = performance.now();
  const p = await prepare(args);
  console.log(
    `data: ${p.ncf.numUsers} users, ${p.ncf.numItems} items, ${p.ncf.train.users.length} train positives ` +
      `(${p.fit.users.length} trained on), ${p.valUsers.length} validation, ${p.test.users.length} test, ` +
      `${p.ncf.droppedSelfNegatives} self-listed negatives dropped [${((performance.now() - t0) / 1000).toFixed(1)} s]`,
  );
  const now = new Date().toISOString();
  let file: ResultFile = {
    schema: 'neural-recsys/reproduce-ml1m@1',
    command: `npx tsx bench/reproduce-ml1m.ts ${process.argv.slice(2).join(' ')}`,
    createdAt: now,
    updatedAt: now,
    machine: machine(),
    code: codeState(),
    settings: {
      dataDir: args.dataDir,
      epochs: args.epochs,
      batchSize: args.batchSize,
      negatives: args.negatives,
      learningRate: args.learningRate,
      engine: args.engine,
      threads: args.threads,
      limitUsers: args.limitUsers,
      holdout: args.holdout,
      validationNegatives: 99,
      pretrainCheckpoint: args.pretrainCheckpoint,
      alpha: args.alpha,
    },
    data: {
      users: p.ncf.numUsers,
      items: p.ncf.numItems,
      trainPositives: p.ncf.train.users.length,
      trainedPositives: p.fit.users.length,
      validation: p.valUsers.length,
      test: p.test.users.length,
      droppedSelfNegatives: p.ncf.droppedSelfNegatives,
    },
    runs: [],
  };
  if (args.resume && existsSync(args.out)) {
    const old = JSON.parse(readFileSync(args.out, 'utf8')) as ResultFile;
    file = { ...file, createdAt: old.createdAt, runs: old.runs.filter((r) => r.status === 'complete') };
  }
  const writer = new Writer(args.out, file);
  const current: { run: RunRecord | null } = { run: null };
  const cut = (signal: string): void => {
    if (current.run) {
      current.run.status = 'cut';
      current.run.finishedAt = new Date().toISOString();
      writer.flush();
      console.log(`${signal}: ${current.run.id} marked cut after ${current.run.curve.length - 1} epochs; ${args.out} written`);
    }
    process.exit(130);
  };
  process.on('SIGTERM', () => cut('SIGTERM'));
  process.on('SIGINT', () => cut('SIGINT'));
  writer.flush();

  if (args.originalWeights !== null) {
    await runOriginal(args, p, writer, current);
    console.log(`wrote ${args.out}`);
    return;
  }
  for (const factor of args.factors) {
    for (const seed of args.seeds) {
      for (const model of args.models) {
        const optimizers: Optimizer[] = model === 'neumf-pre' ? args.preOptimizers : ['adam'];
        for (const optimizer of optimizers) {
          const spec: RunSpec = { model, optimizer, factor, seed };
          if (args.referenceAdam !== null) {
            if (model === 'gmf') await runReference(spec, args, p, writer, current);
            if (model === 'mlp') await runReferenceMlp(spec, args, p, writer, current);
            continue;
          }
          const existing = writer.file.runs.find((r) => r.id === runId(spec, args));
          if (existing?.status === 'complete') {
            console.log(`skip ${existing.id}: complete in ${args.out}`);
            continue;
          }
          await runOne(spec, args, p, writer, current);
        }
      }
    }
  }
  console.log(`wrote ${args.out} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

// ---------------------------------------------------------------------------------------------
// Rendering: the table for docs/benchmarks.md and the SVG plot

interface Group {
  variant: string;
  factor: number;
  runs: RunRecord[];
}

const VARIANT_ORDER = ['gmf', 'mlp', 'neumf', 'neumf-pre-sgd', 'neumf-pre-adam'];
const VARIANT_LABEL: Record<string, string> = {
  gmf: 'GMF',
  mlp: 'MLP',
  neumf: 'NeuMF (no pretraining)',
  'neumf-pre-sgd': 'NeuMF-pre, SGD (paper)',
  'neumf-pre-adam': 'NeuMF-pre, Adam (code README)',
};

function loadRuns(files: string[]): { runs: RunRecord[]; files: ResultFile[] } {
  const byId = new Map<string, RunRecord>();
  const rank = { complete: 2, cut: 1, running: 0 } as const;
  const loaded: ResultFile[] = [];
  for (const f of files) {
    const r = JSON.parse(readFileSync(f, 'utf8')) as ResultFile;
    loaded.push(r);
    for (const run of r.runs) {
      // key includes the epoch budget and user limit, so test-size runs never mix with real ones
      const key = `${run.id}|${r.settings.epochs}|${r.settings.limitUsers ?? 'all'}`;
      const old = byId.get(key);
      if (!old || rank[run.status] > rank[old.status] || (rank[run.status] === rank[old.status] && run.curve.length >= old.curve.length)) {
        byId.set(key, { ...run, epochsPlanned: run.epochsPlanned ?? r.settings.epochs });
      }
    }
  }
  return { runs: [...byId.values()], files: loaded };
}

function meanSpread(xs: number[]): string {
  if (xs.length === 0) return '–';
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length === 1) return mean.toFixed(3);
  const half = (Math.max(...xs) - Math.min(...xs)) / 2;
  return `${mean.toFixed(3)} ± ${half.toFixed(3)}`;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function groups(runs: RunRecord[]): Group[] {
  const map = new Map<string, Group>();
  for (const r of runs) {
    if (!r.holdout || r.tag || !VARIANT_ORDER.includes(r.variant)) continue;
    const key = `${r.variant}|${r.factor}`;
    if (!map.has(key)) map.set(key, { variant: r.variant, factor: r.factor, runs: [] });
    map.get(key)!.runs.push(r);
  }
  return [...map.values()].sort((a, b) => a.factor - b.factor || VARIANT_ORDER.indexOf(a.variant) - VARIANT_ORDER.indexOf(b.variant));
}

/**
 * The main table. "Test-selected" is the paper's protocol: trained on the whole train file, the
 * best epoch by test HR. "Val-selected" never looks at the test set: the number of epochs (and,
 * for NeuMF-pre, the run) is chosen by validation HR in the hold-out run of the same model and
 * seed, and the figure is the test HR of the whole-file run after that many epochs (choose on a
 * validation split, then refit on all the training data). The hold-out run's own figures, trained
 * without the validation items, are in the last column.
 */
function renderTable(runs: RunRecord[]): string {
  const lines = [
    '| Model | Factor | Seeds | Paper HR@10 / NDCG@10 | Test-selected HR@10 | NDCG@10 | HR − paper | Val-selected HR@10 | NDCG@10 | Val − test (HR) | Epochs (test; val) | Hold-out run itself: test-sel. / val-sel. HR@10 |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  // the same model and seed trained on the whole train file, as the original code does; for
  // NeuMF-pre, from the GMF and MLP checkpoints named by `checkpoint` ('val': no tag)
  // (a test-selected figure may come from a run cut short: its epoch column then says "of N")
  const wholeFile = (h: RunRecord, checkpoint: 'test' | 'val' | 'last', allowCut = false): RunRecord | undefined =>
    runs.find(
      (r) =>
        !r.holdout && (r.status === 'complete' || (allowCut && r.curve.length > 1)) && r.selection !== undefined && r.variant === h.variant && r.factor === h.factor &&
        r.seed === h.seed && (r.model === 'neumf-pre' ? (r.tag ?? '') === (checkpoint === 'val' ? '' : `pre-${checkpoint}`) : !r.tag),
    );
  for (const g of groups(runs)) {
    const pre = g.variant.startsWith('neumf-pre');
    const pairs = g.runs
      .filter((r) => r.status === 'complete' && r.selection?.byVal)
      .sort((a, b) => a.seed - b.seed)
      .map((h) => ({
        h,
        // test-selected: every choice by test, as the original code (NeuMF-pre from the test-best
        // GMF and MLP); val-selected: no choice by test (NeuMF-pre from validation-chosen or last epochs)
        t: pre ? (wholeFile(h, 'test') ?? wholeFile(h, 'test', true) ?? wholeFile(h, 'val') ?? wholeFile(h, 'last')) : wholeFile(h, 'val'),
        w: pre ? (wholeFile(h, 'val') ?? wholeFile(h, 'last')) : wholeFile(h, 'val'),
      }))
      .filter((x): x is { h: RunRecord; t: RunRecord; w: RunRecord } => x.w !== undefined && x.t !== undefined)
      // the whole-file run must have reached the epoch the hold-out run's validation chose
      .filter((x) => x.w.curve.some((q) => q.epoch === x.h.selection!.byVal!.epoch));
    const pending = g.runs
      .filter((r) => !pairs.some((x) => x.h === r))
      .map((r) => `s${r.seed}: ${r.status === 'complete' ? 'no matching whole-file run' : `${r.curve.length - 1} of ${r.epochsPlanned ?? '?'} epochs`}`);
    // a whole-file run trained for fewer epochs than the protocol's is named with its budget
    const budget = (r: RunRecord, h: RunRecord): string => {
      const n = r.curve.filter((q) => q.epoch >= 0).length;
      return n < h.curve.filter((q) => q.epoch >= 0).length ? ` of ${n}` : '';
    };
    // which pretraining checkpoints the whole-file NeuMF-pre runs started from (test; val selection)
    const from = (r: RunRecord): string => (r.tag === 'pre-test' ? 'test-best' : r.tag === 'pre-last' ? 'last' : 'val-chosen');
    const starts = pre ? `, GMF+MLP epochs: ${[...new Set(pairs.map((x) => from(x.t)))].join('/')}; ${[...new Set(pairs.map((x) => from(x.w)))].join('/')}` : '';
    const test = pairs.map(({ t }) => t.selection!.byTest);
    const val = pairs.map(({ h, w }) => {
      const epoch = h.selection!.byVal!.epoch;
      const point = w.curve.find((q) => q.epoch === epoch)!;
      return { epoch, hr: point.test.hr, ndcg: point.test.ndcg };
    });
    const paper = paperFigure(g.variant, g.factor);
    const hrT = mean(test.map((x) => x.hr));
    const hrV = mean(val.map((x) => x.hr));
    const ok = pairs.length > 0;
    lines.push(
      `| ${VARIANT_LABEL[g.variant] ?? g.variant}${starts} | ${g.factor} | ${pairs.map((x) => x.h.seed).join(', ') || 'none'}${pending.length ? ` (${pending.join('; ')})` : ''} | ` +
        `${paper ? `${paper.hr.toFixed(3)} / ${paper.ndcg.toFixed(3)}` : 'no table'} | ` +
        `${meanSpread(test.map((x) => x.hr))} | ${meanSpread(test.map((x) => x.ndcg))} | ${paper && ok ? signed(hrT - paper.hr) : '–'} | ` +
        `${meanSpread(val.map((x) => x.hr))} | ${meanSpread(val.map((x) => x.ndcg))} | ${ok ? signed(hrV - hrT) : '–'} | ` +
        `${pairs.map((x, i) => `${test[i].epoch}${budget(x.t, x.h)}`).join(', ') || '–'}; ${pairs.map((x, i) => `${val[i].epoch}${budget(x.w, x.h)}`).join(', ') || '–'} | ` +
        `${meanSpread(pairs.map((x) => x.h.selection!.byTest.hr))} / ${meanSpread(pairs.map((x) => x.h.selection!.byVal!.hr))} |`,
    );
  }
  return lines.join('\n');
}

function signed(x: number): string {
  const r = x.toFixed(3);
  return r === '-0.000' ? '0.000' : x >= 0 ? `+${r}` : r;
}

/** Everything outside the main protocol (no hold-out, reference trainer, ...), grouped over seeds. */
function renderAblations(runs: RunRecord[]): string {
  const map = new Map<string, RunRecord[]>();
  for (const r of runs) {
    const key = r.id.replace(/-s\d+(-|$)/, '$1');
    if (!map.has(key)) map.set(key, []);
    map.get(key)!.push(r);
  }
  const lines = [
    '| Configuration | Seeds | Test-selected HR@10 | NDCG@10 | Val-selected HR@10 | NDCG@10 | HR@10 after epoch 2 / 5 / 10 | HR@10 at the last epoch | Mean of the last 5 epochs\' HR@10 |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [key, rs] of [...map.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    // partial runs count here (marked): these rows compare configurations at equal epochs
    const done = rs.filter((r) => r.curve.length > 1 || (r.status === 'complete' && r.curve.length > 0)).sort((a, b) => a.seed - b.seed);
    if (done.length === 0) continue;
    const t = done.map((r) => r.selection!.byTest);
    const v = done.map((r) => r.selection!.byVal).filter((x): x is Selection => x !== undefined);
    const last = done.map((r) => r.curve[r.curve.length - 1].test.hr);
    const tail = done.map((r) => {
      const trained = r.curve.filter((q) => q.epoch >= 0);
      return mean((trained.length ? trained : r.curve).slice(-5).map((q) => q.test.hr));
    });
    // epochs are 0-based in the curves: epoch 1 is the end of the second pass
    const at = (epoch: number): string => {
      const xs = done.map((r) => r.curve.find((q) => q.epoch === epoch)?.test.hr).filter((x): x is number => x !== undefined);
      return xs.length ? mean(xs).toFixed(3) : '–';
    };
    lines.push(
      `| ${key} | ${done.map((r) => (r.status === 'complete' ? `${r.seed}` : `${r.seed} (**partial**: ${r.curve.length - 1} of ${r.epochsPlanned ?? '?'} epochs)`)).join(', ')} | ${meanSpread(t.map((x) => x.hr))} | ${meanSpread(t.map((x) => x.ndcg))} | ` +
        `${meanSpread(v.map((x) => x.hr))} | ${meanSpread(v.map((x) => x.ndcg))} | ${[1, 4, 9].map((e) => at(e)).join(' / ')} | ${meanSpread(last)} | ${meanSpread(tail)} |`,
    );
  }
  return lines.join('\n');
}

function renderRuns(runs: RunRecord[]): string {
  const lines = [
    '| Run | Status | Epochs | Train s/epoch | Eval s/point | Wall (min) | Test-sel. HR / NDCG (epoch) | Val-sel. HR / NDCG (epoch) | Final epoch HR | Ties: optimistic − pessimistic HR (best test epoch) |',
    '|---|---|---:|---:|---:|---:|---|---|---:|---:|',
  ];
  const sorted = [...runs].sort(
    (a, b) => a.factor - b.factor || a.seed - b.seed || VARIANT_ORDER.indexOf(a.variant) - VARIANT_ORDER.indexOf(b.variant) || a.id.localeCompare(b.id),
  );
  for (const r of sorted) {
    const trained = r.curve.filter((p) => p.epoch >= 0);
    const sPer = trained.length ? mean(trained.map((p) => p.seconds ?? 0)) : 0;
    const ePer = r.curve.length ? mean(r.curve.map((p) => p.evalSeconds)) : 0;
    const bt = r.selection?.byTest;
    const bv = r.selection?.byVal;
    const last = r.curve[r.curve.length - 1];
    const bp = r.curve.find((p) => p.epoch === bt?.epoch);
    const ties = bp ? (bp.testOptimistic.hr - bp.test.hr).toFixed(4) : '–';
    lines.push(
      `| ${r.id} | ${r.status === 'complete' ? 'complete' : `**partial** (${r.status})`} | ${trained.length} | ${sPer.toFixed(1)} | ${ePer.toFixed(1)} | ${(r.wallSeconds / 60).toFixed(1)} | ` +
        `${bt ? `${bt.hr.toFixed(4)} / ${bt.ndcg.toFixed(4)} (${bt.epoch})` : '–'} | ${bv ? `${bv.hr.toFixed(4)} / ${bv.ndcg.toFixed(4)} (${bv.epoch})` : '–'} | ` +
        `${last ? last.test.hr.toFixed(4) : '–'} | ${ties} |`,
    );
  }
  return lines.join('\n');
}

function renderCurves(runs: RunRecord[]): string {
  const out: string[] = [];
  for (const r of [...runs].sort((a, b) => a.id.localeCompare(b.id))) {
    const hr = r.curve.map((p) => p.test.hr.toFixed(3)).join(' ');
    const val = r.curve.map((p) => (p.val ? p.val.hr.toFixed(3) : '–')).join(' ');
    out.push(`${r.id} (${r.status})\n  test HR@10 from init: ${hr}\n  val  HR@10 from init: ${val}`);
  }
  return '```text\n' + out.join('\n') + '\n```';
}

const SHORT_LABEL: Record<string, string> = {
  gmf: 'GMF',
  mlp: 'MLP',
  neumf: 'NeuMF',
  'neumf-pre-sgd': 'NeuMF-pre SGD',
  'neumf-pre-adam': 'NeuMF-pre Adam',
};

const COLORS: Record<string, string> = {
  gmf: '#1f77b4',
  mlp: '#ff7f0e',
  neumf: '#2ca02c',
  'neumf-pre-sgd': '#d62728',
  'neumf-pre-adam': '#9467bd',
};

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** HR@10 (test, pessimistic ties) per epoch at factor 8, mean over the seeds that reached each epoch. */
function renderSvg(runs: RunRecord[], factor: number): string {
  const W = 980;
  const H = 480;
  const m = { left: 60, right: 340, top: 40, bottom: 50 };
  const series: { variant: string; points: [number, number][]; seeds: number; full: boolean }[] = [];
  for (const full of [false, true]) {
    for (const variant of VARIANT_ORDER) {
      // protocol runs (validation hold-out), or the same model trained on the whole train file
      // whole-file NeuMF-pre: the runs from the last GMF/MLP epochs (those exist for SGD and Adam)
      const rs = runs.filter(
        (r) => r.variant === variant && r.factor === factor && (full ? !r.holdout && (r.model !== 'neumf-pre' || r.tag === 'pre-last') : r.holdout && !r.tag),
      );
      if (rs.length === 0) continue;
      const maxEpoch = Math.max(...rs.flatMap((r) => r.curve.map((p) => p.epoch)));
      const pts: [number, number][] = [];
      // before training only for the pretrained models: for the others it is a random model
      const from = variant.startsWith('neumf-pre') ? -1 : 0;
      for (let e = from; e <= maxEpoch; e++) {
        const vals = rs.map((r) => r.curve.find((p) => p.epoch === e)?.test.hr).filter((x): x is number => x !== undefined);
        if (vals.length) pts.push([e + 1, mean(vals)]);
      }
      series.push({ variant, points: pts, seeds: rs.length, full });
    }
  }
  const allY = series.flatMap((s) => s.points.map((p) => p[1]));
  const refs = VARIANT_ORDER.map((v) => ({ v, p: paperFigure(v, factor) })).filter((x) => x.p && (x.v !== 'neumf-pre-adam'));
  for (const r of refs) allY.push(r.p!.hr);
  const yMin = allY.length ? Math.floor((Math.min(...allY) - 0.01) * 50) / 50 : 0.4;
  const yMax = allY.length ? Math.ceil((Math.max(...allY) + 0.005) * 50) / 50 : 0.75;
  const xMax = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[0])));
  const px = (x: number): number => m.left + (x / xMax) * (W - m.left - m.right);
  const py = (y: number): number => m.top + (1 - (y - yMin) / (yMax - yMin)) * (H - m.top - m.bottom);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="${m.left}" y="18" font-size="14" font-weight="bold">HR@10 on the ML-1M test set per epoch, factor ${factor} (mean over seeds)</text>`);
  parts.push(`<text x="${m.left}" y="33" fill="#444">solid: trained with the validation hold-out (the protocol); dotted: trained on the whole train file; dashed: the paper</text>`);
  // grid and y ticks
  for (let y = yMin; y <= yMax + 1e-9; y += 0.02) {
    const Y = py(y).toFixed(1);
    parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${Y}" y2="${Y}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 6}" y="${Y}" text-anchor="end" dominant-baseline="middle">${y.toFixed(2)}</text>`);
  }
  for (let x = 0; x <= xMax; x += xMax > 10 ? 2 : 1) {
    const X = px(x).toFixed(1);
    parts.push(`<line x1="${X}" x2="${X}" y1="${H - m.bottom}" y2="${H - m.bottom + 4}" stroke="#333"/>`);
    parts.push(`<text x="${X}" y="${H - m.bottom + 16}" text-anchor="middle">${x === 0 ? 'init' : x}</text>`);
  }
  parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" stroke="#333"/>`);
  parts.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 12}" text-anchor="middle">epoch</text>`);
  parts.push(`<text x="16" y="${(m.top + H - m.bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(m.top + H - m.bottom) / 2})">HR@10 (pessimistic ties)</text>`);
  // the paper's figures as dashed lines
  for (const r of refs) {
    const Y = py(r.p!.hr).toFixed(1);
    parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${Y}" y2="${Y}" stroke="${COLORS[r.v]}" stroke-dasharray="5 4" stroke-width="1"/>`);
  }
  for (const s of series) {
    const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${COLORS[s.variant]}" stroke-width="${s.full ? 1.5 : 2}"${s.full ? ' stroke-dasharray="1 3" stroke-linecap="round"' : ''}/>`);
    if (!s.full) for (const p of s.points) parts.push(`<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="2.5" fill="${COLORS[s.variant]}"/>`);
  }
  // legend
  let ly = m.top + 6;
  const lx = W - m.right + 14;
  for (const s of series) {
    parts.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${COLORS[s.variant]}" stroke-width="2"${s.full ? ' stroke-dasharray="1 3" stroke-linecap="round"' : ''}/>`);
    const what = `${SHORT_LABEL[s.variant] ?? s.variant}${s.full ? ', whole train file' : ', hold-out'}`;
    parts.push(`<text x="${lx + 28}" y="${ly}" dominant-baseline="middle">${esc(what)} (${s.seeds} seed${s.seeds > 1 ? 's' : ''})</text>`);
    ly += 20;
  }
  ly += 10;
  for (const r of refs) {
    const label = r.v === 'neumf-pre-sgd' ? 'NeuMF-pre' : VARIANT_LABEL[r.v].replace(' (no pretraining)', '');
    parts.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${COLORS[r.v]}" stroke-dasharray="5 4"/>`);
    parts.push(`<text x="${lx + 28}" y="${ly}" dominant-baseline="middle">paper ${esc(label)}: ${r.p!.hr.toFixed(3)}</text>`);
    ly += 20;
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function replaceBlock(doc: string, name: string, body: string): string {
  const begin = `<!-- BEGIN GENERATED: ${name} -->`;
  const end = `<!-- END GENERATED: ${name} -->`;
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) return `${doc.trimEnd()}\n\n${begin}\n${body}\n${end}\n`;
  return `${doc.slice(0, a + begin.length)}\n${body}\n${doc.slice(b)}`;
}

function render(args: Args): void {
  const files = args.render ?? [];
  if (files.length === 0) throw new Error('--render needs one or more result files');
  const { runs, files: loaded } = loadRuns(files);
  const real = runs.filter((r) => r.curve.length > 0);
  const table = renderTable(real);
  const perRun = renderRuns(real);
  const curves = renderCurves(real);
  const m = loaded[0].machine;
  const machineLine = `${m.nproc} cores (nproc), ${m.cpu}, Node ${m.node}, ${m.platform}, tfjs backend ${m.tfjsBackend}`;
  const sources = files.map((f) => `\`${f.replace(REPO, '')}\``).join(', ');
  const commands = [...new Set(loaded.map((f) => f.command))].map((c) => `    ${c}`).join('\n');
  let doc = existsSync(args.doc) ? readFileSync(args.doc, 'utf8') : '# Benchmarks\n';
  doc = replaceBlock(doc, 'table', `${table}\n\nRendered from ${sources} (command below).`);
  doc = replaceBlock(doc, 'ablations', renderAblations(real));
  doc = replaceBlock(doc, 'runs', perRun);
  doc = replaceBlock(doc, 'commands', `Commands that produced these files:\n\n${commands}\n\nMachine: ${machineLine}.`);
  doc = replaceBlock(doc, 'curves', curves);
  mkdirSync(dirname(args.doc), { recursive: true });
  writeFileSync(args.doc, doc);
  writeFileSync(args.svg, renderSvg(real, 8));
  console.log(table);
  console.log(`\nwrote ${args.doc} and ${args.svg}`);
}

const args = parseArgs(process.argv.slice(2));
if (args.render !== null) render(args);
else await main(args);
