import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { isRecsysError } from '../errors.js';
import { GMF } from './gmf.js';
import { inspectModel } from './inspect.js';
import { MLP } from './mlp.js';
import { NeuMF } from './neumf.js';
import { pretrainedNeuMF } from './pretrained.js';

beforeAll(() => useBackend('cpu'));

async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
}

interface Variant {
  kind: 'gmf' | 'mlp' | 'neumf';
  towerActivation?: string;
  predictionActivation?: string;
  mlpFirst?: boolean;
  dropout?: boolean;
  swapInputs?: boolean;
  towerBias?: boolean;
  towerNames?: string[];
  maskZero?: boolean;
  l1?: number;
  inputDtype?: 'int32' | 'float32';
  crossed?: boolean;
  extraOutput?: boolean;
}

/**
 * The standard models written out by hand with plain tf.layers (as a Keras conversion would give),
 * with one knob per way of departing from the standard computation.
 */
function handBuilt(v: Variant): tf.LayersModel {
  const u = tf.input({ shape: [1], dtype: v.inputDtype ?? 'int32', name: 'user_input' });
  const i = tf.input({ shape: [1], dtype: v.inputDtype ?? 'int32', name: 'item_input' });
  const lookup = (x: tf.SymbolicTensor, name: string, rows: number, width: number) =>
    tf.layers.flatten().apply(
      tf.layers
        .embedding({
          inputDim: rows,
          outputDim: width,
          name,
          maskZero: v.maskZero,
          embeddingsRegularizer: v.l1 === undefined ? undefined : tf.regularizers.l1l2({ l1: v.l1, l2: 0.01 }),
        })
        .apply(x),
    ) as tf.SymbolicTensor;
  const [userIn, itemIn] = v.crossed ? [i, u] : [u, i];
  const parts: tf.SymbolicTensor[] = [];
  if (v.kind !== 'mlp') {
    parts.push(tf.layers.multiply().apply([lookup(userIn, 'mf_embedding_user', 4, 3), lookup(itemIn, 'mf_embedding_item', 5, 3)]) as tf.SymbolicTensor);
  }
  if (v.kind !== 'gmf') {
    let h = tf.layers.concatenate().apply([lookup(userIn, 'mlp_embedding_user', 4, 4), lookup(itemIn, 'mlp_embedding_item', 5, 4)]) as tf.SymbolicTensor;
    [4, 2].forEach((units, k) => {
      h = tf.layers
        .dense({ units, activation: (v.towerActivation ?? 'relu') as 'relu', useBias: v.towerBias ?? true, name: v.towerNames?.[k] ?? `mlp_layer${k + 1}` })
        .apply(h) as tf.SymbolicTensor;
    });
    parts.push(h);
  }
  if (v.mlpFirst) parts.reverse();
  let features = parts.length === 1 ? parts[0] : (tf.layers.concatenate().apply(parts) as tf.SymbolicTensor);
  if (v.dropout) features = tf.layers.dropout({ rate: 0.5 }).apply(features) as tf.SymbolicTensor;
  const score = tf.layers.dense({ units: 1, activation: (v.predictionActivation ?? 'sigmoid') as 'sigmoid', name: 'prediction' }).apply(features) as tf.SymbolicTensor;
  const outputs = v.extraOutput ? [score, features] : score;
  return tf.model({ inputs: v.swapInputs ? [i, u] : [u, i], outputs });
}

