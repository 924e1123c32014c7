import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NcfArchitecture } from '../../ncf/index.js';
import { paramLayout } from './layout.js';
import { RowCatchUp } from './catch-up.js';
import { compileCatchUp, instantiateCatchUp, STORE_BASE, storeMemory } from './catch-up-wasm.js';
import { allocateStore } from './store.js';
import { mulberry32 } from '../../_lib/random.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const haveAsc = existsSync(join(ROOT, 'node_modules/assemblyscript/package.json'));

const modules: { plain: WebAssembly.Module | null; shared: WebAssembly.Module | null } = { plain: null, shared: null };

beforeAll(async () => {
  modules.plain = await compileCatchUp(false);
  modules.shared = await compileCatchUp(true);
});

/** Row widths that exercise the SIMD loop and its scalar tail (widths 1-3 and not multiples of 4). */
const caseArb = fc.record({
  factors: fc.integer({ min: 0, max: 9 }),
  layers: fc.constantFrom([2, 1], [6, 3], [10, 5], [16, 8], [64, 32]),
  seed: fc.integer({ min: 1, max: 1e6 }),
  from: fc.integer({ min: 17, max: 5000 }),
  gap: fc.integer({ min: 1, max: 3000 }),
  shared: fc.boolean(),
});

describe('the dense-Adam catch-up in WebAssembly SIMD', () => {
  it('compiles in this runtime (Node 20 has SIMD and threads), for both kinds of memory', () => {
    expect(modules.plain).not.toBeNull();
    expect(modules.shared).not.toBeNull();
  });

  it('moves every row exactly as the JS catch-up does, within float32 rounding, and touches nothing else', () => {
    fc.assert(
      fc.property(caseArb, ({ factors, layers, seed, from, gap, shared }) => {
        const arch: NcfArchitecture = { kind: factors === 0 ? 'mlp' : 'neumf', numUsers: 3, numItems: 4, factors, layers };
        const layout = paramLayout(arch);
        const rows = layout.tableRows;
        const wasm = allocateStore(layout.length, true, shared, rows, true);
        expect(wasm.memory).not.toBeNull();
        expect(wasm.offset).toBe(STORE_BASE);
        const plain = allocateStore(layout.length, true, false, rows);
        const random = mulberry32(seed);
        for (let k = 0; k < layout.length; k++) {
          const g = Math.exp(-25 * random());
          plain.store.params[k] = (random() - 0.5) * 0.2;
          plain.store.m![k] = (random() * 2 - 1) * g;
          plain.store.rms![k] = g * Math.sqrt(0.001 + random());
        }
        for (const [a, b] of [
          [wasm.store.params, plain.store.params],
          [wasm.store.m!, plain.store.m!],
          [wasm.store.rms!, plain.store.rms!],
        ]) a.set(b);
        const before = plain.store.params.slice();
        const simd = instantiateCatchUp(shared ? modules.shared! : modules.plain!, wasm.memory!, layout.length);
        const js = new RowCatchUp(layout, plain.store.params, plain.store.m!, plain.store.rms!, plain.store.rowSteps!, 0.001);
        const sd = new RowCatchUp(layout, wasm.store.params, wasm.store.m!, wasm.store.rms!, wasm.store.rowSteps!, 0.001, simd);
        // every row last updated at `from`, caught up over `gap` steps (the Gauss rule: from > 16)
        for (const s of [plain.store.rowSteps!, wasm.store.rowSteps!]) s.fill(from);
        for (let u = 0; u < arch.numUsers; u++) {
          js.readUser(u, from + gap);
          sd.readUser(u, from + gap);
        }
        for (let i = 0; i < arch.numItems; i++) {
          js.readItem(i, from + gap);
          sd.readItem(i, from + gap);
        }
        let moved = 0;
        for (let k = 0; k < layout.length; k++) {
          const w = plain.store.params[k];
          const d = w - before[k];
          if (d !== 0) moved++;
          // float32 arithmetic against double: a few float32 roundings of the displacement, and at
          // most one of the weight
          expect(Math.abs(wasm.store.params[k] - w)).toBeLessThanOrEqual(2 ** -23 * Math.abs(w) + 2e-6 * Math.abs(d) + 1e-30);
          if (d === 0) expect(wasm.store.params[k]).toBe(before[k]);
        }
        // the tables moved (the dense block did not: it is not a table)
        expect(moved).toBeGreaterThan(0);
        expect(Array.from(wasm.store.rowSteps!)).toEqual(Array.from(plain.store.rowSteps!));
      }),
      { numRuns: 60 },
    );
  });

  it('writes nothing into the memory when instantiated (the store below and above stays as it was)', () => {
    const memory = storeMemory(4096, false)!;
    const bytes = new Uint8Array(memory.buffer);
    bytes.fill(7);
    instantiateCatchUp(modules.plain!, memory, 10);
    expect(bytes.every((b) => b === 7)).toBe(true);
  });

  it('gives no memory for a store beyond 32-bit WebAssembly (the store is then a plain buffer, the JS catch-up runs)', () => {
    expect(storeMemory(2 ** 32, false)).toBeNull();
    expect(storeMemory(2 ** 32 - STORE_BASE + 1, false)).toBeNull();
  });

  it.skipIf(!haveAsc)('equals a fresh build of wasm/catch-up.ts (npm run build:wasm)', () => {
    const fresh = execFileSync(process.execPath, [join(ROOT, 'scripts/build-wasm.mjs'), '--stdout', 'catch-up'], { cwd: ROOT, encoding: 'utf8' });
    const committed = readFileSync(join(ROOT, 'src/training/fused/catch-up-wasm.generated.ts'), 'utf8');
    expect(committed).toBe(fresh);
  }, 60_000);
});
