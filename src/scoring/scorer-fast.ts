// The fast scorer for the standard NCF models (GMF, MLP, NeuMF as recognised by inspectModel).
//
// Scoring every item for every user through model.predict runs the whole network once per pair:
// two gathers, the first MLP layer over the 2d-wide concatenation, the rest of the tower, the
// output. But the first Dense layer is linear in the concatenation [u ; i]:
//   W1·[u ; i] + b1 = (W1_u·u + b1) + W1_i·i = a_u + c_i
// so a_u is computed once per user and c_i once per item (for all items, once per scorer), and a
// pair costs only relu(a_u + c_i) and the smaller layers after it. The GMF part of the output,
// w_gmf·(p_u ⊙ q_i), is likewise a dot of q_i with the per-user vector p_u ⊙ w_gmf. The math runs
// over Float32Arrays in plain JS, a block of items at a time, with no tensors and no per-call
// overhead, which also makes it the right path for small calls such as one user's 100 candidates,
// and it runs the same whatever tfjs backend the app chose. It agrees with model.predict to about
// 1e-7 (float32 activations, as tfjs computes them).
//
// Where WebAssembly SIMD is available (score-wasm.ts says how that is detected), the per-pair part
// runs in the SIMD kernel of wasm/score.ts instead of the JS loops below: same decomposition, same
// float32 tables, the tower as register-blocked matrix products over blocks of items. The JS loops
// remain the fallback and the readable statement of the math.
//
// The weights are read once, when the scorer is created: it is a snapshot. After more training,
// create a new scorer.
import type * as tf from '@tensorflow/tfjs';
import { ncfSpec, pooledTable, type NcfArchitecture, type NcfWeight, type PoolField } from '../ncf/index.js';
import type { Scorer } from './scorer.js';
import { checkItems, checkLive, checkOut, checkUser, checkUsers } from './scorer-checks.js';
import { ScoreKernel, scoreModule, type ScoreKernelKind } from './score-wasm.js';

/** One Dense layer of the MLP tower, kernel row-major [inputs, units]. */
interface DenseWeights {
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly inputs: number;
  readonly units: number;
}

/** Every weight the fast path needs, copied out of the model. */
export interface NcfWeights {
  readonly architecture: NcfArchitecture;
  /**
   * GMF tables [numUsers, factors] and [numItems, factors] (empty for a pure MLP). With side
   * features, the tables hold what the model feeds forward: each id row plus its pooled fields.
   */
  readonly gmfUser: Float32Array;
  readonly gmfItem: Float32Array;
  readonly factors: number;
  /** MLP tables [numUsers, width] and [numItems, width] (empty for GMF). */
  readonly mlpUser: Float32Array;
  readonly mlpItem: Float32Array;
  readonly mlpWidth: number;
  /** mlp_layer1..N. */
  readonly tower: readonly DenseWeights[];
  /** The prediction layer's kernel [gmf part ; mlp part] and bias. */
  readonly outKernel: Float32Array;
  readonly outBias: number;
}

function layerOrNull(model: tf.LayersModel, name: string): tf.layers.Layer | null {
  try {
    return model.getLayer(name);
  } catch {
    return null;
  }
}

// getWeights() hands back the model's own variables (tfjs does not copy them), so they must not be
// disposed; dataSync() may return the backend's own buffer, so the values are copied.
function readWeight(model: tf.LayersModel, w: NcfWeight): Float32Array | Int32Array | string {
  const layer = layerOrNull(model, w.layer);
  if (layer === null) return `it has no layer '${w.layer}'`;
  if (w.role === 'kernel') {
    const activation = (layer.getConfig() as { activation?: unknown }).activation;
    if (activation !== w.activation) return `layer '${w.layer}' has activation ${String(activation)}, expected ${w.activation}`;
  }
  const weights = layer.getWeights();
  // an id table is an Embedding (one weight); a side-feature field's layer holds its table and index
  const expected = w.role === 'table' && w.source === 'id' ? 1 : w.role === 'table' || w.role === 'index' ? 2 : weights.length;
  if (weights.length !== expected) return `layer '${w.layer}' has ${weights.length} weights, expected ${expected}`;
  const value = weights[w.index];
  if (value === undefined || value.shape.length !== w.shape.length || value.shape.some((d, k) => d !== w.shape[k])) {
    return `layer '${w.layer}' weight ${w.index} (${w.role}) has shape [${value?.shape.join(', ') ?? 'none'}], expected [${w.shape.join(', ')}]`;
  }
  return w.role === 'index' ? Int32Array.from(value.dataSync()) : Float32Array.from(value.dataSync());
}

