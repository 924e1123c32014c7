// The fused kernel on models with side features: the pooled forward pass, the gradients spread over
// the value rows, and their optimizer steps (dense Adam catch-up included), held to tfjs autodiff and
// tfjs's Adam on the same models built by the library's builders.
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../../test/helpers/backends.js';
import { IdMap } from '../../data/id-map.js';
import { featuresFrom } from '../../data/features-from.js';
import type { FeatureTable } from '../../data/features.js';
import { GMF, MLP, NeuMF, inspectModel } from '../../models/index.js';
import type { NcfArchitecture } from '../../ncf/index.js';
import { mulberry32 } from '../../_lib/random.js';
import { paramLayout } from './layout.js';
import { readFeatureIndex } from './model-weights.js';
import {
  byLayer,
  expectAllClose,
  GRADIENT_SCALE_FLOOR,
  KERNELS,
  kernelGradients,
  loadTowerModule,
  maxRelativeError,
  newKernel,
  randomizeWeights,
  tfjsGradients,
  tfjsLoss,
  variablesOf,
  weightsOf,
  type Case,
} from '../../../test/helpers/fused-kernel.js';

beforeAll(async () => {
  await useBackend('cpu');
  await loadTowerModule();
});

interface FeatureModelSpec {
  kind: 'gmf' | 'mlp' | 'neumf';
  numUsers: number;
  numItems: number;
  factors: number;
  layers: number[];
  /** Per side, per field: each entity's value numbers (distinct; possibly none). */
  user: number[][][];
  item: number[][][];
  seed: number;
}

/** A feature table of `perEntity[f][e]` = entity e's values of field f (named f0, f1, ...). */
function table(kind: 'user' | 'item', fields: number[][][], entities: number): FeatureTable | undefined {
  if (fields.length === 0) return undefined;
  const ids = IdMap.fromIds(Array.from({ length: entities }, (_, e) => `${kind}${e}`), { kind });
  const rows = Array.from({ length: entities }, (_, e) => {
    const row: Record<string, unknown> = { id: `${kind}${e}` };
    fields.forEach((values, f) => (row[`f${f}`] = values[e].map((v) => `v${v}`)));
    return row;
  });
  return featuresFrom(rows, { fields: fields.map((_, f) => `f${f}`), ids, kind });
}

function buildModel(s: FeatureModelSpec): { model: tf.LayersModel; arch: NcfArchitecture } {
  const { numUsers, numItems, factors, layers } = s;
  const userFeatures = table('user', s.user, numUsers);
  const itemFeatures = table('item', s.item, numItems);
  const features = { ...(userFeatures ? { userFeatures } : {}), ...(itemFeatures ? { itemFeatures } : {}) };
  const model =
    s.kind === 'gmf'
      ? GMF({ numUsers, numItems, factors, ...features })
      : s.kind === 'mlp'
        ? MLP({ numUsers, numItems, layers, ...features })
        : NeuMF({ numUsers, numItems, factors, layers, ...features });
  randomizeWeights(model, s.seed);
  const arch = inspectModel(model);
  if (arch === null) throw new Error('the builders made a model inspectModel does not recognise');
  return { model, arch };
}

/** Fields of one side: 0-2 fields of 1-4 values; each entity has 0-3 distinct values. */
const fieldsArb = (entities: number, maxFields: number) =>
  fc.array(
    fc.integer({ min: 1, max: 4 }).chain((numValues) =>
      fc.array(fc.uniqueArray(fc.integer({ min: 0, max: numValues - 1 }), { maxLength: Math.min(3, numValues) }), {
        minLength: entities,
        maxLength: entities,
      }),
    ),
    { maxLength: maxFields },
  );

