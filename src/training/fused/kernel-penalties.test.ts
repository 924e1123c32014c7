// L2 penalties on Dense kernels in the fused kernel, held to what the tfjs engine minimises: the
// batch loss plus the model's regularisation losses (batch-loss.ts, as model.fit adds them).
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../../test/helpers/backends.js';
import { byLayer, expectAllClose, GRADIENT_SCALE_FLOOR, KERNELS, loadTowerModule, newKernel, randomizeWeights, variablesOf, weightsOf } from '../../../test/helpers/fused-kernel.js';
import { inspectModel, MLP, NeuMF, GMF } from '../../models/index.js';
import type { NcfArchitecture } from '../../ncf/index.js';
import { pairwiseLoss, pointwiseLoss } from '../batch-loss.js';
import { createScoreHead } from '../logit-head.js';
import { resolveTrainOptions } from '../options.js';
import { paramLayout } from './layout.js';
import { fusedSupport, kernelL2 } from './support.js';

beforeAll(async () => {
  await useBackend('cpu');
  await loadTowerModule();
});

interface PenaltyCase {
  kind: 'mlp' | 'neumf';
  numUsers: number;
  numItems: number;
  factors: number;
  layers: number[];
  /** One per entry of layers; [0] (the embeddings) is always 0 here. */
  l2: number[];
  seed: number;
  users: Int32Array;
  items: Int32Array;
  negatives: Int32Array;
  labels: Float32Array;
}

