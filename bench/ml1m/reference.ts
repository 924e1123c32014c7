// Ablation: a plain-JS reference trainer (GMF or MLP) that follows the original Keras 1 code's
// optimizer exactly (dense Adam: every row's moments decay and every row moves at every step, as
// Keras/Theano and PyTorch do with dense embedding gradients; lr_t = lr sqrt(1-b2^t)/(1-b1^t),
// epsilon 1e-8 added to sqrt(v)), or with lazy Adam (only the rows a batch touched move: what the
// fused engine does), and Keras's shuffle of every instance (`full`) or the library's positive
// followed by its negatives (`grouped`).
//
// Why it is not the library: it is an independent oracle for the optimizer details above, which the
// library does not offer (its Adam adds epsilon 1e-7 to the bias-corrected sqrt(v-hat), as tfjs
// does, and its sampler keeps each positive next to its negatives), so train() cannot stand in for
// the Keras code here. One trainer for both models: only the networks differ (reference-nets.ts).
// Same data, sampler rule, batch, init and evaluation as the library runs, so the two differ in the
// one detail under test. Not part of the library: a measuring instrument only (`--reference`).
import { deriveSeed, mulberry32, randomInt } from '../../src/_lib/random.js';
import type { Args } from './args.js';
import { validationNegatives, type Prepared } from './data.js';
import { evaluatePoint } from './evaluate.js';
import { round, startRun, type Current, type Writer } from './record.js';
import { gmfNet, mlpNet, type Net } from './reference-nets.js';
import { layersOf, type RunSpec } from './run.js';
import type { RunRecord } from './types.js';

/** An epoch's instances: each positive (shuffled) followed by its negatives, then (`full`) every instance shuffled. */
class Instances {
  readonly us: Int32Array;
  readonly is: Int32Array;
  readonly ys: Uint8Array;
  private readonly order: Int32Array;
  private readonly blocked: Uint8Array;

  constructor(
    private readonly p: Prepared,
    private readonly negatives: number,
  ) {
    const { fit, ncf } = p;
    // the training positives as a bitset, for the sampler's rejection test
    this.blocked = new Uint8Array(ncf.numUsers * ncf.numItems);
    for (let k = 0; k < fit.users.length; k++) this.blocked[fit.users[k] * ncf.numItems + fit.items[k]] = 1;
    const n = fit.users.length * (1 + negatives);
    this.us = new Int32Array(n);
    this.is = new Int32Array(n);
    this.ys = new Uint8Array(n);
    this.order = new Int32Array(fit.users.length);
  }

  draw(random: () => number, shuffle: 'full' | 'grouped'): void {
    const { order, us, is, ys, blocked } = this;
    const { fit, ncf } = this.p;
    const numItems = ncf.numItems;
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
      // uniform, rejected when a training positive
      for (let r = 0; r < this.negatives; r++) {
        let j = randomInt(random, numItems);
        while (blocked[u * numItems + j]) j = randomInt(random, numItems);
        us[o] = u;
        is[o] = j;
        ys[o++] = 0;
      }
    }
    // Keras fit(shuffle=True): every instance independently
    if (shuffle === 'full') {
      for (let k = us.length - 1; k > 0; k--) {
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
  }
}

/** Adam exactly as Keras 1: dense (every element every step) or lazy (the touched rows and the dense block). */
class KerasAdam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  readonly grad: Float64Array;
  private readonly touched: Uint8Array;
  private readonly rows: number[] = [];
  private t = 0;

  constructor(
    private readonly net: Net,
    private readonly numUsers: number,
    numItems: number,
    private readonly mode: 'dense' | 'lazy',
    private readonly lr: number,
    private readonly eps: number,
  ) {
    const size = net.params.length;
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
    this.grad = new Float64Array(size);
    this.touched = new Uint8Array(numUsers + numItems);
  }

  /** Notes that the instance (u, i) touched the user row u and the item row i (lazy mode). */
  touch(u: number, i: number): void {
    if (this.mode !== 'lazy') return;
    this.mark(u);
    this.mark(this.numUsers + i);
  }

  private mark(row: number): void {
    if (!this.touched[row]) {
      this.touched[row] = 1;
      this.rows.push(row);
    }
  }