const specArb: fc.Arbitrary<FeatureModelSpec> = fc
  .record({
    kind: fc.constantFrom('gmf' as const, 'mlp' as const, 'neumf' as const),
    numUsers: fc.integer({ min: 1, max: 5 }),
    numItems: fc.integer({ min: 2, max: 6 }),
    factors: fc.integer({ min: 1, max: 4 }),
    half: fc.integer({ min: 1, max: 3 }),
    hidden: fc.integer({ min: 1, max: 4 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .chain((c) =>
    fc.record({ c: fc.constant(c), user: fieldsArb(c.numUsers, 2), item: fieldsArb(c.numItems, 2) }).filter(({ user, item }) => user.length + item.length > 0),
  )
  .map(({ c, user, item }) => ({
    kind: c.kind,
    numUsers: c.numUsers,
    numItems: c.numItems,
    factors: c.kind === 'mlp' ? 0 : c.factors,
    layers: c.kind === 'gmf' ? [] : [2 * c.half, Math.min(c.hidden, 2 * c.half)],
    user,
    item,
    seed: c.seed,
  }));

/** A random batch of a model's users and items (repeats likely, on purpose). */
function batchFor(arch: NcfArchitecture, size: number, random: () => number, pick = (n: number) => Math.floor(random() * n)): Case {
  return {
    arch,
    seed: 0,
    users: Int32Array.from({ length: size }, () => pick(arch.numUsers)),
    items: Int32Array.from({ length: size }, () => pick(arch.numItems)),
    negatives: Int32Array.from({ length: size }, () => pick(arch.numItems)),
    labels: Float32Array.from({ length: size }, () => (random() < 0.4 ? 1 : 0)),
  };
}

describe('fused kernel with side features: loss and gradients equal tfjs autodiff', () => {
  for (const loss of ['bce', 'bpr'] as const) for (const tower of KERNELS) {
    it(`${loss}, ${tower} tower: id tables, every field's table and the dense layers of random GMF/MLP/NeuMF with user and item fields, relative error < 1e-4`, () => {
      fc.assert(
        fc.property(specArb, fc.integer({ min: 1, max: 9 }), (s, size) => {
          const before = tf.memory().numTensors;
          const { model, arch } = buildModel(s);
          try {
            const c = batchFor(arch, size, mulberry32(s.seed ^ size));
            const expected = tfjsGradients(model, c, loss);
            const { layout, kernel } = newKernel(model, arch, loss, 'adam', 0.01, tower);
            expect(layout.fields.length).toBe(s.user.length + s.item.length);
            const value = kernelGradients(kernel, c, loss);
            expect(Math.abs(value - expected.loss) / Math.max(1e-6, Math.abs(expected.loss))).toBeLessThan(1e-4);
            expectAllClose(byLayer(layout, kernel.flatGradients(), (n) => new Float64Array(n)), expected.gradients, 1e-4, GRADIENT_SCALE_FLOOR);
          } finally {
            model.dispose();
          }
          expect(tf.memory().numTensors).toBe(before);
        }),
        { numRuns: 20 },
      );
    });
  }

  it('logit equals the model’s prediction (pooled means, entities without values, multi-valued fields)', () => {
    const s: FeatureModelSpec = {
      kind: 'neumf',
      numUsers: 3,
      numItems: 4,
      factors: 3,
      layers: [4, 2],
      user: [[[0], [], [1, 2]]],
      item: [[[0, 1, 2], [2], [], [1]], [[0], [0], [1], []]],
      seed: 5,
    };
    const { model, arch } = buildModel(s);
    const { kernel } = newKernel(model, arch, 'bce', 'adam');
    for (let u = 0; u < 3; u++) {
      for (let i = 0; i < 4; i++) {
        const p = tf.tidy(() => (model.predict([tf.tensor2d([u], [1, 1], 'int32'), tf.tensor2d([i], [1, 1], 'int32')]) as tf.Tensor).dataSync()[0]);
        const z = kernel.logit(u, i);
        expect(Math.abs(1 / (1 + Math.exp(-z)) - p)).toBeLessThan(1e-6);
      }
    }
    model.dispose();
  });
});

describe('fused kernel with side features: optimizer steps equal tfjs optimizers', () => {
  // Field rows are shared by many entities and sit out the steps whose batch reads none of their
  // entities; the first users and items (and so their values) come back at the last step only.
  // Tolerance as for the id tables (kernel.test.ts): float32-vs-double rounding over up to 40 steps,
  // relative to each weight array's initial magnitude (see maxRelativeError).
  for (const tower of KERNELS) {
    it(`${tower} tower: dense Adam over random batch sequences that skip rows, max relative error < 1e-4 after a final catch-up`, () => {
      fc.assert(
        fc.property(specArb, fc.integer({ min: 5, max: 40 }), fc.constantFrom('bce' as const, 'bpr' as const), (s, steps, loss) => {
          const before = tf.memory().numTensors;
          const { model, arch } = buildModel(s);
          const initial = weightsOf(model);
          const opt = tf.train.adam(0.01);
          try {
            const { layout, store, kernel } = newKernel(model, arch, loss, 'adam', 0.01, tower);
            const random = mulberry32(s.seed);
            for (let t = 1; t <= steps; t++) {
              // the upper half of each table only in the first two steps and the last
              const tail = t <= 2 || t === steps;
              const c = batchFor(arch, 4, random, (n) => Math.floor(random() * (tail ? n : Math.max(1, Math.floor(n / 2)))));
              kernelGradients(kernel, c, loss);
              kernel.apply(t);
              opt.minimize(tfjsLoss(model, c, loss).f, false, variablesOf(model).map((v) => v.variable));
            }
            kernel.catchUpAll(steps);
            expect(maxRelativeError(layout, store.params, model, initial)).toBeLessThan(1e-4);
          } finally {
            opt.dispose();
            model.dispose();
          }
          expect(tf.memory().numTensors).toBe(before);
        }),
        { numRuns: 12 },
      );
    });
  }

  it('SGD: one step equals tfjs SGD on every weight, field tables included', () => {
    fc.assert(
      fc.property(specArb, (s) => {
        const { model, arch } = buildModel(s);
        const initial = weightsOf(model);
        const opt = tf.train.sgd(0.1);
        try {
          const { layout, store, kernel } = newKernel(model, arch, 'bce', 'sgd', 0.1);
          const c = batchFor(arch, 6, mulberry32(s.seed));
          kernelGradients(kernel, c, 'bce');
          kernel.apply(1);
          opt.minimize(tfjsLoss(model, c, 'bce').f, false, variablesOf(model).map((v) => v.variable));
          expect(maxRelativeError(layout, store.params, model, initial)).toBeLessThan(1e-5);
        } finally {
          opt.dispose();
          model.dispose();
        }
      }),
      { numRuns: 15 },
    );
  });

  it('the layout places each field’s tables after the id tables and reads each field’s index from the model', () => {
    const s: FeatureModelSpec = { kind: 'neumf', numUsers: 2, numItems: 3, factors: 2, layers: [4, 2], user: [[[0], [1]]], item: [[[0, 1], [], [1]]], seed: 1 };
    const { model, arch } = buildModel(s);
    const layout = paramLayout(arch);
    expect(layout.fields.map((f) => [f.side, f.name, f.rows, f.maxValues, f.first])).toEqual([
      ['user', 'f0', 3, 1, 5],
      ['item', 'f0', 3, 2, 8],
    ]);
    expect(layout.tableRows).toBe(11);
    expect(layout.idTablesEnd).toBe(2 * 2 + 3 * 2 + 2 * 2 + 3 * 2);
    expect(layout.fields.every((f) => f.gmf >= layout.idTablesEnd && f.mlp >= layout.idTablesEnd && f.gmf < layout.denseOffset)).toBe(true);
    // the index's value rows: row 0 is "unknown", so the values are 1-based; -1 pads
    expect([...readFeatureIndex(model, layout)[1]]).toEqual([1, 2, -1, -1, 2, -1]);
    model.dispose();
  });
});