/**
 * Copies the weights of a standard NCF model out of the model by walking the architecture's
 * weight list (ncf/), checking every shape and activation; side-feature fields are pooled into
 * the id tables (ncf/pooled-tables.ts), so the rest of the scorer sees a plain NCF model. Returns a sentence saying what does not
 * match instead when the model is not what the architecture says (then the fast path cannot be
 * used).
 */
export function readNcfWeights(model: tf.LayersModel, architecture: NcfArchitecture): NcfWeights | string {
  const spec = ncfSpec(architecture);
  const { kind, factors, mlpWidth } = spec;
  if (kind !== 'gmf' && !(Number.isInteger(mlpWidth) && mlpWidth >= 1)) {
    return `layers[0] = ${architecture.layers[0]} is not an even positive width`;
  }
  const empty: Float32Array = new Float32Array(0);
  const tables = { gmfuser: empty, gmfitem: empty, mlpuser: empty, mlpitem: empty };
  const tower: DenseWeights[] = [];
  let outKernel = empty;
  let outBias = 0;
  let kernel = empty;
  const fields = { gmfuser: [] as PoolField[], gmfitem: [] as PoolField[], mlpuser: [] as PoolField[], mlpitem: [] as PoolField[] };
  let fieldTable = empty;
  for (const w of spec.weights) {
    const values = readWeight(model, w);
    if (typeof values === 'string') return values;
    if (values instanceof Int32Array) {
      // a side-feature field's index, right after its table
      if (w.role === 'index') fields[`${w.block}${w.side}`].push({ table: fieldTable, index: values, maxValues: w.shape[1] });
    } else if (w.role === 'table' && w.source === 'feature') fieldTable = values;
    else if (w.role === 'table') tables[`${w.block}${w.side}`] = values;
    else if (w.role === 'kernel') kernel = values;
    else if (w.role === 'bias' && w.block === 'tower') tower.push({ kernel, bias: values, inputs: w.inputs, units: w.units });
    else if (w.role === 'bias') [outKernel, outBias] = [kernel, values[0]];
  }
  // with side features, each entity's row is what the model feeds forward: id row + pooled fields
  const pool = (key: keyof typeof tables, width: number): Float32Array => (fields[key].length === 0 ? tables[key] : pooledTable(tables[key], width, fields[key]));
  const gmfUser = pool('gmfuser', factors);
  const gmfItem = pool('gmfitem', factors);
  const mlpUser = pool('mlpuser', mlpWidth);
  const mlpItem = pool('mlpitem', mlpWidth);
  return { architecture, gmfUser, gmfItem, factors, mlpUser, mlpItem, mlpWidth, tower, outKernel, outBias };
}

/** Items scored together: their activations (BLOCK x widest layer floats) stay in cache. */
const BLOCK = 128;

/**
 * A {@link Scorer} over a snapshot of a standard NCF model's weights, computing in plain typed-array
 * math with the first MLP layer decomposed per user and per item (see the file header).
 */
export class NcfFastScorer implements Scorer {
  readonly numUsers: number;
  readonly numItems: number;
  /** Which implementation scores the pairs: the WebAssembly SIMD kernel, or the JS loops. */
  readonly kernel: ScoreKernelKind;
  /** The WebAssembly SIMD kernel (null: the JS loops score; also after dispose). */
  private simd: ScoreKernel | null;
  private readonly w: NcfWeights;
  private readonly hasGmf: boolean;
  private readonly hasMlp: boolean;
  /** Width of the first MLP stage: mlp_layer1's units, or 1 when the tower is empty. */
  private readonly firstWidth: number;
  /**
   * mlp_layer2..N with kernels transposed to [units, inputs], so each unit is a contiguous dot
   * product accumulated in a local double (V8 keeps it in a register).
   */
  private readonly hidden: readonly DenseWeights[];
  /** c_i for every item, [numItems, firstWidth]; computed on first use. */
  private itemFirst: Float32Array | null = null;
  /** The user whose a_u and p_u ⊙ w_gmf are in `userFirst` / `userGmf` (-1: none). */
  private cachedUser = -1;
  private readonly userFirst: Float32Array;
  private readonly userGmf: Float32Array;
  /** Activations of a block of items, [BLOCK, width], swapped layer by layer, and their logits. */
  private readonly blockA: Float32Array;
  private readonly blockB: Float32Array;
  private readonly logits = new Float64Array(BLOCK);
  private disposed = false;

