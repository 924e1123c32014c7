// Where each weight of a standard NCF model lives inside the fused engine's one flat Float32Array.
//
// One flat array (rather than one per layer) so that a single SharedArrayBuffer carries every
// weight to the worker threads, and so that all dense parameters form one contiguous block the
// optimizer sweeps in a single loop. Dense kernels are stored TRANSPOSED ([out][in], unlike tfjs's
// [in][out]): every inner loop of the kernel then walks contiguous memory (a dot product over the
// inputs of one unit in the forward pass, an axpy into the same row for the weight gradient and
// for the input gradient). `toModelOrder` / `fromModelOrder` convert at the model boundary.
//
// No tfjs here: the worker threads import this file and must not load TensorFlow.js.
import type { NcfArchitecture, NcfKind } from '../../models/architecture.js';

/** A parameter region of the flat array. */
export interface ParamRegion {
  /** tfjs weight name stem (the layer name) and which weight of it: 0 kernel/embeddings, 1 bias. */
  readonly layer: string;
  readonly index: 0 | 1;
  /** Offset of the first element in the flat array. */
  readonly offset: number;
  /** Shape as tfjs has it ([rows, cols] for tables and kernels, [n] for biases). */
  readonly shape: readonly number[];
  /** Kernels are stored transposed ([out][in]) in the flat array. */
  readonly transposed: boolean;
}

/** Plain-data description of the flat parameter array; structured-cloneable for workers. */
export interface ParamLayout {
  readonly kind: NcfKind;
  readonly numUsers: number;
  readonly numItems: number;
  /** GMF width (0 without GMF). */
  readonly factors: number;
  /** Width of each MLP embedding, `layers[0] / 2` (0 without MLP). */
  readonly mlpEmbedding: number;
  /** Tower widths: `[layers[0], layers[1], ...]` (empty without MLP). */
  readonly tower: readonly number[];
  /** Width of the prediction layer's input: factors + last tower width. */
  readonly predictionInput: number;
  /** Offsets of the four tables (-1 when absent). */
  readonly gmfUser: number;
  readonly gmfItem: number;
  readonly mlpUser: number;
  readonly mlpItem: number;
  /** Offsets of tower layer l's transposed kernel [tower[l+1]][tower[l]] and bias. */
  readonly towerKernels: readonly number[];
  readonly towerBiases: readonly number[];
  readonly predictionKernel: number;
  readonly predictionBias: number;
  /** Start and length of the contiguous block of dense parameters (tower + prediction). */
  readonly denseOffset: number;
  readonly denseLength: number;
  /** Total number of parameters. */
  readonly length: number;
  /** Every weight, in the LayersModel's `getWeights()` order of layers (kernel before bias). */
  readonly regions: readonly ParamRegion[];
}

/**
 * Lays out the parameters of a standard architecture. Tables come first (their rows are the big,
 * sparsely touched part), then the dense block.
 */
export function paramLayout(arch: NcfArchitecture): ParamLayout {
  const { kind, numUsers, numItems } = arch;
  const hasGmf = kind !== 'mlp';
  const hasMlp = kind !== 'gmf';
  const factors = hasGmf ? arch.factors : 0;
  const tower = hasMlp ? [...arch.layers] : [];
  const mlpEmbedding = hasMlp ? tower[0] / 2 : 0;
  let offset = 0;
  const take = (n: number): number => {
    const at = offset;
    offset += n;
    return at;
  };
  const gmfUser = hasGmf ? take(numUsers * factors) : -1;
  const gmfItem = hasGmf ? take(numItems * factors) : -1;
  const mlpUser = hasMlp ? take(numUsers * mlpEmbedding) : -1;
  const mlpItem = hasMlp ? take(numItems * mlpEmbedding) : -1;
  const denseOffset = offset;
  const towerKernels: number[] = [];
  const towerBiases: number[] = [];
  for (let l = 0; l + 1 < tower.length; l++) {
    towerKernels.push(take(tower[l] * tower[l + 1]));
    towerBiases.push(take(tower[l + 1]));
  }
  const predictionInput = factors + (hasMlp ? tower[tower.length - 1] : 0);
  const predictionKernel = take(predictionInput);
  const predictionBias = take(1);

  const regions: ParamRegion[] = [];
  const table = (layer: string, at: number, rows: number, cols: number): void => {
    regions.push({ layer, index: 0, offset: at, shape: [rows, cols], transposed: false });
  };
  if (hasGmf) {
    table('mf_embedding_user', gmfUser, numUsers, factors);
    table('mf_embedding_item', gmfItem, numItems, factors);
  }
  if (hasMlp) {
    table('mlp_embedding_user', mlpUser, numUsers, mlpEmbedding);
    table('mlp_embedding_item', mlpItem, numItems, mlpEmbedding);
    for (let l = 0; l + 1 < tower.length; l++) {
      const layer = `mlp_layer${l + 1}`;
      regions.push({ layer, index: 0, offset: towerKernels[l], shape: [tower[l], tower[l + 1]], transposed: true });
      regions.push({ layer, index: 1, offset: towerBiases[l], shape: [tower[l + 1]], transposed: false });
    }
  }
  regions.push({ layer: 'prediction', index: 0, offset: predictionKernel, shape: [predictionInput, 1], transposed: true });
  regions.push({ layer: 'prediction', index: 1, offset: predictionBias, shape: [1], transposed: false });

  return {
    kind, numUsers, numItems, factors, mlpEmbedding, tower, predictionInput,
    gmfUser, gmfItem, mlpUser, mlpItem, towerKernels, towerBiases, predictionKernel, predictionBias,
    denseOffset, denseLength: offset - denseOffset, length: offset, regions,
  };
}

/** Number of elements of a region. */
export function regionSize(region: ParamRegion): number {
  let n = 1;
  for (const d of region.shape) n *= d;
  return n;
}

/**
 * Copies a weight given in tfjs order (row-major, kernels [in][out]) into its region of `flat`.
 */
export function fromModelOrder(region: ParamRegion, values: ArrayLike<number>, flat: Float32Array): void {
  const at = region.offset;
  if (!region.transposed) {
    const n = regionSize(region);
    for (let k = 0; k < n; k++) flat[at + k] = values[k];
    return;
  }
  const [rows, cols] = region.shape; // [in, out]; flat holds [out][in]
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) flat[at + j * rows + i] = values[i * cols + j];
}

/**
 * Reads a region of `flat` (or of any array with the same layout, e.g. gradients) back in tfjs
 * order.
 */
export function toModelOrder<T extends Float32Array | Float64Array>(
  region: ParamRegion,
  flat: T,
  out: T,
  flatOffset = region.offset,
): T {
  if (!region.transposed) {
    const n = regionSize(region);
    for (let k = 0; k < n; k++) out[k] = flat[flatOffset + k];
    return out;
  }
  const [rows, cols] = region.shape;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = flat[flatOffset + j * rows + i];
  return out;
}
