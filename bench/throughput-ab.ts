// Side-by-side training throughput of two checkouts of this repository (e.g. main and a branch),
// in alternating child processes so that a shared machine's load hits both alike. Measures, per
// round and per checkout: fused NeuMF (ML-1M size, factor 8, MLP [64,32,16,8], 4 negatives, Adam)
// at batch 256 (or --batch) on 2 threads and on 1 thread, and the 1-thread step time with 138,000 vs 6,040
// users (bench/throughput.ts's table-size check). Prints the medians and new/old ratios.
//
//   npx tsx bench/throughput-ab.ts --old /tmp/old-12 [--new .] [--rounds 3] [--seconds 3] [--warmup 30] [--batch 256]
//
// The old checkout needs node_modules (a symlink to this one's is fine when package.json agrees).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { measure, randomData } from './measure.js';

const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
};

interface Figures {
  fused2: number;
  fused1: number;
  msSmall: number;
  msLarge: number;
  /** The same per CPU-second of the process (all its threads): less sensitive to other load. */
  fused2Cpu: number;
  fused1Cpu: number;
  cpuMsSmall: number;
  cpuMsLarge: number;
}

async function child(root: string, seconds: number, warmup: number, batch: number): Promise<void> {
  const at = (p: string) => pathToFileURL(resolve(root, p)).href;
  const { useBackend } = (await import(at('test/helpers/backends.ts'))) as typeof import('../test/helpers/backends.js');
  const { NeuMF, inspectModel } = (await import(at('src/models/index.ts'))) as typeof import('../src/models/index.js');
  const { resolveTrainOptions } = (await import(at('src/training/options.ts'))) as typeof import('../src/training/options.js');
  const { createFusedEngine } = (await import(at('src/training/fused/index.ts'))) as typeof import('../src/training/fused/index.js');
  await useBackend('cpu');
  const rate = async (numUsers: number, threads: number, data: ReturnType<typeof randomData>) => {
    const model = NeuMF({ numUsers, numItems: 3706, factors: 8, layers: [64, 32, 16, 8], seed: 1 });
    const engine = await createFusedEngine({
      model,
      architecture: inspectModel(model),
      data,
      options: resolveTrainOptions({ batchSize: batch, negatives: 4, threads, learningRate: 0.001 }),
    });
    try {
      const r = await measure(engine, batch, warmup, seconds);
      return { ...r, cpuMsPerStep: (1000 * batch) / r.instPerCpuSec! };
    } finally {
      await engine.dispose();
      model.dispose();
    }
  };
  const data = randomData(6040, 3706, 400_000, 1);
  const big = randomData(138_000, 3706, 400_000, 2);
  const fused2 = await rate(6040, 2, data);
  const small = await rate(6040, 1, data);
  const large = await rate(138_000, 1, big);
  const out: Figures = {
    fused2: fused2.instPerSec,
    fused1: small.instPerSec,
    msSmall: small.msPerStep,
    msLarge: large.msPerStep,
    fused2Cpu: fused2.instPerCpuSec!,
    fused1Cpu: small.instPerCpuSec!,
    cpuMsSmall: small.cpuMsPerStep,
    cpuMsLarge: large.cpuMsPerStep,
  };
  console.log(`RESULT ${JSON.stringify(out)}`);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '3'));
  const warmup = Number(arg('warmup', '30'));
  const batch = Number(arg('batch', '256'));
  if (process.argv.includes('--child')) return child(arg('root', '.'), seconds, warmup, batch);
  const roots = { old: resolve(arg('old', '')), new: resolve(arg('new', '.')) };
  const rounds = Number(arg('rounds', '3'));
  const results: Record<'old' | 'new', Figures[]> = { old: [], new: [] };
  const self = fileURLToPath(import.meta.url);
  for (let r = 0; r < rounds; r++) {
    // alternate which goes first, so a drift in load does not favour one side
    for (const side of r % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const)) {
      const run = spawnSync(process.execPath, [...process.execArgv, self, '--child', '--root', roots[side], '--seconds', String(seconds), '--warmup', String(warmup), '--batch', String(batch)], { encoding: 'utf8' });
      const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (line === undefined) throw new Error(`${side} child failed: ${run.stderr.trim().split('\n').slice(-5).join(' | ')}`);
      const f = JSON.parse(line.slice(7)) as Figures;
      results[side].push(f);
      console.log(
        `round ${r + 1} ${side}: fused 2 threads ${Math.round(f.fused2)} inst/s (${Math.round(f.fused2Cpu)} inst/cpu-s), 1 thread ${Math.round(f.fused1)} inst/s (${Math.round(f.fused1Cpu)} inst/cpu-s), ` +
          `ms/step 6,040 users ${f.msSmall.toFixed(3)}, 138,000 users ${f.msLarge.toFixed(3)} (x${(f.msLarge / f.msSmall).toFixed(2)}; CPU x${(f.cpuMsLarge / f.cpuMsSmall).toFixed(2)})`,
      );
    }
  }
  const m = (side: 'old' | 'new', k: keyof Figures) => median(results[side].map((f) => f[k]));
  const growth = (side: 'old' | 'new') => median(results[side].map((f) => f.msLarge / f.msSmall));
  const cpuGrowth = (side: 'old' | 'new') => median(results[side].map((f) => f.cpuMsLarge / f.cpuMsSmall));
  console.log(`\nmedians over ${rounds} rounds (warm-up ${warmup} batches, ${seconds} s each):`);
  console.log(`fused 2 threads, batch ${batch}: old ${Math.round(m('old', 'fused2'))}, new ${Math.round(m('new', 'fused2'))} inst/s: new/old ${(m('new', 'fused2') / m('old', 'fused2')).toFixed(3)}`);
  console.log(`fused 1 thread, batch ${batch}:  old ${Math.round(m('old', 'fused1'))}, new ${Math.round(m('new', 'fused1'))} inst/s: new/old ${(m('new', 'fused1') / m('old', 'fused1')).toFixed(3)}`);
  console.log(`fused 2 threads, batch ${batch}, per CPU-second: old ${Math.round(m('old', 'fused2Cpu'))}, new ${Math.round(m('new', 'fused2Cpu'))}: new/old ${(m('new', 'fused2Cpu') / m('old', 'fused2Cpu')).toFixed(3)}`);
  console.log(`fused 1 thread, batch ${batch}, per CPU-second:  old ${Math.round(m('old', 'fused1Cpu'))}, new ${Math.round(m('new', 'fused1Cpu'))}: new/old ${(m('new', 'fused1Cpu') / m('old', 'fused1Cpu')).toFixed(3)}`);
  console.log(`step time 138,000 / 6,040 users (1 thread): old ${growth('old').toFixed(2)}x, new ${growth('new').toFixed(2)}x wall-clock; old ${cpuGrowth('old').toFixed(2)}x, new ${cpuGrowth('new').toFixed(2)}x in CPU time`);
}

await main();
