// Cost of the fused engine's WebAssembly MLP tower alone (wasm/tower.ts: one forward and one backward
// per instance, as the kernel calls them), at the NCF widths [8f, 4f, 2f, f] for each factor f.
// Prints microseconds per instance and nanoseconds per multiply-add of the forward pass (layer 1's
// item half, layers 2 and 3; layer 1's user half is cached per user). If the per-MAC cost stays
// flat as the weights outgrow the L2 cache (f 64: layer 1's item half and its gradient are 1 MB),
// the tower is bound by arithmetic, not memory traffic. Never asserts; rounds interleave the
// factors so load drift hits them alike.
//
//   npx tsx bench/tower-cost.ts [--factors 16,32,64] [--seconds 2] [--rounds 3]
import { paramLayout } from '../src/training/fused/layout.js';
import { compileTower, instantiateTower } from '../src/training/fused/tower-wasm.js';
import { mulberry32 } from '../src/_lib/random.js';
import { flag } from './measure.js';

const factorsAt = process.argv.indexOf('--factors');
const factorsText = factorsAt >= 0 ? process.argv[factorsAt + 1] : '16,32,64';
const factorList = factorsText.split(',').map(Number);
if (!factorList.every((f) => Number.isInteger(f) && f > 0)) throw new Error(`--factors needs positive whole numbers, got ${factorsText}`);
const seconds = flag('seconds', 2);
const rounds = Math.round(flag('rounds', 3));
const BATCH = 256;
/** The NCF tower of factor f: input 8f (user and item halves), then 4f, 2f, f. */
const widths = (f: number) => [8 * f, 4 * f, 2 * f, f];

const towerModule = await compileTower();
if (!towerModule) throw new Error('tower-cost: this runtime has no WebAssembly SIMD');

/** Forward multiply-adds per instance, from the widths: layer 1's item half (its input's second half), then every later layer. */
const forwardMacs = (f: number) => {
  const w = widths(f);
  return (w[0] / 2) * w[1] + w.slice(1, -1).reduce((macs, width, i) => macs + width * w[i + 2], 0);
};

async function microsPerInstance(f: number): Promise<number> {
  const layout = paramLayout({ kind: 'mlp', numUsers: 4, numItems: 64, factors: 0, layers: widths(f) });
  const tower = await instantiateTower(towerModule!, layout, 1);
  const random = mulberry32(7 + f);
  tower.load(Float64Array.from({ length: layout.length - layout.denseOffset }, () => (random() - 0.5) * 0.2));
  const items = Array.from({ length: 64 }, () => Float64Array.from({ length: 4 * f }, () => random() - 0.5));
  tower.xu.set(Float64Array.from({ length: 4 * f }, () => random() - 0.5));
  tower.xrun.set(tower.xu);
  let instances = 0;
  const start = performance.now();
  let now = start;
  while (now - start < seconds * 1000) {
    for (let b = 0; b < BATCH; b++) {
      tower.x[0].set(items[(instances + b) & 63]);
      const z = tower.forward(0, b === 0 ? 1 : 0);
      tower.backward(0, z > 0 ? -0.3 : 0.4);
    }
    tower.flush();
    instances += BATCH;
    now = performance.now();
  }
  return ((now - start) * 1000) / instances;
}

const runs = new Map<number, number[]>(factorList.map((f) => [f, []]));
for (let r = 0; r < rounds; r++) {
  for (const f of factorList) runs.get(f)!.push(await microsPerInstance(f));
}
console.log('factor | widths | us/instance (median of rounds) | forward MACs | ns per forward MAC');
for (const f of factorList) {
  const sorted = runs.get(f)!.sort((a, b) => a - b);
  const us = sorted[Math.floor(sorted.length / 2)];
  console.log(`${f} | ${widths(f).join(',')} | ${us.toFixed(2)} | ${forwardMacs(f)} | ${((us * 1000) / forwardMacs(f)).toFixed(3)}`);
}
