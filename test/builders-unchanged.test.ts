// The builders without side features are exactly the builders before side features came in:
// test/fixtures/builders-0.2/seeded-weights.json holds the CRC-32 of every weight (and of the
// model.json topology) of seeded GMF, MLP and NeuMF models, recorded with the builders of commit
// bf7a09c (before FeaturePool). Same seed, same layers, same bytes.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from './helpers/backends.js';
import { GMF, MLP, NeuMF } from '../src/models/index.js';
import { crc32 } from '../src/io/checksum.js';

beforeAll(() => useBackend('cpu'));

const builds: Record<string, () => tf.LayersModel> = {
  gmf: () => GMF({ numUsers: 13, numItems: 17, factors: 4, seed: 7 }),
  mlp: () => MLP({ numUsers: 13, numItems: 17, layers: [8, 4, 2], seed: 7 }),
  neumf: () => NeuMF({ numUsers: 13, numItems: 17, factors: 4, layers: [8, 4, 2], seed: 7 }),
};

describe('builders without side features', () => {
  it('give the same topology and the same weights, byte for byte, as before side features', async () => {
    const recorded = JSON.parse(await readFile(new URL('./fixtures/builders-0.2/seeded-weights.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>;
    for (const [kind, build] of Object.entries(builds)) {
      const model = build();
      const now: Record<string, string> = {};
      for (const layer of model.layers) {
        layer.getWeights().forEach((w, i) => {
          now[`${layer.name}:${i}`] = crc32(new Uint8Array((w.dataSync() as Float32Array).slice().buffer));
        });
      }
      now.topology = crc32(new TextEncoder().encode(JSON.stringify(model.toJSON(null, false))));
      expect(now, kind).toEqual(recorded[kind]);
      model.dispose();
    }
  });
});
