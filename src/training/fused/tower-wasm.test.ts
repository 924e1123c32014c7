import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NcfArchitecture } from '../../ncf/index.js';
import { mulberry32 } from '../../_lib/random.js';
import { FusedKernel } from './kernel.js';
import { paramLayout } from './layout.js';
import { compileTower, instantiateTower, WasmTower } from './tower-wasm.js';
import { relativeError } from '../../../test/helpers/numeric.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const ASC = join(ROOT, 'node_modules/assemblyscript/package.json');

let towerModule: WebAssembly.Module | null = null;

beforeAll(async () => {
  towerModule = await compileTower();
});

interface Config {
  arch: NcfArchitecture;
  loss: 'bce' | 'bpr';
  seed: number;
  size: number;
  grouped: boolean;
}

/** MLP or NeuMF with any tower widths (odd ones included) and batches with repeated users and items. */
const configArb: fc.Arbitrary<Config> = fc
  .record({
    kind: fc.constantFrom('mlp' as const, 'neumf' as const),
    half: fc.integer({ min: 1, max: 9 }),
    hidden: fc.array(fc.integer({ min: 1, max: 13 }), { minLength: 1, maxLength: 4 }),
    factors: fc.integer({ min: 1, max: 5 }),
    numUsers: fc.integer({ min: 1, max: 8 }),
    numItems: fc.integer({ min: 2, max: 9 }),
    loss: fc.constantFrom('bce' as const, 'bpr' as const),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    size: fc.integer({ min: 1, max: 40 }),
    grouped: fc.boolean(),
  })
  .map((c) => ({
    arch: { kind: c.kind, numUsers: c.numUsers, numItems: c.numItems, factors: c.kind === 'mlp' ? 0 : c.factors, layers: [2 * c.half, ...c.hidden] },
    loss: c.loss,
    seed: c.seed,
    size: c.size,
    grouped: c.grouped,
  }));

/** The JS and the WebAssembly kernel on the same random weights, and a batch for them. */
function pair(c: Config) {
  const layout = paramLayout(c.arch);
  const random = mulberry32(c.seed);
  const params = Float32Array.from({ length: layout.length }, () => random() * 1.2 - 0.6);
  const options = { loss: c.loss, optimizer: 'adam' as const, learningRate: 0.01 };
  const store = () => ({ params: params.slice(), m: new Float32Array(layout.length), rms: new Float32Array(layout.length) });
  const slots = c.loss === 'bpr' ? 2 : 1;
  const js = new FusedKernel(layout, store(), options);
  const wasm = new FusedKernel(layout, store(), options, new WasmTower(new WebAssembly.Instance(towerModule!, {}), layout, slots));
  const index = (n: number) => Int32Array.from({ length: c.size }, () => Math.floor(random() * n));
  const users = index(c.arch.numUsers);
  if (c.grouped) users.sort();
  const batch = { users, items: index(c.arch.numItems), negatives: index(c.arch.numItems), labels: Float32Array.from({ length: c.size }, () => (random() < 0.3 ? 1 : 0)) };
  const run = (k: FusedKernel) => (c.loss === 'bce' ? k.gradientsBce(batch.users, batch.items, batch.labels) : k.gradientsBpr(batch.users, batch.items, batch.negatives));
  return { js, wasm, run };
}

describe('WebAssembly SIMD tower vs the JS kernel', () => {
  it('compiles here (Node 20 has WebAssembly SIMD)', () => {
    expect(towerModule).not.toBeNull();
  });

  it('gives the same loss and gradients to ~1e-12 on random towers (odd widths too), BCE and BPR', () => {
    const explicit: Config[] = [
      { arch: { kind: 'mlp', numUsers: 5, numItems: 7, factors: 0, layers: [6, 5, 3] }, loss: 'bce', seed: 1, size: 30, grouped: true },
      { arch: { kind: 'neumf', numUsers: 5, numItems: 7, factors: 3, layers: [10, 7] }, loss: 'bpr', seed: 2, size: 30, grouped: true },
      { arch: { kind: 'neumf', numUsers: 9, numItems: 7, factors: 8, layers: [64, 32, 16, 8] }, loss: 'bce', seed: 3, size: 40, grouped: false },
    ];
    fc.assert(
      fc.property(configArb, (c) => {
        const { js, wasm, run } = pair(c);
        expect(wasm.kind).toBe('wasm-simd');
        const a = run(js);
        const b = run(wasm);
        expect(Math.abs(b - a)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(a)));
        // float64 rounding is absolute (at most 5e-16 over 6,000 random cases): against a gradient a BPR batch
        // cancels to ~1e-6 it is 1e-10 relative, so the scale is at least 1e-2 (1e-14 absolute allowed)
        expect(relativeError(wasm.flatGradients(), js.flatGradients(), 1e-2)).toBeLessThan(1e-12);
        // and the step lands on the same weights (float32: a rounding may flip on a ~1e-16 difference)
        js.apply(1);
        wasm.apply(1);
        const next = run(js);
        expect(Math.abs(run(wasm) - next)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(next)));
      }),
      { numRuns: 60, examples: explicit.map((c) => [c]) },
    );
  });

  it('instantiates asynchronously with its own memory per instance', async () => {
    const arch: NcfArchitecture = { kind: 'mlp', numUsers: 3, numItems: 3, factors: 0, layers: [4, 3] };
    const layout = paramLayout(arch);
    const [a, b] = await Promise.all([instantiateTower(towerModule!, layout, 1), instantiateTower(towerModule!, layout, 1)]);
    a.xu.fill(1);
    expect(Array.from(b.xu)).toEqual([0, 0]);
    expect(() => new WasmTower(new WebAssembly.Instance(towerModule!, {}), paramLayout({ ...arch, layers: [4] }), 1)).toThrow(/no dense tower/);
  });
});

describe('tower-wasm.generated.ts', () => {
  const haveAsc = existsSync(ASC);
  if (!haveAsc) console.warn(`skipping the build check: AssemblyScript is not installed (${ASC} is missing)`);
  it.skipIf(!haveAsc)('equals a fresh build of wasm/tower.ts (npm run build:wasm)', () => {
    const fresh = execFileSync(process.execPath, [join(ROOT, 'scripts/build-wasm.mjs'), '--stdout'], { cwd: ROOT, encoding: 'utf8' });
    const committed = readFileSync(join(ROOT, 'src/training/fused/tower-wasm.generated.ts'), 'utf8');
    expect(committed).toBe(fresh);
  }, 60_000);
});