  /**
   * @param weights - weights from {@link readNcfWeights}
   * @param kernel - `'auto'` (default): the WebAssembly SIMD kernel where available, else the JS
   *   loops; `'js'`: always the JS loops (for comparisons)
   */
  constructor(weights: NcfWeights, kernel: 'auto' | 'js' = 'auto') {
    this.w = weights;
    this.numUsers = weights.architecture.numUsers;
    this.numItems = weights.architecture.numItems;
    this.hasGmf = weights.factors > 0;
    this.hasMlp = weights.mlpWidth > 0;
    this.firstWidth = weights.tower.length > 0 ? weights.tower[0].units : 1;
    this.hidden = weights.tower.slice(1);
    this.userFirst = new Float32Array(this.hasMlp ? this.firstWidth : 0);
    this.userGmf = new Float32Array(weights.factors);
    const widest = Math.max(1, ...weights.tower.map((d) => d.units));
    this.blockA = new Float32Array(BLOCK * widest);
    this.blockB = new Float32Array(BLOCK * widest);
    const module = kernel === 'auto' ? scoreModule() : null;
    this.simd = module === null ? null : new ScoreKernel(module, weights, this.firstWidth);
    this.kernel = this.simd === null ? 'js' : 'wasm-simd';
  }

  scoreItems(user: number, items: Int32Array, out?: Float32Array): Float32Array {
    this.assertLive();
    checkUser(user, this.numUsers);
    checkItems(items, this.numItems);
    const result = checkOut(out, items.length);
    this.prepareUser(user);
    this.scoreRun(items, 0, items.length, result, 0);
    return result;
  }

  scoreAllItems(users: Int32Array, out?: Float32Array): Float32Array {
    this.assertLive();
    checkUsers(users, this.numUsers);
    const numItems = this.numItems;
    const result = checkOut(out, users.length * numItems);
    for (let r = 0; r < users.length; r++) {
      this.prepareUser(users[r]);
      if (this.simd !== null) this.simd.scoreAll(result, r * numItems);
      else this.scoreRun(null, 0, numItems, result, r * numItems);
    }
    return result;
  }

  scorePairs(users: Int32Array, items: Int32Array, out?: Float32Array): Float32Array {
    this.assertLive();
    checkUsers(users, this.numUsers, items);
    checkItems(items, this.numItems);
    const result = checkOut(out, items.length);
    // Runs of one user (a candidate list) share that user's precomputed vectors.
    let start = 0;
    while (start < items.length) {
      let end = start + 1;
      while (end < items.length && users[end] === users[start]) end++;
      this.prepareUser(users[start]);
      this.scoreRun(items, start, end - start, result, start);
      start = end;
    }
    return result;
  }

  /**
   * The weight snapshot this scorer reads (plain typed arrays, which a worker thread can be sent).
   * Do not modify.
   */
  get weights(): NcfWeights {
    this.assertLive();
    return this.w;
  }

  dispose(): void {
    this.disposed = true;
    this.itemFirst = null;
    this.simd = null;
  }

  private assertLive(): void {
    checkLive(this.disposed);
  }

  /** c_i for every item, computed on first use (the JS loops read it). */
  private ensureItemFirst(): Float32Array {
    this.itemFirst ??= this.computeItemFirst();
    return this.itemFirst;
  }

  /** Computes c_i = W1_i·i_mlp for every item (or the output's item slice when the tower is empty). */
  private computeItemFirst(): Float32Array {
    const { mlpItem, mlpWidth, tower, outKernel } = this.w;
    const width = this.firstWidth;
    const table = new Float32Array(this.numItems * width);
    // The item half of the first layer's input is rows mlpWidth..2*mlpWidth-1 of its kernel.
    const kernel = tower.length > 0 ? tower[0].kernel : outKernel.subarray(this.w.factors);
    const row = new Float64Array(width);
    for (let i = 0; i < this.numItems; i++) {
      row.fill(0);
      const e = i * mlpWidth;
      for (let j = 0; j < mlpWidth; j++) {
        const x = mlpItem[e + j];
        if (x === 0) continue;
        const k = (mlpWidth + j) * width;
        for (let o = 0; o < width; o++) row[o] += x * kernel[k + o];
      }
      table.set(row, i * width);
    }
    return table;
  }

