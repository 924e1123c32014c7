// Runs every Node example in its short mode (--quick) so none of them rots: each must exit 0 and
// print its key line. The data examples print a skip line and exit 0 when ../shared/data is absent.
// The browser demo has its own end-to-end test: `npm run test:browser` (scripts/browser-test.mjs).
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SHARED_DATA } from './helpers/backends.js';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  code: number | null;
  output: string;
}

/** Runs `npx tsx examples/<file> --quick` from the repository root, collecting stdout and stderr. */
function runExample(file: string, args: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', `examples/${file}`, '--quick', ...args], { cwd: root, env: { ...process.env, CI: 'true' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

function expectSuccess(run: Run, line: RegExp): void {
  // On failure, show the example's own output: it says what went wrong.
  expect(run.code, run.output.slice(-4000)).toBe(0);
  expect(run.output).toMatch(line);
}

const hasMl100k = existsSync(`${SHARED_DATA}ml-100k/u.data`);
const hasMl1m = existsSync(`${SHARED_DATA}ml-1m-ncf/ml-1m.train.rating`);
if (!hasMl100k || !hasMl1m) console.log(`note: ${SHARED_DATA} lacks ml-100k or ml-1m-ncf; those examples are checked for their skip message`);

describe('examples (each run with --quick)', { timeout: 180_000 }, () => {
  it('quickstart trains a NeuMF that beats popularity', async () => {
    expectSuccess(await runExample('quickstart.ts'), /NeuMF beats popularity: sampled HR@10 0\.\d+ vs 0\.\d+/);
  });

  it('serving fits on string ids, round-trips a bundle and folds in a new user', async () => {
    const run = await runExample('serving.ts');
    expectSuccess(run, /loaded it back: recommendations for listener-7 identical/);
    expect(run.output).toMatch(/with unknownUser: 'error': UNKNOWN_USER/);
    expect(run.output).toMatch(/visitor-42 now: .*\[model\]/);
  });

  it('pretraining builds a NeuMF from GMF and MLP and compares it', async () => {
    const run = await runExample('pretraining.ts');
    expectSuccess(run, /NeuMF pretrained, alpha 0\.5\s+0\.\d{4}/);
    expect(run.output).toMatch(/NeuMF from scratch\s+0\.\d{4}/);
  });

  it('custom-tower trains a hand-composed model with the tfjs engine on wasm', async () => {
    const run = await runExample('custom-tower.ts');
    expectSuccess(run, /custom tower\s+0\.\d{4}/);
    expect(run.output).toMatch(/tfjs backend: wasm/);
    expect(run.output).toMatch(/a standard NCF model\? no/);
  });

  it('movielens-100k reads u.data and recommends by title (or skips without the data)', async () => {
    const run = await runExample('movielens-100k.ts');
    expectSuccess(run, hasMl100k ? /top 10 for user 1:\n\s+1\. .+\(\d{4}\)/ : /^skip: no MovieLens-100K/m);
  });

  it('features trains a NeuMF with item features and ranks held-out movies (or skips)', async () => {
    const run = await runExample('features.ts');
    if (!hasMl100k) {
      expectSuccess(run, /^skip: no MovieLens-100K/m);
      return;
    }
    expectSuccess(run, /^top 5 cold movies for user \d+ .*:\n\s+1\. [* ] .+ \[.*\] {2}\(\d\.\d{3}\)$/m);
    expect(run.output).toMatch(/trained in .+ \(fused: standard neumf/);
    const hr = (name: string): number => Number(new RegExp(`^${name}\\s+(\\S+)\\s+(\\S+)$`, 'm').exec(run.output)?.[1]);
    for (const name of ['NeuMF \\+ item features', 'genre popularity', 'genre \\+ decade popularity']) {
      const value = hr(name);
      expect(value, `HR@10 of ${name}`).toBeGreaterThanOrEqual(0);
      expect(value, `HR@10 of ${name}`).toBeLessThanOrEqual(1);
    }
  });

  it('movielens-1m reads the NCF split and ranks against the listed negatives (or skips)', async () => {
    const run = await runExample('movielens-1m.ts');
    expectSuccess(run, hasMl1m ? /GMF \(last epoch\)\s+0\.\d{4}/ : /^skip: no NCF MovieLens-1M split/m);
  });

  it('data examples skip with a clear message and exit 0 when the folder is absent', async () => {
    const run = await runExample('movielens-100k.ts', ['/nonexistent/ml-100k']);
    expectSuccess(run, /^skip: no MovieLens-100K at \/nonexistent\/ml-100k/m);
    const features = await runExample('features.ts', ['/nonexistent/ml-100k']);
    expectSuccess(features, /^skip: no MovieLens-100K at \/nonexistent\/ml-100k \(u\.data, u\.item not found\)/m);
  });
});
