import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { allUsers, predictAll, randomNcf, type RandomNcfConfig } from '../../test/helpers/random-ncf.js';
import { inspectModel } from '../models/index.js';
import { createScorer } from './index.js';
import { LIST_CHUNK, scoreModule } from './score-wasm.js';
import { NcfFastScorer, readNcfWeights, type NcfWeights } from './scorer-fast.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const ASC = join(ROOT, 'node_modules/assemblyscript/package.json');

beforeAll(() => useBackend('cpu'));

// How far the kernel may be from model.predict. Both compute float32 activations, but the kernel
// sums each dot product in float32 (rounding after every add, in its own order) where tfjs's cpu
// backend sums in float64 and rounds once. A float32 sum of K products is off by at most about
// K * 2^-24 * (sum of |products|) (the textbook gamma_K bound); with the widths here (K <= 24) and
// weights N(0, 0.6) the logits' sums of |products| stay below ~30, so a logit is off by well under
// 1e-4 even in the worst case and by ~sqrt(K) * 2^-24 * 30 ~ 1e-6 typically; the sigmoid's slope
// (at most 1/4) shrinks that again. 1e-5 on the score is the scorer's documented agreement
// (createScorer: "about 1e-6") with a margin; the JS loops, which also round to float32 between
// layers, must agree with the kernel to the same tolerance.
const TOLERANCE = 1e-5;

function worstDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function weightsOf(model: tf.LayersModel): NcfWeights {
  const architecture = inspectModel(model);
  if (architecture === null) throw new Error('not a standard model');
  const w = readNcfWeights(model, architecture);
  if (typeof w === 'string') throw new Error(w);
  return w;
}

/** Any shrinking tower of widths 1..24 (odd ones and ones above 8 exercise the padding and both register blocks). */
const configArb: fc.Arbitrary<RandomNcfConfig> = fc.record({
  kind: fc.constantFrom('gmf', 'mlp', 'neumf'),
  numUsers: fc.integer({ min: 1, max: 4 }),
  // across the kernel's 64-item blocks, and not a multiple of 4
  numItems: fc.integer({ min: 1, max: 150 }),
  factors: fc.integer({ min: 1, max: 11 }),
  layers: fc
    .tuple(fc.integer({ min: 1, max: 12 }), fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 3 }))
    .map(([half, rest]) => {
      // the builders want a tower that does not grow toward the output
      const layers = [2 * half];
      for (const size of rest.sort((a, b) => b - a)) layers.push(Math.min(size, layers[layers.length - 1]));
      return layers;
    }),
  seed: fc.integer({ min: 0, max: 10_000 }),
});

