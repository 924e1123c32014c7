// Recognises the standard NCF models in any tf.LayersModel (built here, loaded from a bundle, or
// converted from the paper's Keras code) by walking its graph from the output back to the inputs.
//
// The fused engine, the fast scorer and the bundle format trust the answer and compute the model
// by hand, so the check is strict: a model is 'gmf', 'mlp' or 'neumf' only when it computes exactly
//   gmf:   sigmoid(W · (u_gmf ⊙ i_gmf) + b)
//   mlp:   sigmoid(W · tower([u_mlp ; i_mlp]) + b)
//   neumf: sigmoid(W · [u_gmf ⊙ i_gmf ; tower([u_mlp ; i_mlp])] + b)
// with tower = ReLU Dense layers (with bias) named mlp_layer1..N, embeddings looked up from the
// int32 [batch, 1] inputs user_input / item_input (each optionally summed with the side's pooled
// feature fields, FeaturePool layers, which the architecture then lists in `features`; every block
// must have the same fields), and nothing else in the model (no dropout, no
// masking, no constraints or activity regularizers, only L2 weight penalties). Anything else is
// null, which sends callers to the generic tfjs path.
//
// The graph walk reads the architecture off the layers' classes, names and configs; the weights are
// then checked against the architecture's own weight list (ncf/), the list the engines, the scorer
// and the bundles use.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { LAYER_NAMES, ncfSpec, type NcfArchitecture, type NcfBlock, type NcfFeatureField, type NcfFeatures, type NcfSide } from '../ncf/index.js';
import { FeaturePool } from './feature-pool.js';

type Layer = tf.layers.Layer;
type Config = Record<string, unknown>;

/** Thrown internally when the model is not a standard one; never escapes inspectModel. */
class NotStandard {}

function fail(): never {
  throw new NotStandard();
}

function check(condition: boolean): void {
  if (!condition) fail();
}

/**
 * Recognises a standard GMF, MLP or NeuMF model (as built by {@link GMF}, {@link MLP},
 * {@link NeuMF} or {@link pretrainedNeuMF}, also after a save/load round trip) and reads its
 * architecture from its layer names, classes, activations and weight shapes. Returns null for any
 * other model, e.g. one with a custom tower.
 *
 * @param model - any `tf.LayersModel`
 * @returns the architecture, or null when the model is not exactly a standard NCF model
 * @example
 * ```ts
 * inspectModel(NeuMF({ numUsers: 6040, numItems: 3706 }));
 * //=> { kind: 'neumf', numUsers: 6040, numItems: 3706, factors: 8, layers: [64, 32, 16, 8] }
 * ```
 */
export function inspectModel(model: tf.LayersModel): NcfArchitecture | null {
  if (
    typeof model !== 'object' ||
    model === null ||
    !Array.isArray((model as { inputs?: unknown }).inputs) ||
    !Array.isArray((model as { outputs?: unknown }).outputs) ||
    !Array.isArray((model as { layers?: unknown }).layers)
  ) {
    throw new RecsysError('INVALID_ARGUMENT', `model must be a tf.LayersModel, got ${show(model)}`);
  }
  try {
    return inspect(model);
  } catch (e) {
    if (e instanceof NotStandard) return null;
    throw e;
  }
}

function inspect(model: tf.LayersModel): NcfArchitecture {
  check(model.inputs.length === 2 && model.outputs.length === 1);
  const [userInput, itemInput] = model.inputs;
  checkInput(userInput, LAYER_NAMES.userInput);
  checkInput(itemInput, LAYER_NAMES.itemInput);
  const walk = new GraphWalk(userInput, itemInput);

  const output = model.outputs[0];
  check(arraysEqual(output.shape, [null, 1]) && output.sourceLayer.name === LAYER_NAMES.prediction);
  const [features] = walk.visit(output, 'Dense', 1);
  const featureLayer = features.sourceLayer;
  let architecture: NcfArchitecture;
  if (featureLayer.getClassName() === 'Multiply') {
    const gmf = walk.gmfPart(features);
    architecture = { kind: 'gmf', numUsers: gmf.numUsers, numItems: gmf.numItems, factors: gmf.factors, layers: [], ...withFeatures(gmf.fields) };
  } else if (featureLayer.getClassName() === 'Concatenate' && features.inputs.length === 2 && features.inputs[0].sourceLayer.getClassName() === 'Multiply') {
    const [g, m] = walk.visit(features, 'Concatenate', 2);
    checkAxis(featureLayer);
    const gmf = walk.gmfPart(g);
    const mlp = walk.mlpPart(m);
    check(gmf.numUsers === mlp.numUsers && gmf.numItems === mlp.numItems && sameFields(gmf.fields, mlp.fields));
    architecture = { kind: 'neumf', numUsers: gmf.numUsers, numItems: gmf.numItems, factors: gmf.factors, layers: mlp.layers, ...withFeatures(gmf.fields) };
  } else {
    const mlp = walk.mlpPart(features);
    architecture = { kind: 'mlp', numUsers: mlp.numUsers, numItems: mlp.numItems, factors: 0, layers: mlp.layers, ...withFeatures(mlp.fields) };
  }
  check(walk.dense(output, 'sigmoid') === 1);
  checkWeights(model, architecture);
  // nothing else in the model: every layer is on the path just checked
  check(model.layers.length === walk.visited.size && model.layers.every((layer) => walk.visited.has(layer)));
  return architecture;
}

