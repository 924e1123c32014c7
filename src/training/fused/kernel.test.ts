import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../../test/helpers/backends.js';
import { inspectModel } from '../../models/index.js';
import type { NcfArchitecture } from '../../ncf/index.js';
import { mulberry32 } from '../../_lib/random.js';
import { FusedKernel } from './kernel.js';
import type { KernelKind } from './tower-wasm.js';
import { paramLayout } from './layout.js';
import { readModelWeights } from './model-weights.js';
import { allocateControl, allocateStore, CONTROL_STEP } from './store.js';
import { ADAM_EPSILON } from './optimizer.js';
import { referenceAdamState, referenceBce, referenceBpr, referenceStep, type ReferenceResult } from '../../../test/oracles/ncf-reference.js';
import {
  build,
  byLayer,
  expectAllClose,
  GRADIENT_SCALE_FLOOR,
  KERNELS,
  kernelGradients,
  loadTowerModule,
  maxRelativeError,
  newKernel,
  TFJS_GRADIENT_NOISE,
  tfjsGradients,
  tfjsLoss,
  variablesOf,
  weightsOf,
  type Case,
} from '../../../test/helpers/fused-kernel.js';

let towerModule: WebAssembly.Module | null = null;

beforeAll(async () => {
  await useBackend('cpu');
  towerModule = await loadTowerModule();
});

/** Random small architectures and batches (duplicate users and items are likely, on purpose). */
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    kind: fc.constantFrom('gmf' as const, 'mlp' as const, 'neumf' as const),
    numUsers: fc.integer({ min: 1, max: 6 }),
    numItems: fc.integer({ min: 2, max: 6 }),
    factors: fc.integer({ min: 1, max: 5 }),
    half: fc.integer({ min: 1, max: 4 }),
    hidden: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 3 }),
    size: fc.integer({ min: 1, max: 9 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    // runs of equal users, as the sampler emits them (the kernel factors layer 1 over such runs)
    grouped: fc.boolean(),
  })
  .chain((c) => {
    const index = (n: number) => fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: c.size, maxLength: c.size });
    return fc.record({
      c: fc.constant(c),
      users: index(c.numUsers),
      items: index(c.numItems),
      negatives: index(c.numItems),
      labels: fc.array(fc.constantFrom(0, 1), { minLength: c.size, maxLength: c.size }),
    });
  })
  .map(({ c, users, items, negatives, labels }) => {
    // tower sizes never grow toward the output
    const first = 2 * c.half;
    const layers = c.kind === 'gmf' ? [] : [first, ...[...c.hidden].sort((a, b) => b - a).map((h) => Math.min(h, first))];
    return {
      arch: { kind: c.kind, numUsers: c.numUsers, numItems: c.numItems, factors: c.kind === 'mlp' ? 0 : c.factors, layers },
      seed: c.seed,
      users: Int32Array.from(c.grouped ? [...users].sort((a, b) => a - b) : users),
      items: Int32Array.from(items),
      negatives: Int32Array.from(negatives),
      labels: Float32Array.from(labels),
    };
  });

