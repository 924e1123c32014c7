// The one weight list (ncfSpec) against what the builders really make, and every consumer that
// derives from it: the bundle check's shapes (io/manifest), the fused engine's flat layout
// (training/fused/layout) and the fast scorer's reads (scoring/scorer-fast).
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { randomNcf } from '../../test/helpers/random-ncf.js';
import { expectedWeightShapes } from '../io/manifest.js';
import { inspectModel } from '../models/index.js';
import { readNcfWeights } from '../scoring/scorer-fast.js';
import { paramLayout, regionSize } from '../training/fused/layout.js';
import type { NcfArchitecture, NcfKind } from './architecture.js';
import { ncfSpec, ncfTable, weightSize } from './spec.js';

beforeAll(() => useBackend('cpu'));

/** A paper-style layer list: even first size, never growing (length 1: no hidden layer). */
const layersArb = fc
  .tuple(fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 3 }))
  .map(([half, rest]) => {
    const layers = [2 * half];
    for (const r of rest) layers.push(Math.min(r, layers[layers.length - 1]));
    return layers;
  });

const archArb: fc.Arbitrary<NcfArchitecture> = fc
  .record({
    kind: fc.constantFrom<NcfKind>('gmf', 'mlp', 'neumf'),
    numUsers: fc.integer({ min: 1, max: 12 }),
    numItems: fc.integer({ min: 1, max: 12 }),
    factors: fc.integer({ min: 1, max: 6 }),
    layers: layersArb,
  })
  .map((a) => ({ ...a, factors: a.kind === 'mlp' ? 0 : a.factors, layers: a.kind === 'gmf' ? [] : a.layers }));

/** Builds the architecture with random weights (the builders' own widths), runs `body`, disposes. */
function withModel<T>(arch: NcfArchitecture, seed: number, body: (model: tf.LayersModel) => T): T {
  const model = randomNcf({ ...arch, layers: [...arch.layers], seed });
  try {
    return body(model);
  } finally {
    model.dispose();
  }
}

describe('ncfSpec', () => {
  it('lists exactly the weights the builders make (layer name, index in the layer, shape)', () => {
    fc.assert(
      fc.property(archArb, fc.integer({ min: 0, max: 1e6 }), (arch, seed) => {
        const spec = ncfSpec(arch);
        withModel(arch, seed, (model) => {
          const actual = model.layers.flatMap((layer) => layer.weights.map((w, k) => `${layer.name}:${k}:[${w.shape.join(',')}]`));
          const listed = spec.weights.map((w) => `${w.layer}:${w.index}:[${w.shape.join(',')}]`);
          // tfjs orders layers by graph depth (a NeuMF's MLP tables come first): same set, not same order
          expect(actual.length).toBe(model.getWeights().length);
          expect([...actual].sort()).toEqual([...listed].sort());
          expect(new Set(listed).size).toBe(listed.length);
          // the recogniser maps the model back to the same architecture
          expect(inspectModel(model)).toEqual(arch);
        });
      }),
      { numRuns: 30 },
    );
  });

  it('derives the widths once: factors, mlpWidth = layers[0] / 2, tower, predictionInput', () => {
    const neumf = ncfSpec({ kind: 'neumf', numUsers: 3, numItems: 5, factors: 4, layers: [8, 4] });
    expect([neumf.factors, neumf.mlpWidth, neumf.tower, neumf.predictionInput]).toEqual([4, 4, [8, 4], 8]);
    const mlp = ncfSpec({ kind: 'mlp', numUsers: 3, numItems: 5, factors: 7, layers: [6] });
    expect([mlp.factors, mlp.mlpWidth, mlp.tower, mlp.predictionInput]).toEqual([0, 3, [6], 6]);
    const gmf = ncfSpec({ kind: 'gmf', numUsers: 3, numItems: 5, factors: 2, layers: [64, 8] });
    expect([gmf.factors, gmf.mlpWidth, gmf.tower, gmf.predictionInput]).toEqual([2, 0, [], 2]);
    expect(ncfTable(gmf, 'user', 'mlp')).toBeUndefined();
    expect(ncfTable(neumf, 'item', 'mlp')).toMatchObject({ layer: 'mlp_embedding_item', rows: 5, width: 4, shape: [5, 4] });
  });

  it('puts every table before every dense weight, and marks each weight for what it is', () => {
    fc.assert(
      fc.property(archArb, (arch) => {
        const { weights, factors, mlpWidth, tower } = ncfSpec(arch);
        const firstDense = weights.findIndex((w) => w.role !== 'table');
        expect(weights.slice(firstDense).every((w) => w.role !== 'table')).toBe(true);
        for (const w of weights) {
          if (w.role === 'table') {
            expect(w.shape).toEqual([w.side === 'user' ? arch.numUsers : arch.numItems, w.block === 'gmf' ? factors : mlpWidth]);
          } else if (w.role !== 'index') {
            expect(w.shape).toEqual(w.role === 'kernel' ? [w.inputs, w.units] : [w.units]);
            if (w.block === 'tower') expect([w.inputs, w.units]).toEqual([tower[w.towerLayer - 1], tower[w.towerLayer]]);
          }
        }
      }),
    );
  });
});