/** The walk from the output back to the two inputs; every layer it passes is recorded once. */
class GraphWalk {
  readonly visited: Set<Layer>;

  constructor(
    private readonly userInput: tf.SymbolicTensor,
    private readonly itemInput: tf.SymbolicTensor,
  ) {
    this.visited = new Set<Layer>([userInput.sourceLayer, itemInput.sourceLayer]);
  }

  /** Checks the layer making `t` (class, arity, dtype, first visit) and returns its inputs. */
  visit(t: tf.SymbolicTensor, className: string, arity: number): tf.SymbolicTensor[] {
    const layer = t.sourceLayer;
    check(layer.getClassName() === className && t.inputs.length === arity);
    check(layer.dtype === 'float32' || layer.dtype === undefined);
    check(!this.visited.has(layer));
    this.visited.add(layer);
    return t.inputs;
  }

  /**
   * A side's vector in one block: the id lookup alone, or add(id lookup, FeaturePool...) named
   * `featureSum(block, side)`; returns the id table's [rows, width] and the fields.
   */
  side(t: tf.SymbolicTensor, name: string, input: tf.SymbolicTensor, block: NcfBlock, side: NcfSide): [number, number, NcfFeatureField[]] {
    if (t.sourceLayer.getClassName() !== 'Add') return [...this.lookup(t, name, input), []];
    const [id, ...pools] = this.visit(t, 'Add', t.inputs.length);
    check(t.sourceLayer.name === LAYER_NAMES.featureSum(block, side) && pools.length > 0);
    const [rows, width] = this.lookup(id, name, input);
    const fields = pools.map((p, k) => {
      const [indices] = this.visit(p, 'FeaturePool', 1);
      const layer = p.sourceLayer;
      check(indices === input && layer.name === LAYER_NAMES.feature(block, side, k) && arraysEqual(p.shape, [null, width]));
      // the layer's own settings (its config stores the field name as hex: see feature-pool.ts)
      check(layer instanceof FeaturePool);
      const c = (layer as FeaturePool).pool as unknown as Config;
      check(c.width === width && c.numEntities === rows && typeof c.field === 'string' && typeof c.l2 === 'number' && c.l2 >= 0);
      check(typeof c.numRows === 'number' && typeof c.maxValues === 'number');
      return { name: c.field as string, rows: c.numRows as number, maxValues: c.maxValues as number };
    });
    return [rows, width, fields];
  }

  /** flatten(embedding(input)) -> [rows, width] of the named table, looked up from `input`. */
  lookup(t: tf.SymbolicTensor, name: string, input: tf.SymbolicTensor): [number, number] {
    const [embedded] = this.visit(t, 'Flatten', 1);
    const [indices] = this.visit(embedded, 'Embedding', 1);
    check(indices === input);
    const layer = embedded.sourceLayer;
    check(layer.name === name);
    const config = layer.getConfig() as Config;
    check(!config.maskZero && isNone(config.embeddingsConstraint) && isNone(config.activityRegularizer));
    check(isL2Only(config.embeddingsRegularizer));
    const [rows, width] = [config.inputDim, config.outputDim];
    check(typeof rows === 'number' && typeof width === 'number' && arraysEqual(t.shape, [null, width]));
    return [rows as number, width as number];
  }

  /** A Dense layer (with bias) with the given activation; returns its units (checkWeights checks its shapes). */
  dense(t: tf.SymbolicTensor, activation: string): number {
    const config = t.sourceLayer.getConfig() as Config;
    check(config.activation === activation && config.useBias === true);
    check(isNone(config.kernelConstraint) && isNone(config.biasConstraint) && isNone(config.activityRegularizer));
    check(isL2Only(config.kernelRegularizer) && isNone(config.biasRegularizer));
    check(typeof config.units === 'number');
    return config.units as number;
  }

  gmfPart(t: tf.SymbolicTensor): { numUsers: number; numItems: number; factors: number; fields: NcfFeatures } {
    const [a, b] = this.visit(t, 'Multiply', 2);
    // the product is symmetric: accept the user and item vectors in either order
    const userSide = producedFrom(a, this.userInput) ? a : b;
    const itemSide = userSide === a ? b : a;
    const [numUsers, userWidth, user] = this.side(userSide, LAYER_NAMES.gmfUser, this.userInput, 'gmf', 'user');
    const [numItems, itemWidth, item] = this.side(itemSide, LAYER_NAMES.gmfItem, this.itemInput, 'gmf', 'item');
    check(userWidth === itemWidth);
    return { numUsers, numItems, factors: userWidth, fields: { user, item } };
  }

