// The networks of the reference trainer (reference.ts), each in one flat Float32Array with its
// hand-written forward and backward pass: GMF and MLP, initialised as the Keras code does
// (N(0, 0.01) embeddings, glorot-uniform Dense kernels with zero bias, lecun-uniform output).
import * as tf from '@tensorflow/tfjs';
import { GMF, LAYER_NAMES, MLP } from '../../src/models/index.js';

/**
 * A network in one flat Float32Array: the user rows then the item rows (`rowWidth` wide each), then
 * the dense block (from `denseFrom` to the end).
 */
export interface Net {
  params: Float32Array;
  rowWidth: number;
  denseFrom: number;
  /** Adds `scale` times the BCE gradient of one instance to `grad`; returns its loss. */
  accumulate(u: number, i: number, y: number, scale: number, grad: Float64Array): number;
  /** Copies the parameters into `model`. */
  sync(): void;
  model: tf.LayersModel;
}

function gaussian(random: () => number): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** BCE of a logit z against label y, in its stable form. */
const bce = (z: number, y: number): number => Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));

/** GMF: p_u * q_i * w + b, N(0, 0.01) embeddings and a lecun-uniform w. */
export function gmfNet(numUsers: number, numItems: number, F: number, random: () => number): Net {
  const U = numUsers * F;
  const W = U + numItems * F; // w at W..W+F-1, b at W+F
  const params = new Float32Array(W + F + 1);
  for (let k = 0; k < W; k++) params[k] = 0.01 * gaussian(random);
  const limit = Math.sqrt(3 / F); // lecun_uniform
  for (let f = 0; f < F; f++) params[W + f] = (2 * random() - 1) * limit;
  const model = GMF({ numUsers, numItems, factors: F });
  return {
    params,
    rowWidth: F,
    denseFrom: W,
    model,
    accumulate(u, i, y, scale, grad) {
      const pu = u * F;
      const qi = U + i * F;
      let z = params[W + F];
      for (let f = 0; f < F; f++) z += params[pu + f] * params[qi + f] * params[W + f];
      const dz = (1 / (1 + Math.exp(-z)) - y) * scale;
      for (let f = 0; f < F; f++) {
        const a = params[pu + f];
        const c = params[qi + f];
        const wf = params[W + f];
        grad[W + f] += dz * a * c;
        grad[pu + f] += dz * wf * c;
        grad[qi + f] += dz * wf * a;
      }
      grad[W + F] += dz;
      return bce(z, y);
    },
    sync() {
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
    },
  };
}

/** An MLP in one flat array: embeddings, per Dense layer its kernel [out][in] and bias, then the output w, b. */
interface Mlp {
  layers: number[];
  /** Index of the last hidden layer. */
  L: number;
  E: number;
  U: number;
  W: number;
  kOff: number[];
  bOff: number[];
  outW: number;
  outB: number;
  params: Float32Array;
  /** act[0] = h0, act[l] = relu(a_l); dAct the gradients with respect to them. */
  act: Float64Array[];
  dAct: Float64Array[];
}

function mlpLayout(numUsers: number, numItems: number, layers: number[]): Mlp {
  const E = layers[0] / 2;
  const U = numUsers * E;
  const W = U + numItems * E;
  const kOff: number[] = [];
  const bOff: number[] = [];
  let o = W;
  for (let l = 1; l < layers.length; l++) {
    kOff[l] = o;
    o += layers[l] * layers[l - 1];
    bOff[l] = o;
    o += layers[l];
  }
  const outB = o + layers[layers.length - 1];
  const act = layers.map((n) => new Float64Array(n));
  const dAct = layers.map((n) => new Float64Array(n));
  return { layers, L: layers.length - 1, E, U, W, kOff, bOff, outW: o, outB, params: new Float32Array(outB + 1), act, dAct };
}

/** The logit of (u, i), leaving the activations in `net.act`. */
function mlpForward(net: Mlp, u: number, i: number): number {
  const { layers, L, E, U, kOff, bOff, outW, outB, params, act } = net;
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
  for (let j = 0; j < layers[L]; j++) z += params[outW + j] * act[L][j];
  return z;
}

/** Adds the gradient of the last forward pass, given dLoss/dz, to `grad`. */
function mlpBackward(net: Mlp, u: number, i: number, dz: number, grad: Float64Array): void {
  const { layers, L, E, U, kOff, bOff, outW, outB, params, act, dAct } = net;
  grad[outB] += dz;
  const last = act[L];
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
}

/** Copies the flat parameters into the tfjs MLP (kernels stored [out][in]; tfjs wants [in][out]). */
function mlpSync(net: Mlp, model: tf.LayersModel, numUsers: number, numItems: number): void {
  const { layers, L, E, U, W, kOff, bOff, outW, outB, params } = net;
  const t: tf.Tensor[] = [];
  const set = (name: string, ws: tf.Tensor[]): void => {
    t.push(...ws);
    model.getLayer(name).setWeights(ws);
  };
  set(LAYER_NAMES.mlpUser, [tf.tensor2d(params.slice(0, U), [numUsers, E])]);
  set(LAYER_NAMES.mlpItem, [tf.tensor2d(params.slice(U, W), [numItems, E])]);
  for (let l = 1; l <= L; l++) {
    const k = tf.tidy(() => tf.tensor2d(params.slice(kOff[l], kOff[l] + layers[l] * layers[l - 1]), [layers[l], layers[l - 1]]).transpose());
    set(LAYER_NAMES.mlpLayer(l), [k, tf.tensor1d(params.slice(bOff[l], bOff[l] + layers[l]))]);
  }
  set(LAYER_NAMES.prediction, [tf.tensor2d(params.slice(outW, outW + layers[L]), [layers[L], 1]), tf.tensor1d(params.slice(outB, outB + 1))]);
  tf.dispose(t);
}

/** MLP: embeddings E wide, Dense ReLU layers (glorot-uniform, zero bias), sigmoid output (lecun-uniform). */
export function mlpNet(numUsers: number, numItems: number, layers: number[], random: () => number): Net {
  const net = mlpLayout(numUsers, numItems, layers);
  const { L, W, kOff, outW, params } = net;
  for (let k = 0; k < W; k++) params[k] = 0.01 * gaussian(random);
  for (let l = 1; l <= L; l++) {
    const limit = Math.sqrt(6 / (layers[l - 1] + layers[l]));
    for (let k = 0; k < layers[l] * layers[l - 1]; k++) params[kOff[l] + k] = (2 * random() - 1) * limit;
  }
  const lim = Math.sqrt(3 / layers[L]);
  for (let k = 0; k < layers[L]; k++) params[outW + k] = (2 * random() - 1) * lim;
  const model = MLP({ numUsers, numItems, layers });
  return {
    params,
    rowWidth: net.E,
    denseFrom: W,
    model,
    accumulate(u, i, y, scale, grad) {
      const z = mlpForward(net, u, i);
      mlpBackward(net, u, i, (1 / (1 + Math.exp(-z)) - y) * scale, grad);
      return bce(z, y);
    },
    sync: () => mlpSync(net, model, numUsers, numItems),
  };
}
