// Training throughput of NeuMF at ML-1M size (6,040 users, 3,706 items, factor 8, MLP [64,32,16,8],
// 4 negatives per positive): tfjs cpu and wasm (with the fast embedding gradient), the fused engine
// on 1 and 2 threads, and PyTorch on the same machine in the same run (the anchor script in
// ../shared/anchors, when /usr/bin/python3 has torch). Also: how step time grows with the user
// table (6,040 vs 138,000 users), one full ML-1M epoch (4.97M instances, sampling included) and
// peak memory. Prints figures, asserts nothing.
//
//   npx tsx bench/throughput.ts [--quick]
//
// Figures drift on a shared machine: compare ratios within one run.
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SHARED_DATA, useBackend } from '../test/helpers/backends.js';
import { NeuMF, inspectModel } from '../src/models/index.js';
import { createTfjsEngine } from '../src/training/tfjs-engine.js';
import { resolveTrainOptions } from '../src/training/options.js';
import { createFusedEngine } from '../src/training/fused/index.js';
import { ensureFastGatherGradient } from '../src/_lib/gather-gradient.js';
import { readNcf } from '../src/data/ncf.js';
import type { Interactions } from '../src/data/interactions.js';
import { measure, randomData, type Rate } from './measure.js';

const QUICK = process.argv.includes('--quick');
const ML1M_USERS = 6040;
const ML1M_ITEMS = 3706;
const BIG_USERS = 138_000;
const FACTORS = 8;
const LAYERS = [64, 32, 16, 8];
const NEGATIVES = 4;
const ANCHOR = new URL('../../shared/anchors/torch_neumf_throughput.py', import.meta.url).pathname;
const ML1M_DIR = `${SHARED_DATA}ml-1m-ncf`;

const now = (): number => performance.now();
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const rssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

function neumf(numUsers: number): tf.LayersModel {
  return NeuMF({ numUsers, numItems: ML1M_ITEMS, factors: FACTORS, layers: LAYERS, seed: 1 });
}

/** The fused engine's tower kernel ('wasm-simd' or 'js') is printed once, at its first run. */
let kernelReported = false;

async function engineRate(
  kind: 'tfjs' | 'fused',
  numUsers: number,
  data: Interactions,
  batchSize: number,
  threads: number,
  warmup: number,
  seconds: number,
  maxBatches = Infinity,
): Promise<Rate> {
  const model = neumf(numUsers);
  const setup = {
    model,
    architecture: inspectModel(model),
    data,
    options: resolveTrainOptions({ batchSize, negatives: NEGATIVES, threads, learningRate: 0.001 }),
  };
  const engine = kind === 'tfjs' ? createTfjsEngine(setup) : await createFusedEngine(setup);
  try {
    if (engine.threads !== threads) console.log(`  (note: the ${kind} engine runs ${engine.threads} thread(s), not ${threads})`);
    if ('kernel' in engine && !kernelReported) {
      kernelReported = true;
      console.log(`  (fused engine: dense tower kernel ${engine.kernel})`);
    }
    return await measure(engine, batchSize, warmup, seconds, maxBatches);
  } finally {
    await engine.dispose();
    model.dispose();
  }
}

interface TorchResult {
  instPerSec: number;
  msPerStep: number;
  blas: string;
}

let torchProbe: string | null | undefined;

/** Null when the PyTorch anchor can run, else why not (probed once). */
function torchAvailable(): string | null {
  if (torchProbe !== undefined) return torchProbe;
  if (!existsSync('/usr/bin/python3')) return (torchProbe = '/usr/bin/python3 not found');
  if (!existsSync(ANCHOR)) return (torchProbe = `anchor script not found at ${ANCHOR}`);
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  torchProbe = probe.status === 0 ? null : 'torch does not import in /usr/bin/python3 (apt-get install -y python3-torch libopenblas0-pthread)';
  return torchProbe;
}

function torchRate(batch: number, users: number, batches: number): TorchResult | null {
  const run = spawnSync(
    '/usr/bin/python3',
    [ANCHOR, '--batch', String(batch), '--users', String(users), '--items', String(ML1M_ITEMS), '--batches', String(batches), '--warmup', '20', '--threads', '2'],
    { encoding: 'utf8' },
  );
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (line === undefined) {
    console.log(`  PyTorch run failed: ${run.stderr.trim().split('\n').pop() ?? run.status}`);
    return null;
  }
  const r = JSON.parse(line.slice(7)) as { instPerSec: number; msPerStep: number; blas: string };
  return { instPerSec: r.instPerSec, msPerStep: r.msPerStep, blas: r.blas };
}