describe('consumers derive from the one weight list', () => {
  it('io/manifest: expectedWeightShapes groups the list by layer', () => {
    fc.assert(
      fc.property(archArb, (arch) => {
        const byLayer = new Map<string, number[][]>();
        for (const w of ncfSpec(arch).weights) byLayer.set(w.layer, [...(byLayer.get(w.layer) ?? []), [...w.shape]]);
        expect([...expectedWeightShapes(arch)]).toEqual([...byLayer]);
      }),
    );
  });

  it('training/fused/layout: one region per weight, same order, packed from 0, dense block after the tables', () => {
    fc.assert(
      fc.property(archArb, (arch) => {
        const { weights, factors, mlpWidth, tower, predictionInput } = ncfSpec(arch);
        const layout = paramLayout(arch);
        expect([layout.factors, layout.mlpWidth, layout.tower, layout.predictionInput]).toEqual([factors, mlpWidth, tower, predictionInput]);
        expect(layout.regions.map((r) => [r.layer, r.index, r.shape, r.transposed])).toEqual(
          weights.map((w) => [w.layer, w.index, w.shape, w.role === 'kernel']),
        );
        let offset = 0;
        layout.regions.forEach((r, k) => {
          expect(r.offset).toBe(offset);
          expect(regionSize(r)).toBe(weightSize(weights[k]));
          offset += regionSize(r);
        });
        expect(layout.length).toBe(offset);
        const firstDense = weights.findIndex((w) => w.role !== 'table');
        expect(layout.denseOffset).toBe(layout.regions[firstDense].offset);
      }),
    );
  });

  it('training/fused/layout: the same offsets as the hand-written layout for a small NeuMF', () => {
    const layout = paramLayout({ kind: 'neumf', numUsers: 3, numItems: 5, factors: 4, layers: [8, 4] });
    // tables: 3x4, 5x4, 3x4, 5x4; then mlp_layer1 kernel 8x4 and bias 4; prediction kernel 8 and bias 1
    expect([layout.gmfUser, layout.gmfItem, layout.mlpUser, layout.mlpItem]).toEqual([0, 12, 32, 44]);
    expect([layout.towerKernels, layout.towerBiases, layout.predictionKernel, layout.predictionBias]).toEqual([[64], [96], 100, 108]);
    expect([layout.denseOffset, layout.denseLength, layout.length]).toEqual([64, 45, 109]);
    const gmf = paramLayout({ kind: 'gmf', numUsers: 3, numItems: 5, factors: 2, layers: [] });
    expect([gmf.gmfUser, gmf.gmfItem, gmf.mlpUser, gmf.mlpItem, gmf.predictionKernel, gmf.length]).toEqual([0, 6, -1, -1, 16, 19]);
  });

  it("scoring/scorer-fast: readNcfWeights reads every weight of the list, values as the model's", () => {
    fc.assert(
      fc.property(archArb, fc.integer({ min: 0, max: 1e6 }), (arch, seed) => {
        withModel(arch, seed, (model) => {
          const read = readNcfWeights(model, arch);
          if (typeof read === 'string') throw new Error(read);
          const values = new Map(
            model.layers.flatMap((layer) => layer.getWeights().map((w, k) => [`${layer.name}:${k}`, Array.from(w.dataSync())] as const)),
          );
          const got = new Map<string, number[]>();
          const [gmfUser, gmfItem, mlpUser, mlpItem] = ['mf_embedding_user', 'mf_embedding_item', 'mlp_embedding_user', 'mlp_embedding_item'];
          if (arch.kind !== 'mlp') got.set(`${gmfUser}:0`, Array.from(read.gmfUser)).set(`${gmfItem}:0`, Array.from(read.gmfItem));
          if (arch.kind !== 'gmf') got.set(`${mlpUser}:0`, Array.from(read.mlpUser)).set(`${mlpItem}:0`, Array.from(read.mlpItem));
          read.tower.forEach((d, l) => got.set(`mlp_layer${l + 1}:0`, Array.from(d.kernel)).set(`mlp_layer${l + 1}:1`, Array.from(d.bias)));
          got.set('prediction:0', Array.from(read.outKernel)).set('prediction:1', [read.outBias]);
          expect(new Map([...got].sort())).toEqual(new Map([...values].sort()));
          const spec = ncfSpec(arch);
          expect([read.factors, read.mlpWidth]).toEqual([spec.factors, spec.mlpWidth]);
        });
      }),
      { numRuns: 20 },
    );
  });

  it('scoring/scorer-fast: a weight whose shape differs from the list is named', () => {
    const arch: NcfArchitecture = { kind: 'neumf', numUsers: 3, numItems: 5, factors: 4, layers: [8, 4] };
    withModel(arch, 1, (model) => {
      expect(readNcfWeights(model, { ...arch, numItems: 6 })).toBe(
        "layer 'mf_embedding_item' weight 0 (table) has shape [5, 4], expected [6, 4]",
      );
      expect(readNcfWeights(model, { ...arch, layers: [8, 2] })).toMatch(/^layer 'mlp_layer1' weight 0 \(kernel\) has shape \[8, 4\], expected \[8, 2\]$/);
    });
  });
});