describe('the fast scorer in WebAssembly SIMD', () => {
  it('compiles here (Node 20 has WebAssembly SIMD) and is what createScorer uses', () => {
    expect(scoreModule()).not.toBeNull();
    const model = randomNcf({ kind: 'neumf', numUsers: 2, numItems: 3, factors: 2, layers: [4, 2], seed: 1 });
    expect(createScorer(model)).toMatchObject({ method: 'fast', kernel: 'wasm-simd' });
    expect(new NcfFastScorer(weightsOf(model), 'js').kernel).toBe('js');
    model.dispose();
  });

  it('agrees with model.predict and with the JS loops for random GMF, MLP and NeuMF shapes', () => {
    fc.assert(
      fc.property(configArb, (config) => {
        const model = randomNcf(config);
        const w = weightsOf(model);
        const simd = new NcfFastScorer(w);
        const js = new NcfFastScorer(w, 'js');
        const users = allUsers(config.numUsers);
        const scores = simd.scoreAllItems(users);
        expect(worstDifference(scores, predictAll(model, config.numUsers, config.numItems))).toBeLessThan(TOLERANCE);
        expect(worstDifference(scores, js.scoreAllItems(users))).toBeLessThan(TOLERANCE);
        model.dispose();
      }),
      { numRuns: 40 },
    );
  });

  it('agrees with model.predict for NeuMF factor 8 [64, 32, 16, 8], the benchmark model', () => {
    const config = { kind: 'neumf', numUsers: 6, numItems: 301, factors: 8, layers: [64, 32, 16, 8], seed: 8 };
    const model = randomNcf(config);
    const scores = new NcfFastScorer(weightsOf(model)).scoreAllItems(allUsers(6));
    expect(worstDifference(scores, predictAll(model, 6, 301))).toBeLessThan(TOLERANCE);
    model.dispose();
  });

  it('scores item lists and pairs exactly as whole rows (each item is computed alone), with either kernel', () => {
    fc.assert(
      fc.property(configArb, fc.array(fc.nat(), { minLength: 1, maxLength: 200 }), fc.constantFrom('auto' as const, 'js' as const), (config, picks, kernel) => {
        const model = randomNcf(config);
        const scorer = new NcfFastScorer(weightsOf(model), kernel);
        const { numUsers, numItems } = config;
        const rows = scorer.scoreAllItems(allUsers(numUsers));
        const items = Int32Array.from(picks, (p) => p % numItems);
        const user = picks[0] % numUsers;
        const listed = scorer.scoreItems(user, items);
        items.forEach((item, t) => expect(listed[t]).toBe(rows[user * numItems + item]));
        const users = Int32Array.from(picks, (p, t) => (p + t) % numUsers).sort();
        const pairs = scorer.scorePairs(users, items);
        users.forEach((u, t) => expect(pairs[t]).toBe(rows[u * numItems + items[t]]));
        model.dispose();
      }),
      { numRuns: 20 },
    );
  });

  it(`scores lists longer than one kernel call (${LIST_CHUNK} items)`, () => {
    const model = randomNcf({ kind: 'neumf', numUsers: 2, numItems: 70, factors: 3, layers: [6, 5], seed: 4 });
    const scorer = new NcfFastScorer(weightsOf(model));
    const rows = scorer.scoreAllItems(allUsers(2));
    const items = Int32Array.from({ length: 2 * LIST_CHUNK + 5 }, (_, t) => (t * 7) % 70);
    const out = new Float32Array(items.length + 3).fill(-1);
    scorer.scoreItems(1, items, out);
    items.forEach((item, t) => expect(out[t]).toBe(rows[70 + item]));
    expect(Array.from(out.subarray(items.length))).toEqual([-1, -1, -1]);
    model.dispose();
  });

  it('keeps each scorer in its own memory', () => {
    const a = randomNcf({ kind: 'mlp', numUsers: 2, numItems: 9, factors: 1, layers: [4, 3], seed: 5 });
    const b = randomNcf({ kind: 'mlp', numUsers: 2, numItems: 9, factors: 1, layers: [4, 3], seed: 6 });
    const sa = new NcfFastScorer(weightsOf(a));
    const first = sa.scoreAllItems(allUsers(2));
    new NcfFastScorer(weightsOf(b)).scoreAllItems(allUsers(2));
    expect(sa.scoreAllItems(allUsers(2))).toEqual(first);
    a.dispose();
    b.dispose();
  });
});

describe('score-wasm.generated.ts', () => {
  const haveAsc = existsSync(ASC);
  if (!haveAsc) console.warn(`skipping the build check: AssemblyScript is not installed (${ASC} is missing)`);
  it.skipIf(!haveAsc)('equals a fresh build of wasm/score.ts (npm run build:wasm)', () => {
    const fresh = execFileSync(process.execPath, [join(ROOT, 'scripts/build-wasm.mjs'), '--stdout', 'score'], { cwd: ROOT, encoding: 'utf8' });
    const committed = readFileSync(join(ROOT, 'src/scoring/score-wasm.generated.ts'), 'utf8');
    expect(committed).toBe(fresh);
  }, 60_000);
});
