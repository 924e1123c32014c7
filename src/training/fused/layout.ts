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
import { ncfSpec, weightSize, type NcfArchitecture, type NcfSpec } from '../../ncf/index.js';

/** A parameter region of the flat array: one entry of the spec's weight list, placed. */
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

/**
 * A side-feature field in the flat array: its tables (one per block the model has, each
 * `[rows, width]` like the id tables) and its rows' place in the row numbering the catch-up and the
 * optimizer share (users, then items, then each field's rows in `fields` order). Its fixed index of
 * each entity's value rows is not a weight of the flat array: the kernel gets it beside the store
 * (`KernelStore.featureIndex`, read by `readFeatureIndex`).
 */
export interface LayoutField {
  readonly side: 'user' | 'item';
  /** The field's name. */
  readonly name: string;
  /** Its position among its side's fields (the k of the layer names `mf_item_feature{k}`). */
  readonly k: number;
  /** Rows of its tables (values + 1: row 0 is "unknown"). */
  readonly rows: number;
  /** Width of the entity index: the most values an entity has. */
  readonly maxValues: number;
  /** Offsets of its GMF and MLP tables (-1 when the model has no such block). */
  readonly gmf: number;
  readonly mlp: number;
  /** Its row 0's number in the shared row numbering. */
  readonly first: number;
}

/**
 * Plain-data description of the flat parameter array; structured-cloneable for workers. The widths
 * (kind, sizes, factors, mlpWidth, tower, predictionInput) are the spec's (ncf/spec.ts).
 */
export interface ParamLayout extends Omit<NcfSpec, 'weights'> {
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
  /** Side-feature fields (empty without side features), users' first, in the spec's order. */
  readonly fields: readonly LayoutField[];
  /** End of the id tables: they are the flat array's first `idTablesEnd` numbers. */
  readonly idTablesEnd: number;
  /** Rows of every table: numUsers + numItems + each field's rows (the catch-up's row numbering). */
  readonly tableRows: number;
  /** Start and length of the contiguous block of dense parameters (tower + prediction). */
  readonly denseOffset: number;
  readonly denseLength: number;
  /** Total number of parameters. */
  readonly length: number;
  /**
   * Every trained weight, in the spec's order (tables, then the dense layers, kernel before bias);
   * matched to the model by layer name and index. The side-feature fields' fixed indices are not
   * among them (not trained, int32).
   */
  readonly regions: readonly ParamRegion[];
}

/**
 * Lays out the parameters of a standard architecture: the spec's weights in their order, each
 * right after the previous one. The spec lists the tables first (their rows are the big, sparsely
 * touched part), so the dense weights that follow form one contiguous block.
 */
export function paramLayout(arch: NcfArchitecture): ParamLayout {
  const spec = ncfSpec(arch);
  const regions: ParamRegion[] = [];
  const tables = { gmfUser: -1, gmfItem: -1, mlpUser: -1, mlpItem: -1 };
  const towerKernels: number[] = [];
  const towerBiases: number[] = [];
  let predictionKernel = -1;
  let predictionBias = -1;
  let denseOffset = -1;
  let idTablesEnd = 0;
  let offset = 0;
  const fields = new Map<string, { side: 'user' | 'item'; name: string; k: number; rows: number; maxValues: number; gmf: number; mlp: number }>();
  for (const w of spec.weights) {
    if (w.role === 'index') continue;
    if (w.role === 'table' && w.source === 'id') {
      tables[`${w.block}${w.side === 'user' ? 'User' : 'Item'}` as const] = offset;
      idTablesEnd = offset + weightSize(w);
    } else if (w.role === 'table') {
      const key = `${w.side}:${w.field}`;
      const k = (arch.features?.[w.side] ?? []).findIndex((f) => f.name === w.field);
      const field = fields.get(key) ?? { side: w.side, name: w.field, k, rows: w.rows, maxValues: arch.features![w.side]![k].maxValues, gmf: -1, mlp: -1 };
      field[w.block] = offset;
      fields.set(key, field);
    } else {
      if (denseOffset < 0) denseOffset = offset;
      if (w.block === 'tower') (w.role === 'kernel' ? towerKernels : towerBiases).push(offset);
      else if (w.role === 'kernel') predictionKernel = offset;
      else predictionBias = offset;
    }
    regions.push({ layer: w.layer, index: w.index, offset, shape: w.shape, transposed: w.role === 'kernel' });
    offset += weightSize(w);
  }
  const { kind, numUsers, numItems, factors, mlpWidth, tower, predictionInput } = spec;
  // users' fields first, as the spec lists each block's fields
  let first = numUsers + numItems;
  const placed: LayoutField[] = [];
  for (const side of ['user', 'item'] as const) {
    for (const f of fields.values()) {
      if (f.side !== side) continue;
      placed.push({ ...f, first });
      first += f.rows;
    }
  }
  return {
    kind, numUsers, numItems, factors, mlpWidth, tower, predictionInput,
    ...tables, fields: placed, idTablesEnd, tableRows: first, towerKernels, towerBiases, predictionKernel, predictionBias,
    denseOffset, denseLength: offset - denseOffset, length: offset, regions,
  };
}

/** Number of elements of a region. */
export function regionSize(region: ParamRegion): number {
  return weightSize(region);
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