describe('inspectModel', () => {
  it('recognises each builder, also after a save/load round trip', async () => {
    const cases: [tf.LayersModel, object][] = [
      [GMF({ numUsers: 6, numItems: 7, factors: 3 }), { kind: 'gmf', numUsers: 6, numItems: 7, factors: 3, layers: [] }],
      [MLP({ numUsers: 6, numItems: 7, layers: [8, 4, 2] }), { kind: 'mlp', numUsers: 6, numItems: 7, factors: 0, layers: [8, 4, 2] }],
      [MLP({ numUsers: 6, numItems: 7, layers: [6] }), { kind: 'mlp', numUsers: 6, numItems: 7, factors: 0, layers: [6] }],
      [NeuMF({ numUsers: 6, numItems: 7, factors: 5, layers: [8, 4], l2Gmf: 0.1, l2Mlp: 0.01 }), { kind: 'neumf', numUsers: 6, numItems: 7, factors: 5, layers: [8, 4] }],
      [NeuMF({ numUsers: 6, numItems: 7, factors: 2, layers: [4] }), { kind: 'neumf', numUsers: 6, numItems: 7, factors: 2, layers: [4] }],
      [NeuMF({ numUsers: 6040, numItems: 3706 }), { kind: 'neumf', numUsers: 6040, numItems: 3706, factors: 8, layers: [64, 32, 16, 8] }],
    ];
    for (const [model, expected] of cases) {
      expect(inspectModel(model)).toEqual(expected);
      const loaded = await roundTrip(model);
      expect(inspectModel(loaded)).toEqual(expected);
      const users = tf.tensor1d([0, 5, 3], 'int32');
      const items = tf.tensor1d([6, 0, 2], 'int32');
      const [a, b] = tf.tidy(() => [model, loaded].map((m) => Array.from((m.predict([users, items]) as tf.Tensor).dataSync())));
      expect(b).toEqual(a);
      tf.dispose([users, items]);
      model.dispose();
      loaded.dispose();
    }
  });

  it('recognises a pretrained NeuMF', () => {
    const gmf = GMF({ numUsers: 3, numItems: 4, factors: 2 });
    const mlp = MLP({ numUsers: 3, numItems: 4, layers: [4, 2] });
    const neumf = pretrainedNeuMF(gmf, mlp);
    expect(inspectModel(neumf)?.kind).toBe('neumf');
    [gmf, mlp, neumf].forEach((m) => m.dispose());
  });

  it('recognises the same computation written with plain tf.layers (e.g. converted from Keras)', () => {
    for (const kind of ['gmf', 'mlp', 'neumf'] as const) {
      const model = handBuilt({ kind });
      expect(inspectModel(model)?.kind).toBe(kind);
      model.dispose();
    }
  });

  it('returns null for every departure from the standard computation', () => {
    const variants: [string, Variant][] = [
      ['tanh tower', { kind: 'mlp', towerActivation: 'tanh' }],
      ['linear output', { kind: 'gmf', predictionActivation: 'linear' }],
      ['MLP part first', { kind: 'neumf', mlpFirst: true }],
      ['dropout before the output', { kind: 'neumf', dropout: true }],
      ['inputs in the other order', { kind: 'gmf', swapInputs: true }],
      ['tower without bias', { kind: 'mlp', towerBias: false }],
      ['tower layers misnamed', { kind: 'mlp', towerNames: ['mlp_layer2', 'mlp_layer1'] }],
      ['masking embeddings', { kind: 'gmf', maskZero: true }],
      ['L1 penalty', { kind: 'neumf', l1: 0.01 }],
      ['float32 inputs', { kind: 'neumf', inputDtype: 'float32' }],
      ['user table fed the item ids', { kind: 'neumf', crossed: true }],
      ['a second output', { kind: 'mlp', extraOutput: true }],
    ];
    for (const [what, variant] of variants) {
      const model = handBuilt(variant);
      expect(inspectModel(model), what).toBeNull();
      model.dispose();
    }
  });

  it('returns null for a custom tower built from the blocks', async () => {
    const { Embedding } = await import('./embedding.js');
    const u = tf.input({ shape: [1], dtype: 'int32' });
    const i = tf.input({ shape: [1], dtype: 'int32' });
    const g = GMF.block(Embedding({ inputDim: 5, outputDim: 2 }).apply(u), Embedding({ inputDim: 6, outputDim: 2 }).apply(i));
    const h = MLP.block(Embedding({ inputDim: 5, outputDim: 4 }).apply(u), Embedding({ inputDim: 6, outputDim: 4 }).apply(i), [8, 4]);
    const out = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(tf.layers.concatenate().apply([g, h])) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [u, i], outputs: out });
    expect(inspectModel(model)).toBeNull();
    model.dispose();
  });

  it('returns null for a single-input model and throws a RecsysError for a non-model', () => {
    const x = tf.input({ shape: [1] });
    const model = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(x) as tf.SymbolicTensor });
    expect(inspectModel(model)).toBeNull();
    model.dispose();
    let error: unknown;
    try {
      inspectModel({} as tf.LayersModel);
    } catch (e) {
      error = e;
    }
    expect(isRecsysError(error, 'INVALID_ARGUMENT')).toBe(true);
  });
});