  mlpPart(t: tf.SymbolicTensor): { numUsers: number; numItems: number; layers: number[]; fields: NcfFeatures } {
    const tower: tf.SymbolicTensor[] = [];
    let h = t;
    while (h.sourceLayer.getClassName() === 'Dense') {
      tower.unshift(h);
      [h] = this.visit(h, 'Dense', 1);
    }
    const [u, i] = this.visit(h, 'Concatenate', 2);
    checkAxis(h.sourceLayer);
    const [numUsers, userWidth, user] = this.side(u, LAYER_NAMES.mlpUser, this.userInput, 'mlp', 'user');
    const [numItems, itemWidth, item] = this.side(i, LAYER_NAMES.mlpItem, this.itemInput, 'mlp', 'item');
    check(userWidth === itemWidth);
    const layers = [userWidth + itemWidth];
    tower.forEach((out, k) => {
      check(out.sourceLayer.name === LAYER_NAMES.mlpLayer(k + 1));
      layers.push(this.dense(out, 'relu'));
    });
    return { numUsers, numItems, layers, fields: { user, item } };
  }
}

/** Every weight of the model is one of the architecture's list (ncf/), float32, of its shape. */
function checkWeights(model: tf.LayersModel, architecture: NcfArchitecture): void {
  const listed = new Map<string, number>();
  for (const w of ncfSpec(architecture).weights) {
    const actual = model.getLayer(w.layer).weights[w.index];
    check(actual !== undefined && actual.dtype === (w.role === 'index' ? 'int32' : 'float32') && arraysEqual(actual.shape, w.shape));
    listed.set(w.layer, (listed.get(w.layer) ?? 0) + 1);
  }
  for (const layer of model.layers) check(layer.weights.length === (listed.get(layer.name) ?? 0));
}

function checkAxis(layer: Layer): void {
  const axis = (layer.getConfig() as Config).axis;
  check(axis === -1 || axis === 1);
}

function checkInput(t: tf.SymbolicTensor, name: string): void {
  check(t.sourceLayer.getClassName() === 'InputLayer' && t.sourceLayer.name === name);
  check(t.dtype === 'int32' && arraysEqual(t.shape, [null, 1]));
}

/** The `features` part of an architecture: absent when no side has a field. */
function withFeatures(fields: NcfFeatures): { features?: NcfFeatures } {
  const user = fields.user ?? [];
  const item = fields.item ?? [];
  if (user.length + item.length === 0) return {};
  return { features: { ...(user.length > 0 ? { user } : {}), ...(item.length > 0 ? { item } : {}) } };
}

function sameFields(a: NcfFeatures, b: NcfFeatures): boolean {
  const same = (x: readonly NcfFeatureField[] = [], y: readonly NcfFeatureField[] = []) =>
    x.length === y.length && x.every((f, k) => f.name === y[k].name && f.rows === y[k].rows && f.maxValues === y[k].maxValues);
  return same(a.user, b.user) && same(a.item, b.item);
}

/** Whether `t` is flatten(embedding(input)) (or add(flatten(embedding(input)), ...)) for that exact input tensor (no checks beyond that). */
function producedFrom(t: tf.SymbolicTensor, input: tf.SymbolicTensor): boolean {
  const embedded = t.sourceLayer.getClassName() === 'Add' ? t.inputs[0]?.inputs[0] : t.inputs[0];
  return embedded !== undefined && embedded.inputs[0] === input;
}

function isNone(value: unknown): boolean {
  return value === null || value === undefined;
}

/** No regularizer, or an L1L2 regularizer whose L1 part is 0 (what tf.regularizers.l2 makes). */
function isL2Only(value: unknown): boolean {
  return regularizerL2(value) !== null;
}

/**
 * The L2 factor of a serialised regularizer (a layer config's `kernelRegularizer`, ...): 0 for
 * none, `l2` for an L1L2 regularizer whose L1 part is 0 (what tf.regularizers.l2 makes), null for
 * anything else (an L1 part, another class).
 *
 * @param value - the regularizer as `layer.getConfig()` gives it
 * @returns its L2 factor, or null when it is not a pure L2 penalty
 * @example
 * ```ts
 * regularizerL2(MLP({ numUsers: 3, numItems: 4, layers: [8, 4], l2: 1e-4 }).getLayer('mlp_layer1').getConfig().kernelRegularizer);
 * //=> 0.0001
 * ```
 */
export function regularizerL2(value: unknown): number | null {
  if (isNone(value)) return 0;
  const { className, config } = value as { className?: unknown; config?: { l1?: unknown; l2?: unknown } };
  const pure =
    className === 'L1L2' &&
    typeof config === 'object' &&
    config !== null &&
    (config.l1 === undefined || config.l1 === 0) &&
    typeof config.l2 === 'number' &&
    Number.isFinite(config.l2) &&
    config.l2 >= 0;
  return pure ? (config.l2 as number) : null;
}

function arraysEqual(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