/** Child mode: one full epoch of the fused engine on ML-1M (real split when present), in its own process for a clean RSS. */
async function fullEpochChild(threads: number): Promise<void> {
  await useBackend('cpu');
  let data: Interactions;
  let source: string;
  if (existsSync(`${ML1M_DIR}/ml-1m.train.rating`)) {
    data = (await readNcf(ML1M_DIR)).train;
    source = 'ml-1m.train.rating';
  } else {
    data = randomData(ML1M_USERS, ML1M_ITEMS, 994_169, 3);
    source = 'random stand-in (ML-1M split not found)';
  }
  const model = neumf(data.numUsers);
  const engine = await createFusedEngine({
    model,
    architecture: inspectModel(model),
    data,
    options: resolveTrainOptions({ batchSize: 256, negatives: NEGATIVES, threads, learningRate: 0.001 }),
  });
  const t0 = now();
  const c0 = process.cpuUsage();
  const result = await engine.runEpoch(0, {});
  const seconds = (now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpuSeconds = (c.user + c.system) / 1e6;
  engine.syncToModel();
  await engine.dispose();
  model.dispose();
  console.log(JSON.stringify({ seconds, cpuSeconds, instances: result.instances, loss: result.loss, threads: engine.threads, source, maxRssMB: rssMB() }));
}

interface EpochFigures {
  seconds: number;
  cpuSeconds: number;
  instances: number;
  loss: number;
  source: string;
  maxRssMB: number;
}

function fullEpoch(threads: number): EpochFigures | null {
  const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child-epoch', String(threads)], {
    encoding: 'utf8',
  });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as EpochFigures;
  } catch {
    console.log(`  full-epoch child failed: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return null;
  }
}

type Report = (label: string, r: Rate | null, extra?: string) => void;
type Data = ReturnType<typeof randomData>;

/** Fused 1 and 2 threads and PyTorch, side by side per batch size. */
async function fusedVsTorch(data: Data, seconds: number, report: Report, note: (line: string) => void): Promise<void> {
  const torchMissing = torchAvailable();
  if (torchMissing !== null) console.log(`PyTorch anchor: not run: ${torchMissing}`);
  for (const batch of [256, 1024, 4096]) {
    const warm = batch >= 4096 ? 5 : 30;
    report(`fused 1 thread, batch ${batch}`, await engineRate('fused', ML1M_USERS, data, batch, 1, warm, seconds));
    const fused2 = await engineRate('fused', ML1M_USERS, data, batch, 2, warm, seconds);
    report(`fused 2 threads, batch ${batch}`, fused2);
    if (torchMissing !== null) continue;
    const batches = Math.max(50, Math.round(((QUICK ? 0.7 : 2) * 150_000) / batch));
    const t = torchRate(batch, ML1M_USERS, batches);
    report(`PyTorch 2 threads, batch ${batch}`, t, t ? `(${t.blas})` : '');
    if (t) note(`  ratio fused 2 threads / PyTorch at batch ${batch}: ${(fused2.instPerSec / t.instPerSec).toFixed(2)}x`);
  }
}

/** The tfjs engine on the cpu and wasm backends (short runs). */
async function tfjsEngines(data: Data, report: Report): Promise<void> {
  for (const backend of ['cpu', 'wasm'] as const) {
    await useBackend(backend);
    for (const batch of [256, 1024]) {
      const few = backend === 'cpu' ? (QUICK ? 4 : 10) : QUICK ? 20 : 60;
      const maxBatches = Math.max(3, Math.round((few * 256) / batch));
      report(`tfjs ${backend}, batch ${batch}`, await engineRate('tfjs', ML1M_USERS, data, batch, 1, 2, 60, maxBatches));
    }
  }
}

/** Does the step time grow with the user table? Fused (and, in the full run, tfjs wasm and PyTorch). */
async function tableGrowth(data: Data, seconds: number, report: Report, note: (line: string) => void): Promise<void> {
  await useBackend('cpu');
  const big = randomData(BIG_USERS, ML1M_ITEMS, 400_000, 2);
  const small = await engineRate('fused', ML1M_USERS, data, 256, 1, 30, seconds);
  const large = await engineRate('fused', BIG_USERS, big, 256, 1, 30, seconds);
  report(`fused 1 thread, ${fmt(ML1M_USERS)} users, batch 256`, small);
  report(`fused 1 thread, ${fmt(BIG_USERS)} users, batch 256`, large);
  const cpuRatio = small.instPerCpuSec! / large.instPerCpuSec!;
  note(`  step time ${fmt(BIG_USERS)} / ${fmt(ML1M_USERS)} users (fused): ${(large.msPerStep / small.msPerStep).toFixed(2)}x wall-clock, ${cpuRatio.toFixed(2)}x in CPU time`);
  if (QUICK) return;
  await useBackend('wasm');
  const wSmall = await engineRate('tfjs', ML1M_USERS, data, 256, 1, 2, 60, 30);
  const wLarge = await engineRate('tfjs', BIG_USERS, big, 256, 1, 2, 60, 15);
  report(`tfjs wasm, ${fmt(ML1M_USERS)} users, batch 256`, wSmall);
  report(`tfjs wasm, ${fmt(BIG_USERS)} users, batch 256`, wLarge);
  note(`  step time ${fmt(BIG_USERS)} / ${fmt(ML1M_USERS)} users (tfjs wasm): ${(wLarge.msPerStep / wSmall.msPerStep).toFixed(2)}x wall-clock, ${(wSmall.instPerCpuSec! / wLarge.instPerCpuSec!).toFixed(2)}x in CPU time`);
  if (torchAvailable() === null) report(`PyTorch 2 threads, ${fmt(BIG_USERS)} users, b 256`, torchRate(256, BIG_USERS, 300));
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--child-epoch');
  if (childAt >= 0) return fullEpochChild(Number(process.argv[childAt + 1]));

  const seconds = QUICK ? 1 : 3;
  console.log(`neural-recsys throughput${QUICK ? ' (quick)' : ''}: NeuMF ${ML1M_USERS} users x ${ML1M_ITEMS} items, factor ${FACTORS}, MLP [${LAYERS.join(',')}], ${NEGATIVES} negatives, Adam`);
  const os = await import('node:os');
  const load = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`node ${process.version}, ${os.cpus().length} logical cores, load average ${load()} (other work on the machine skews wall-clock figures; inst/cpu-s counts this process's CPU time)`);
  await useBackend('cpu');
  ensureFastGatherGradient();
  const data = randomData(ML1M_USERS, ML1M_ITEMS, 400_000, 1);
  const rows: string[] = [];
  const note = (line: string): void => {
    console.log(line);
    rows.push(line);
  };
  const report: Report = (label, r, extra = '') => {
    const cpu = r?.instPerCpuSec === undefined ? '' : `  ${fmt(r.instPerCpuSec).padStart(10)} inst/cpu-s`;
    note(r === null ? `${label.padEnd(40)} n/a ${extra}` : `${label.padEnd(40)} ${fmt(r.instPerSec).padStart(10)} inst/s  ${r.msPerStep.toFixed(3).padStart(8)} ms/step${cpu} ${extra}`);
  };
  await fusedVsTorch(data, seconds, report, note);
  await tfjsEngines(data, report);
  await tableGrowth(data, seconds, report, note);
  // one full ML-1M epoch, in a child process (its own peak RSS)
  for (const threads of QUICK ? [2] : [2, 1]) {
    const epoch = fullEpoch(threads);
    if (epoch !== null) {
      note(
        `full ML-1M epoch, fused ${threads} thread(s), batch 256: ${epoch.seconds.toFixed(1)} s for ${fmt(epoch.instances)} instances ` +
          `(${fmt(epoch.instances / epoch.seconds)} inst/s, sampling included; ${epoch.cpuSeconds.toFixed(1)} CPU-s; loss ${epoch.loss.toFixed(4)}; ${epoch.source}); peak RSS ${epoch.maxRssMB} MB`,
      );
    }
  }
  console.log(`load average at the end: ${load()}`);
  const rss = `peak RSS of this process (all tfjs and fused runs above): ${rssMB()} MB`;
  console.log(rss);
  rows.push(rss);
  console.log('\nsummary\n' + rows.join('\n'));
}

await main();
