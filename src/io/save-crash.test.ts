// Nothing saved is ever lost: a child process saving a bundle is killed (SIGKILL, no cleanup) at
// each step of the save and at random moments; the bundle at the target must then load (the old
// one or the new one, complete) and the next save must clear what the dead process left.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { mulberry32 } from '../_lib/random.js';
import type { Recommender } from '../serving/recommender.js';
import { saveModel } from './save.js';
import { loadModel } from './load.js';
import { bigRecommender } from '../../test/helpers/io-fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const child = join(repo, 'test', 'helpers', 'save-crash-child.ts');

/** Scores of the first users for every item: enough to tell bundle A from bundle B. */
function fingerprint(rec: Recommender): number[] {
  return tf.tidy(() => {
    const users: number[] = [];
    const items: number[] = [];
    for (let u = 0; u < 8; u++) {
      for (let i = 0; i < rec.items.size; i++) {
        users.push(u);
        items.push(i);
      }
    }
    const out = rec.model.predict([tf.tensor2d(users, [users.length, 1], 'int32'), tf.tensor2d(items, [items.length, 1], 'int32')]);
    return Array.from((out as tf.Tensor).dataSync());
  });
}

/** Starts the child and kills it with SIGKILL once `when` resolves (given the child's stdout so far). */
function runAndKill(url: string, mode: string, when: (stdout: () => string) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, url, mode], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    let killed = false;
    proc.on('exit', (code, signal) => {
      if (killed && signal === 'SIGKILL') resolve();
      else reject(new Error(`child exited early (code ${code}, signal ${signal}): ${out}\n${err}`));
    });
    when(() => out).then(
      () => {
        killed = true;
        proc.kill('SIGKILL');
      },
      (e) => {
        proc.kill('SIGKILL');
        reject(e);
      },
    );
  });
}

async function waitFor(stdout: () => string, text: string, timeoutMs = 40_000): Promise<void> {
  const start = Date.now();
  while (!stdout().includes(text)) {
    if (Date.now() - start > timeoutMs) throw new Error(`the child never printed ${JSON.stringify(text)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let root: string;
let a: Recommender;
let b: Recommender;
let printA: number[];
let printB: number[];

beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'recsys-crash-'));
  a = bigRecommender(1);
  b = bigRecommender(2);
  printA = fingerprint(a);
  printB = fingerprint(b);
  expect(printA).not.toEqual(printB);
});
afterAll(async () => {
  a?.dispose();
  b?.dispose();
  await rm(root, { recursive: true, force: true });
});

/** After a kill: the bundle loads, is A or B, and the target holds a complete bundle or nothing. */
async function checkAfterKill(parent: string, allowed: number[][]): Promise<number[]> {
  const target = join(parent, 'bundle');
  if (existsSync(target)) expect((await readdir(target)).sort()).toEqual(['model.json', 'recommender.bin', 'recsys.json', 'weights.bin']);
  const loaded = await loadModel(`file://${target}`);
  const print = fingerprint(loaded);
  loaded.dispose();
  expect(allowed.some((p) => p.length === print.length && p.every((x, i) => x === print[i]))).toBe(true);
  // the next save clears the dead child's temporaries and the old bundle
  await saveModel(a, `file://${target}`);
  expect(await readdir(parent)).toEqual(['bundle']);
  return print;
}

describe('a save killed with SIGKILL', () => {
  // Children start in parallel: each pays about a second to load tfjs.
  it('at each step leaves the old bundle (before the swap) or the new one (after) loadable', async () => {
    const cases = [
      ['write', 'old'],
      ['commit', 'old'],
      ['swap', 'old'],
      ['cleanup', 'new'],
    ] as const;
    const parents = cases.map(([step]) => join(root, `step-${step}`));
    await Promise.all(parents.map((parent) => saveModel(a, `file://${join(parent, 'bundle')}`)));
    await Promise.all(
      cases.map(([step], c) => runAndKill(`file://${join(parents[c], 'bundle')}`, `pause:${step}`, (stdout) => waitFor(stdout, `at ${step}`))),
    );
    // killed between its two renames, the target is missing and loading falls back to the old bundle
    expect(existsSync(join(parents[2], 'bundle'))).toBe(false);
    for (let c = 0; c < cases.length; c++) {
      const expected = cases[c][1] === 'old' ? printA : printB;
      expect(await checkAfterKill(parents[c], [expected]), `killed at ${cases[c][0]}`).toEqual(expected);
    }
  });

  it('at random moments of repeated saves always leaves a complete bundle', async () => {
    const random = mulberry32(2024);
    const runs = [0, 1, 2, 3].map((run) => ({ parent: join(root, `random-${run}`), delay: Math.floor(random() * 500), lastStep: '' }));
    await Promise.all(runs.map((r) => saveModel(b, `file://${join(r.parent, 'bundle')}`)));
    await Promise.all(
      runs.map((r) =>
        runAndKill(`file://${join(r.parent, 'bundle')}`, 'loop', async (stdout) => {
          await waitFor(stdout, 'ready');
          await new Promise((resolve) => setTimeout(resolve, r.delay));
          r.lastStep = stdout().trim().split('\n').pop() ?? '';
        }),
      ),
    );
    for (const r of runs) await checkAfterKill(r.parent, [printA, printB]).catch((e) => {
      throw new Error(`killed ${r.delay} ms after ready (last step printed: ${r.lastStep}): ${(e as Error).message}`);
    });
  });
});