const penaltyArb: fc.Arbitrary<PenaltyCase> = fc
  .record({
    kind: fc.constantFrom('mlp' as const, 'neumf' as const),
    numUsers: fc.integer({ min: 1, max: 5 }),
    numItems: fc.integer({ min: 2, max: 5 }),
    factors: fc.integer({ min: 1, max: 4 }),
    half: fc.integer({ min: 1, max: 4 }),
    hidden: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
    penalties: fc.array(fc.constantFrom(0, 1e-3, 0.05, 0.5), { minLength: 3, maxLength: 3 }),
    size: fc.integer({ min: 1, max: 8 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .chain((c) => {
    const index = (n: number) => fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: c.size, maxLength: c.size });
    return fc.record({ c: fc.constant(c), users: index(c.numUsers), items: index(c.numItems), negatives: index(c.numItems), labels: fc.array(fc.constantFrom(0, 1), { minLength: c.size, maxLength: c.size }) });
  })
  .map(({ c, users, items, negatives, labels }) => {
    const first = 2 * c.half;
    const layers = [first, ...[...c.hidden].sort((a, b) => b - a).map((h) => Math.min(h, first))];
    const l2 = [0, ...layers.slice(1).map((_, i) => c.penalties[i])];
    return {
      kind: c.kind,
      numUsers: c.numUsers,
      numItems: c.numItems,
      factors: c.factors,
      layers,
      l2,
      seed: c.seed,
      users: Int32Array.from(users),
      items: Int32Array.from(items),
      negatives: Int32Array.from(negatives),
      labels: Float32Array.from(labels),
    };
  });

function buildPenalised(c: PenaltyCase): { model: tf.LayersModel; arch: NcfArchitecture } {
  const { numUsers, numItems, factors, layers, l2 } = c;
  const model = c.kind === 'mlp' ? MLP({ numUsers, numItems, layers, l2 }) : NeuMF({ numUsers, numItems, factors, layers, l2Mlp: l2 });
  randomizeWeights(model, c.seed);
  const arch = inspectModel(model);
  if (arch === null) throw new Error('not a standard model');
  return { model, arch };
}

/** The loss the tfjs engine minimises for this batch (data loss + the model's penalties). */
function tfjsObjective(model: tf.LayersModel, c: PenaltyCase, loss: 'bce' | 'bpr'): () => tf.Scalar {
  const head = createScoreHead(model);
  return loss === 'bce'
    ? () => pointwiseLoss(model, head, { users: c.users, items: c.items, labels: c.labels })
    : () => pairwiseLoss(model, head, { users: c.users, positives: c.items, negatives: c.negatives });
}

const kernelLoss = (kernel: ReturnType<typeof newKernel>['kernel'], c: PenaltyCase, loss: 'bce' | 'bpr'): number =>
  loss === 'bce' ? kernel.gradientsBce(c.users, c.items, c.labels) : kernel.gradientsBpr(c.users, c.items, c.negatives);

describe('fused kernel: L2 penalties on Dense kernels', () => {
  it('kernelL2 places each penalised kernel in the dense block, and only those', () => {
    const model = MLP({ numUsers: 3, numItems: 4, layers: [8, 4, 2], l2: [0, 1e-4, 0] });
    try {
      const layout = paramLayout(inspectModel(model)!);
      const [p] = kernelL2(model, layout);
      expect(kernelL2(model, layout)).toHaveLength(1);
      expect(p).toEqual({ offset: layout.towerKernels[0] - layout.denseOffset, length: 32, l2: 1e-4 });
    } finally {
      model.dispose();
    }
  });

  for (const loss of ['bce', 'bpr'] as const) for (const tower of KERNELS) {
    it(`${loss}, ${tower} tower: loss and gradients equal tfjs autodiff of the loss plus the penalties, relative error < 1e-4`, () => {
      fc.assert(
        fc.property(penaltyArb, (c) => {
          const { model, arch } = buildPenalised(c);
          try {
            const vars = variablesOf(model);
            const { value, grads } = tf.variableGrads(tfjsObjective(model, c, loss), vars.map((v) => v.variable));
            const expected: Record<string, Float32Array[]> = {};
            for (const v of vars) (expected[v.layer] ??= [])[v.index] = grads[v.variable.name].dataSync() as Float32Array;
            const expectedLoss = value.dataSync()[0];
            tf.dispose([value, ...Object.values(grads)]);

            const layout = paramLayout(arch);
            const { kernel } = newKernel(model, arch, loss, 'adam', 0.01, tower, 'dense', kernelL2(model, layout));
            const got = kernelLoss(kernel, c, loss);
            expect(Math.abs(got - expectedLoss) / Math.max(1e-6, Math.abs(expectedLoss))).toBeLessThan(1e-4);
            expectAllClose(byLayer(layout, kernel.flatGradients(), (n) => new Float64Array(n)), expected, 1e-4, GRADIENT_SCALE_FLOOR);
          } finally {
            model.dispose();
          }
        }),
        { numRuns: 20 },
      );
    });
  }

  for (const optimizer of ['adam', 'sgd'] as const) {
    it(`${optimizer}: ten steps on the same batch give tfjs ${optimizer}'s weights (every row touched), relative error < 1e-4`, () => {
      const c: PenaltyCase = {
        kind: 'neumf',
        numUsers: 3,
        numItems: 4,
        factors: 3,
        layers: [6, 4, 2],
        l2: [0, 0.05, 0.5],
        seed: 5,
        users: Int32Array.of(0, 1, 2, 0, 1, 2),
        items: Int32Array.of(0, 1, 2, 3, 3, 0),
        negatives: Int32Array.of(1, 2, 3, 0, 2, 1),
        labels: Float32Array.of(1, 0, 1, 0, 0, 1),
      };
      const lr = optimizer === 'adam' ? 0.01 : 0.1;
      const { model, arch } = buildPenalised(c);
      const plain = buildPenalised({ ...c, l2: [0, 0, 0] });
      const opt = optimizer === 'adam' ? tf.train.adam(lr) : tf.train.sgd(lr);
      try {
        const layout = paramLayout(arch);
        const penalties = kernelL2(model, layout);
        expect(penalties).toHaveLength(2);
        const { store, kernel } = newKernel(model, arch, 'bce', optimizer, lr, 'wasm-simd', 'lazy', penalties);
        const unpenalised = newKernel(plain.model, arch, 'bce', optimizer, lr, 'wasm-simd', 'lazy');
        for (let t = 1; t <= 10; t++) {
          kernelLoss(kernel, c, 'bce');
          kernel.apply(t);
          kernelLoss(unpenalised.kernel, c, 'bce');
          unpenalised.kernel.apply(t);
          opt.minimize(tfjsObjective(model, c, 'bce'), false, variablesOf(model).map((v) => v.variable));
        }
        const fused = byLayer(layout, store.params, (n) => new Float32Array(n));
        expectAllClose(fused, weightsOf(model), 1e-4);
        // the penalty matters: without it the penalised kernels end elsewhere
        const free = byLayer(layout, unpenalised.store.params, (n) => new Float32Array(n));
        const moved = fused.mlp_layer2[0].reduce((s, w, k) => s + Math.abs(w - free.mlp_layer2[0][k]), 0);
        expect(moved).toBeGreaterThan(1e-3);
      } finally {
        opt.dispose();
        model.dispose();
        plain.model.dispose();
      }
    });
  }

  it('fusedSupport takes kernel L2 and refuses L2 on embeddings, naming the layer and why', () => {
    const options = resolveTrainOptions({});
    const kernels = MLP({ numUsers: 3, numItems: 4, layers: [8, 4], l2: [0, 1e-4] });
    const embeddings = MLP({ numUsers: 3, numItems: 4, layers: [8, 4], l2: [1e-4, 0] });
    const gmf = GMF({ numUsers: 3, numItems: 4, factors: 2, l2: 1e-4 });
    try {
      expect(fusedSupport(kernels, inspectModel(kernels), options)).toEqual({ supported: true });
      const refused = fusedSupport(embeddings, inspectModel(embeddings), options);
      expect(refused.supported).toBe(false);
      expect((refused as { reason: string }).reason).toMatch(/mlp_embedding_(user|item).*embeddingsRegularizer/);
      expect(fusedSupport(gmf, inspectModel(gmf), options).supported).toBe(false);
    } finally {
      kernels.dispose();
      embeddings.dispose();
      gmf.dispose();
    }
  });
});