  /** One step on the accumulated gradient, which it clears; returns the step count. */
  step(): number {
    const t = ++this.t;
    const size = this.net.params.length;
    const lrT = (this.lr * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
    if (this.mode === 'dense') {
      // every element, every step: untouched rows have g = 0 but still decay and move
      this.update(0, size, lrT);
      return t;
    }
    const { rowWidth: width, denseFrom } = this.net;
    for (const r of this.rows) {
      const from = r < this.numUsers ? r * width : this.numUsers * width + (r - this.numUsers) * width;
      this.update(from, from + width, lrT);
      this.touched[r] = 0;
    }
    this.rows.length = 0;
    this.update(denseFrom, size, lrT);
    return t;
  }

  private update(from: number, to: number, lrT: number): void {
    const { m, v, grad, eps } = this;
    const params = this.net.params;
    for (let k = from; k < to; k++) {
      const g = grad[k];
      const mk = 0.9 * m[k] + (1 - 0.9) * g;
      const vk = 0.999 * v[k] + (1 - 0.999) * g * g;
      m[k] = mk;
      v[k] = vk;
      params[k] -= (lrT * mk) / (Math.sqrt(vk) + eps);
      grad[k] = 0;
    }
  }
}

/** One epoch of minibatches; returns the summed loss. */
async function trainEpoch(net: Net, adam: KerasAdam, data: Instances, batchSize: number): Promise<number> {
  const { us, is, ys } = data;
  const n = us.length;
  let lossSum = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const scale = 1 / (end - start);
    for (let k = start; k < end; k++) {
      lossSum += net.accumulate(us[k], is[k], ys[k], scale, adam.grad);
      adam.touch(us[k], is[k]);
    }
    // let signal handlers run now and then
    if ((adam.step() & 1023) === 0) await new Promise<void>((done) => setImmediate(done));
  }
  return lossSum;
}

/** Trains the reference GMF or MLP of `spec` for --epochs, recording its curve like a library run. */
export async function runReference(spec: RunSpec, args: Args, p: Prepared, writer: Writer, current: Current): Promise<void> {
  if (spec.model !== 'gmf' && spec.model !== 'mlp') return;
  const { numUsers, numItems } = p.ncf;
  const mode = args.referenceAdam ?? 'dense';
  const name = `ref-${spec.model}`;
  const id = `${name}-${mode}-${args.referenceShuffle}-eps${args.referenceEpsilon}-f${spec.factor}-s${spec.seed}${args.holdout ? '' : '-full'}`;
  const valNegatives = args.holdout ? validationNegatives(p, spec.seed, 99) : null;
  const random = mulberry32(deriveSeed(spec.seed, spec.model === 'gmf' ? 0x4ef : 0x4f0));
  const layers = spec.model === 'mlp' ? layersOf(spec.factor) : undefined;
  const net = layers ? mlpNet(numUsers, numItems, layers, random) : gmfNet(numUsers, numItems, spec.factor, random);
  const adam = new KerasAdam(net, numUsers, numItems, mode, args.learningRate, args.referenceEpsilon);
  const data = new Instances(p, args.negatives);
  const run: RunRecord = {
    id, model: spec.model, variant: `${name}-${mode}`, optimizer: 'adam', factor: spec.factor, ...(layers ? { layers } : {}), seed: spec.seed,
    status: 'running', epochsPlanned: args.epochs, engine: 'reference (plain JS, one thread)',
    engineReason: `ablation: ${mode} Adam, ${args.referenceShuffle} shuffle, epsilon ${args.referenceEpsilon}`,
    holdout: args.holdout, startedAt: new Date().toISOString(), trainSeconds: 0, evalSeconds: 0, wallSeconds: 0, curve: [],
  };
  const runWriter = startRun(writer, current, run, (point) => {
    const val = point.val ? ` val HR ${point.val.hr.toFixed(4)}` : '';
    console.log(`${id} epoch ${point.epoch}: test HR ${point.test.hr.toFixed(4)} NDCG ${point.test.ndcg.toFixed(4)}${val} [${point.seconds ?? 0}s, loss ${point.loss ?? '-'}]`);
  });
  net.sync();
  runWriter.record({ epoch: -1, ...evaluatePoint(net.model, p, valNegatives) });
  for (let epoch = 0; epoch < args.epochs; epoch++) {
    const t0 = performance.now();
    data.draw(random, args.referenceShuffle);
    const lossSum = await trainEpoch(net, adam, data, args.batchSize);
    const seconds = (performance.now() - t0) / 1000;
    const n = data.us.length;
    run.trainSeconds = round(run.trainSeconds + seconds, 2);
    net.sync();
    runWriter.record({ epoch, loss: round(lossSum / n, 5), seconds: round(seconds, 2), instancesPerSecond: Math.round(n / seconds), ...evaluatePoint(net.model, p, valNegatives) });
  }
  runWriter.finish();
  net.model.dispose();
  console.log(`${id} done: test-selected ${JSON.stringify(run.selection?.byTest)} val-selected ${JSON.stringify(run.selection?.byVal)}`);
}