  /** Writes a_u = W1_u·u_mlp + b1 into `first` and p_u ⊙ w_gmf into `gmf` (each part only when the model has it). */
  private computeUser(user: number, first: Float32Array, gmf: Float32Array): void {
    const { gmfUser, factors, mlpUser, mlpWidth, tower, outKernel } = this.w;
    if (this.hasGmf) {
      const e = user * factors;
      for (let f = 0; f < factors; f++) gmf[f] = gmfUser[e + f] * outKernel[f];
    }
    if (this.hasMlp) {
      const width = this.firstWidth;
      const kernel = tower.length > 0 ? tower[0].kernel : outKernel.subarray(factors);
      const e = user * mlpWidth;
      for (let o = 0; o < width; o++) {
        let sum = tower.length > 0 ? tower[0].bias[o] : 0;
        for (let j = 0; j < mlpWidth; j++) sum += mlpUser[e + j] * kernel[j * width + o];
        first[o] = sum;
      }
    }
  }

  /** Fills a_u and p_u ⊙ w_gmf for `user` (a no-op for the cached user). */
  private prepareUser(user: number): void {
    if (user === this.cachedUser) return;
    if (this.hasMlp && this.simd === null) this.ensureItemFirst();
    this.computeUser(user, this.userFirst, this.userGmf);
    if (this.simd !== null) {
      if (!this.simd.loaded) this.simd.loadItems(); // the kernel builds its own item tables
      this.simd.setUser(this.userFirst, this.userGmf);
    }
    this.cachedUser = user;
  }

  /**
   * Scores `count` items for the prepared user into `out[offset..)`: `items[start..]`, or the item
   * indices `start..` themselves when `items` is null.
   */
  private scoreRun(items: Int32Array | null, start: number, count: number, out: Float32Array, offset: number): void {
    if (this.simd !== null && items !== null) {
      this.simd.scoreList(items, start, count, out, offset);
      return;
    }
    for (let b = 0; b < count; b += BLOCK) this.scoreBlock(items, start + b, Math.min(BLOCK, count - b), out, offset + b);
  }

  private scoreBlock(items: Int32Array | null, start: number, n: number, out: Float32Array, offset: number): void {
    const w = this.w;
    const z = this.logits;
    z.fill(w.outBias, 0, n);
    if (this.hasGmf) {
      const factors = w.factors;
      const gmfItem = w.gmfItem;
      const userGmf = this.userGmf;
      for (let t = 0; t < n; t++) {
        const e = (items === null ? start + t : items[start + t]) * factors;
        let sum = 0;
        for (let f = 0; f < factors; f++) sum += userGmf[f] * gmfItem[e + f];
        z[t] += sum;
      }
    }
    if (this.hasMlp) {
      const itemFirst = this.itemFirst as Float32Array;
      const a = this.userFirst;
      const width = this.firstWidth;
      if (w.tower.length === 0) {
        // No hidden layer: the output reads [u ; i] directly, so a_u + c_i is its MLP term.
        for (let t = 0; t < n; t++) z[t] += a[0] + itemFirst[items === null ? start + t : items[start + t]];
      } else {
        let h = this.blockA;
        let next = this.blockB;
        for (let t = 0; t < n; t++) {
          const c = (items === null ? start + t : items[start + t]) * width;
          const base = t * width;
          for (let o = 0; o < width; o++) {
            const v = a[o] + itemFirst[c + o];
            h[base + o] = v > 0 ? v : 0;
          }
        }
        let inputs = width;
        for (const layer of this.hidden) {
          const { kernel, bias, units } = layer;
          for (let t = 0; t < n; t++) {
            const hb = t * inputs;
            const nb = t * units;
            for (let o = 0; o < units; o++) next[nb + o] = bias[o];
            for (let j = 0; j < inputs; j++) {
              const x = h[hb + j];
              // ReLU leaves many zeros: skipping them saves a whole kernel row each.
              if (x === 0) continue;
              const k = j * units;
              for (let o = 0; o < units; o++) next[nb + o] += x * kernel[k + o];
            }
            for (let o = 0; o < units; o++) if (next[nb + o] < 0) next[nb + o] = 0;
          }
          const swap = h;
          h = next;
          next = swap;
          inputs = units;
        }
        const outKernel = w.outKernel;
        const mlpOffset = w.factors;
        for (let t = 0; t < n; t++) {
          const hb = t * inputs;
          let sum = 0;
          for (let o = 0; o < inputs; o++) sum += h[hb + o] * outKernel[mlpOffset + o];
          z[t] += sum;
        }
      }
    }
    for (let t = 0; t < n; t++) out[offset + t] = 1 / (1 + Math.exp(-z[t]));
  }
}