describe('fused kernel: loss and gradients equal tfjs autodiff', () => {
  it('the WebAssembly SIMD tower compiles in this runtime', () => {
    expect(towerModule).not.toBeNull();
  });

  for (const loss of ['bce', 'bpr'] as const) for (const tower of KERNELS) {
    it(`${loss}, ${tower} tower: every gradient (tables and dense) of random GMF/MLP/NeuMF batches, relative error < 1e-4`, () => {
      fc.assert(
        fc.property(caseArb, (c) => {
          const before = tf.memory().numTensors;
          const model = build(c.arch, c.seed);
          try {
            expect(inspectModel(model)).toEqual(c.arch);
            const expected = tfjsGradients(model, c, loss);
            const { layout, kernel } = newKernel(model, c.arch, loss, 'adam', 0.01, tower);
            const value = kernelGradients(kernel, c, loss);
            expect(Math.abs(value - expected.loss) / Math.max(1e-6, Math.abs(expected.loss))).toBeLessThan(1e-4);
            expectAllClose(byLayer(layout, kernel.flatGradients(), (n) => new Float64Array(n)), expected.gradients, 1e-4, GRADIENT_SCALE_FLOOR);

            // the readable reference computes the same numbers
            const ref = loss === 'bce' ? referenceBce(c.arch, weightsOf(model), c) : referenceBpr(c.arch, weightsOf(model), { users: c.users, positives: c.items, negatives: c.negatives });
            expect(Math.abs(ref.loss - value)).toBeLessThan(1e-9);
            expectAllClose(byLayer(layout, kernel.flatGradients(), (n) => new Float64Array(n)), ref.gradients, 1e-9, GRADIENT_SCALE_FLOOR);
          } finally {
            model.dispose();
          }
          expect(tf.memory().numTensors).toBe(before);
        }),
        { numRuns: 25 },
      );
    });
  }

  for (const loss of ['bce', 'bpr'] as const) for (const tower of KERNELS) {
    it(`${loss}, ${tower} tower, weighted: loss and every gradient equal tfjs autodiff of mean(c * loss), relative error < 1e-4`, () => {
      const weightedCase = caseArb.chain((c) =>
        fc.record({ c: fc.constant(c), weights: fc.array(fc.float({ min: 0, max: 6, noNaN: true }), { minLength: c.users.length, maxLength: c.users.length }) }),
      );
      fc.assert(
        fc.property(weightedCase, ({ c, weights: w }) => {
          const weights = Float32Array.from(w);
          const model = build(c.arch, c.seed);
          try {
            const expected = tfjsGradients(model, c, loss, weights);
            const { layout, kernel } = newKernel(model, c.arch, loss, 'adam', 0.01, tower);
            const value = loss === 'bce' ? kernel.gradientsBce(c.users, c.items, c.labels, weights) : kernel.gradientsBpr(c.users, c.items, c.negatives, weights);
            expect(Math.abs(value - expected.loss) / Math.max(1e-6, Math.abs(expected.loss))).toBeLessThan(1e-4);
            expectAllClose(byLayer(layout, kernel.flatGradients(), (n) => new Float64Array(n)), expected.gradients, 1e-4, GRADIENT_SCALE_FLOOR);
          } finally {
            model.dispose();
          }
        }),
        { numRuns: 20 },
      );
    });
  }

  it('weights of 1 give exactly the unweighted loss and gradients; weight 0 drops an instance', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const model = build(c.arch, c.seed);
        try {
          for (const loss of ['bce', 'bpr'] as const) {
            const run = (weights?: Float32Array) => {
              const { kernel } = newKernel(model, c.arch, loss, 'adam');
              const value = loss === 'bce' ? kernel.gradientsBce(c.users, c.items, c.labels, weights) : kernel.gradientsBpr(c.users, c.items, c.negatives, weights);
              return { value, gradients: Array.from(kernel.flatGradients()) };
            };
            const n = c.users.length;
            expect(run(new Float32Array(n).fill(1))).toEqual(run());
            // all weight 0: nothing to learn, loss 0
            const zero = run(new Float32Array(n));
            expect(zero.value).toBe(0);
            expect(zero.gradients.every((g) => g === 0)).toBe(true);
          }
        } finally {
          model.dispose();
        }
      }),
      { numRuns: 10 },
    );
  });

  it('sums the gradients of a row repeated within a batch (hand-computed GMF)', () => {
    // GMF, factors 1: z = p_u q_i w + c. Weights p0 = 0.5, q0 = 2, w = 1, c = 0, so z = 1 for both
    // instances (user 0, item 0) with labels 1 and 0; dL/dz_b = (σ(1) - y_b) / 2.
    const arch: NcfArchitecture = { kind: 'gmf', numUsers: 1, numItems: 1, factors: 1, layers: [] };
    const layout = paramLayout(arch);
    const params = new Float32Array(layout.length);
    params[layout.gmfUser] = 0.5;
    params[layout.gmfItem] = 2;
    params[layout.predictionKernel] = 1;
    const kernel = new FusedKernel(layout, { params, m: null, rms: null }, { loss: 'bce', optimizer: 'sgd', learningRate: 1 });
    kernel.gradientsBce(Int32Array.of(0, 0), Int32Array.of(0, 0), Float32Array.of(1, 0));
    const s = 1 / (1 + Math.exp(-1));
    const dzSum = ((s - 1) + s) / 2; // = s - 0.5
    const g = kernel.flatGradients();
    expect(g[layout.gmfUser]).toBeCloseTo(dzSum * 2 * 1, 12); // dz * w * q
    expect(g[layout.gmfItem]).toBeCloseTo(dzSum * 0.5 * 1, 12); // dz * w * p
    expect(g[layout.predictionBias]).toBeCloseTo(dzSum, 12);
  });
});

describe('fused kernel: optimizer steps equal tfjs optimizers', () => {
  const step = (optimizer: 'adam' | 'sgd', lr: number, tower: KernelKind) =>
    fc.property(caseArb, fc.constantFrom('bce' as const, 'bpr' as const), (c, loss) => {
      const before = tf.memory().numTensors;
      const model = build(c.arch, c.seed);
      const opt = optimizer === 'adam' ? tf.train.adam(lr) : tf.train.sgd(lr);
      try {
        const { layout, store, kernel } = newKernel(model, c.arch, loss, optimizer, lr, tower);
        const initial = Float32Array.from(store.params);
        const ref = weightsOf(model);
        const refResult: ReferenceResult = loss === 'bce' ? referenceBce(c.arch, ref, c) : referenceBpr(c.arch, ref, { users: c.users, positives: c.items, negatives: c.negatives });
        referenceStep(c.arch, ref, refResult, optimizer, lr, referenceAdamState(ref));

        kernelGradients(kernel, c, loss);
        kernel.apply(1);
        const { features, f } = tfjsLoss(model, c, loss);
        opt.minimize(f, false, variablesOf(model).map((v) => v.variable));
        void features; // shares every layer with the model: disposing the model frees them

        // compare the updates w' - w: relative to the step, plus float32 rounding of w
        const fused = byLayer(layout, store.params, (n) => new Float32Array(n));
        const start = byLayer(layout, initial, (n) => new Float32Array(n));
        const tfjs = weightsOf(model);
        for (const [layer, arrays] of Object.entries(tfjs)) {
          arrays.forEach((t, index) => {
            const s0 = start[layer][index];
            for (let k = 0; k < t.length; k++) {
              const slack = 1e-4 * Math.abs(t[k] - s0[k]) + 4 * 2 ** -24 * Math.max(Math.abs(s0[k]), Math.abs(t[k]));
              // tfjs's float32 gradient noise (up to TFJS_GRADIENT_NOISE) moves its step by d(step)/dg times
              // that: lr for SGD, lr eps / (|g| + eps)^2 for Adam's first step lr g / (|g| + eps), large where |g| ~ eps
              const g = refResult.gradients[layer][index][k];
              const sensitivity = optimizer === 'adam' ? (lr * ADAM_EPSILON) / (Math.abs(g) + ADAM_EPSILON) ** 2 : lr;
              const noise = sensitivity * TFJS_GRADIENT_NOISE;
              expect(Math.abs(fused[layer][index][k] - t[k]), `${layer}[${index}][${k}] vs tfjs`).toBeLessThanOrEqual(slack + noise + 1e-12);
              expect(Math.abs(fused[layer][index][k] - ref[layer][index][k]), `${layer}[${index}][${k}] vs reference`).toBeLessThanOrEqual(slack + 1e-12);
            }
          });
        }
        // rows no instance touched keep their values exactly
        const tables = [
          ['mf_embedding_user', c.users],
          ['mlp_embedding_user', c.users],
          ['mf_embedding_item', [...c.items, ...(loss === 'bpr' ? c.negatives : [])]],
          ['mlp_embedding_item', [...c.items, ...(loss === 'bpr' ? c.negatives : [])]],
        ] as const;
        for (const [name, rows] of tables) {
          if (fused[name] === undefined) continue;
          const region = layout.regions.find((r) => r.layer === name)!;
          const width = region.shape[1];
          const touched = new Set(rows);
          for (let row = 0; row < region.shape[0]; row++) {
            if (touched.has(row)) continue;
            for (let k = 0; k < width; k++) expect(fused[name][0][row * width + k]).toBe(start[name][0][row * width + k]);
          }
        }
      } finally {
        opt.dispose();
        model.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    });

  for (const tower of KERNELS) {
    it(`${tower} tower: one Adam step gives tfjs Adam’s weights on touched rows and dense weights; untouched rows unchanged`, () => {
      fc.assert(step('adam', 0.01, tower), { numRuns: 20 });
    });

    it(`${tower} tower: one SGD step gives tfjs SGD’s weights`, () => {
      fc.assert(step('sgd', 0.1, tower), { numRuns: 10 });
    });
  }

  for (const tower of KERNELS) it(`${tower} tower: lazy Adam equals tfjs Adam over several steps when every row is touched at every step`, () => {
    const arch: NcfArchitecture = { kind: 'neumf', numUsers: 3, numItems: 4, factors: 3, layers: [6, 4, 2] };
    const c: Case = {
      arch,
      seed: 11,
      users: Int32Array.of(0, 1, 2, 0, 1, 2),
      items: Int32Array.of(0, 1, 2, 3, 3, 0),
      negatives: Int32Array.of(1, 2, 3, 0, 2, 1),
      labels: Float32Array.of(1, 0, 1, 0, 0, 1),
    };
    const before = tf.memory().numTensors;
    const model = build(arch, c.seed);
    const opt = tf.train.adam(0.01);
    const { layout, store, kernel } = newKernel(model, arch, 'bce', 'adam', 0.01, tower);
    for (let t = 1; t <= 5; t++) {
      kernel.gradientsBce(c.users, c.items, c.labels);
      kernel.apply(t);
      const { features, f } = tfjsLoss(model, c, 'bce');
      opt.minimize(f, false, variablesOf(model).map((v) => v.variable));
      void features; // shares every layer with the model: disposing the model frees them
    }
    expectAllClose(byLayer(layout, store.params, (n) => new Float32Array(n)), weightsOf(model), 1e-5);
    opt.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

/**
 * Random batch sequences that leave rows out for many steps: the "tail" rows (upper half of each
 * table) are in the batches of the first few steps and of the last one only, the "head" rows in
 * random batches throughout.
 */
const sequenceArb = fc
  .record({
    kind: fc.constantFrom('gmf' as const, 'mlp' as const, 'neumf' as const),
    numUsers: fc.integer({ min: 2, max: 6 }),
    numItems: fc.integer({ min: 2, max: 8 }),
    factors: fc.integer({ min: 1, max: 4 }),
    half: fc.integer({ min: 1, max: 3 }),
    hidden: fc.integer({ min: 1, max: 4 }),
    steps: fc.integer({ min: 10, max: 60 }),
    head: fc.integer({ min: 1, max: 3 }),
    size: fc.integer({ min: 1, max: 6 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    loss: fc.constantFrom('bce' as const, 'bpr' as const),
  })
  .map((c) => {
    const arch: NcfArchitecture = {
      kind: c.kind,
      numUsers: c.numUsers,
      numItems: c.numItems,
      factors: c.kind === 'mlp' ? 0 : c.factors,
      layers: c.kind === 'gmf' ? [] : [2 * c.half, Math.min(c.hidden, 2 * c.half)],
    };
    const random = mulberry32(c.seed);
    const pick = (n: number, tail: boolean) => {
      const h = Math.max(1, Math.floor(n / 2));
      return tail ? Math.floor(random() * n) : Math.floor(random() * h);
    };
    const batches: Case[] = [];
    for (let t = 1; t <= c.steps; t++) {
      const tail = t <= c.head || t === c.steps;
      const users = Int32Array.from({ length: c.size }, () => pick(c.numUsers, tail));
      const items = Int32Array.from({ length: c.size }, () => pick(c.numItems, tail));
      const negatives = Int32Array.from({ length: c.size }, () => pick(c.numItems, tail));
      const labels = Float32Array.from({ length: c.size }, () => (random() < 0.4 ? 1 : 0));
      batches.push({ arch, seed: c.seed, users, items, negatives, labels });
    }
    return { arch, seed: c.seed, loss: c.loss, batches };
  });

describe('fused kernel: dense Adam on rows skipped for many steps equals tfjs Adam', () => {
  // Tolerance: each step's gradients differ from tfjs's by float32 rounding (~1e-7 relative; tfjs
  // computes in float32, the kernel in double), Adam's m/sqrt(v) passes that on, and 10-60 steps of
  // lr 0.01 on O(1) weights accumulate it; the catch-up's own error is 5e-7 of a displacement. The
  // every-step test above (no skipped rows) agrees to 1e-5 over 5 steps; 1e-4 over 60 steps with
  // gaps is the same order. Lazy Adam misses the skipped steps' motion entirely: about lr per skipped
  // step while the momentum lasts, orders of magnitude above the tolerance.
  for (const tower of KERNELS) {
    it(`${tower} tower: random GMF/MLP/NeuMF and batch sequences, max relative error < 1e-4 after a final catch-up`, () => {
      fc.assert(
        fc.property(sequenceArb, ({ arch, seed, loss, batches }) => {
          const before = tf.memory().numTensors;
          const model = build(arch, seed);
          const initial = weightsOf(model);
          const opt = tf.train.adam(0.01);
          try {
            const { layout, store, kernel } = newKernel(model, arch, loss, 'adam', 0.01, tower);
            batches.forEach((c, t) => {
              kernelGradients(kernel, c, loss);
              kernel.apply(t + 1);
              const { f } = tfjsLoss(model, c, loss);
              opt.minimize(f, false, variablesOf(model).map((v) => v.variable));
            });
            kernel.catchUpAll(batches.length);
            expect(maxRelativeError(layout, store.params, model, initial)).toBeLessThan(1e-4);
          } finally {
            opt.dispose();
            model.dispose();
          }
          expect(tf.memory().numTensors).toBe(before);
        }),
        { numRuns: 15, seed: 12 },
      );
    });
  }

  it('lazy Adam (rows: lazy) does not match, and dense does, on rows skipped across the replay bound and past it (closed form)', () => {
    const arch: NcfArchitecture = { kind: 'neumf', numUsers: 2, numItems: 3, factors: 2, layers: [4, 2] };
    const head: Case = { arch, seed: 4, users: Int32Array.of(0, 0), items: Int32Array.of(0, 1), negatives: Int32Array.of(1, 0), labels: Float32Array.of(1, 0) };
    const all: Case = { ...head, users: Int32Array.of(0, 1, 1), items: Int32Array.of(0, 1, 2), negatives: Int32Array.of(1, 2, 0), labels: Float32Array.of(1, 1, 0) };
    const errors: Record<'dense' | 'lazy', number> = { dense: 0, lazy: 0 };
    for (const rows of ['dense', 'lazy'] as const) {
      const model = build(arch, 4);
      const opt = tf.train.adam(0.01);
      const { layout, store, kernel } = newKernel(model, arch, 'bce', 'adam', 0.01, 'js', rows);
      // tail rows: touched at steps 1-3, 300 and 330; the gaps 3..300 (replayed to step 256, then the
      // Gauss rule) and 300..330 (the Gauss rule only)
      for (let t = 1; t <= 340; t++) {
        const c = t <= 3 || t === 300 || t === 330 ? all : head;
        kernel.gradientsBce(c.users, c.items, c.labels);
        kernel.apply(t);
        opt.minimize(tfjsLoss(model, c, 'bce').f, false, variablesOf(model).map((v) => v.variable));
      }
      kernel.catchUpAll();
      errors[rows] = maxRelativeError(layout, store.params, model);
      opt.dispose();
      model.dispose();
    }
    expect(errors.dense).toBeLessThan(1e-4);
    expect(errors.lazy).toBeGreaterThan(1e-2);
  });
});

describe('fused kernel: dense Adam bookkeeping shared between threads', () => {
  it('two kernels on one shared store and step counter, taking turns, give one kernel’s weights bit for bit', () => {
    const arch: NcfArchitecture = { kind: 'neumf', numUsers: 12, numItems: 30, factors: 3, layers: [6, 4] };
    const model = build(arch, 8);
    const layout = paramLayout(arch);
    const rows = arch.numUsers + arch.numItems;
    const random = mulberry32(4);
    const batches = Array.from({ length: 40 }, () => ({
      users: Int32Array.from({ length: 5 }, () => Math.floor(random() * 12)),
      items: Int32Array.from({ length: 5 }, () => Math.floor(random() * 30)),
      labels: Float32Array.from({ length: 5 }, () => (random() < 0.3 ? 1 : 0)),
    }));
    const options = { loss: 'bce' as const, optimizer: 'adam' as const, learningRate: 0.01 };
    // one kernel, one thread
    const { store: alone, kernel } = newKernel(model, arch, 'bce', 'adam', 0.01);
    batches.forEach((b, t) => {
      kernel.gradientsBce(b.users, b.items, b.labels);
      kernel.apply(t + 1);
    });
    kernel.catchUpAll(batches.length);
    // two kernels on shared memory, as two workers whose steps never overlap
    const { buffer, store } = allocateStore(layout.length, true, true, rows);
    readModelWeights(model, layout, store.params);
    const control = allocateControl(true);
    const pair = [new FusedKernel(layout, store, options, null, control), new FusedKernel(layout, store, options, null, control)];
    batches.forEach((b, t) => {
      const k = pair[t % 2];
      k.gradientsBce(b.users, b.items, b.labels);
      k.apply(Atomics.add(control, CONTROL_STEP, 1) + 1);
    });
    pair[0].catchUpAll(Atomics.load(control, CONTROL_STEP));
    expect(buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(store.params.buffer, 0, layout.length * 4).equals(Buffer.from(alone.params.buffer, 0, layout.length * 4))).toBe(true);
    // every row is up to date as of the last step after the final catch-up (the later of its two
    // steps), and so are the moments of every row ever updated (a row never updated keeps moments of
    // step 0), in the shared bookkeeping too
    const updated = new Set(batches.flatMap((b) => [...b.users, ...[...b.items].map((i) => arch.numUsers + i)]));
    const steps = store.rowSteps!;
    expect(Array.from({ length: rows }, (_, r) => Math.max(steps[2 * r], steps[2 * r + 1]))).toEqual(new Array(rows).fill(40));
    expect(Array.from({ length: rows }, (_, r) => steps[2 * r + 1])).toEqual(Array.from({ length: rows }, (_, r) => (updated.has(r) ? 40 : 0)));
    model.dispose();
  });
});

describe('fused kernel: determinism', () => {
  for (const tower of KERNELS) it(`${tower} tower: the same batches give bit-identical weights and losses`, () => {
    const arch: NcfArchitecture = { kind: 'neumf', numUsers: 20, numItems: 15, factors: 4, layers: [8, 6, 4] };
    const model = build(arch, 5);
    const run = () => {
      const { store, kernel } = newKernel(model, arch, 'bce', 'adam', 0.01, tower);
      const random = mulberry32(9);
      const losses: number[] = [];
      for (let t = 1; t <= 30; t++) {
        const users = Int32Array.from({ length: 16 }, () => Math.floor(random() * 20));
        const items = Int32Array.from({ length: 16 }, () => Math.floor(random() * 15));
        const labels = Float32Array.from({ length: 16 }, () => (random() < 0.3 ? 1 : 0));
        losses.push(kernel.gradientsBce(users, items, labels));
        kernel.apply(t);
      }
      return { params: store.params, losses };
    };
    const a = run();
    const b = run();
    expect(b.losses).toEqual(a.losses);
    expect(Buffer.from(b.params.buffer).equals(Buffer.from(a.params.buffer))).toBe(true);
    model.dispose();
  });
});
