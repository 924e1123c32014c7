#!/usr/bin/env node
// Package checks run by .ci/run after `npm run build`: what a user installs from npm must work.
//  1. `npm pack` holds dist/, the guides (docs/*.md), the examples' sources, the two benchmark
//     outputs the README cites, README.md, LICENSE, CHANGELOG.md, package.json and nothing else;
//     every relative link of the shipped markdown files points at a shipped file.
//  2. publint and @arethetypeswrong/cli pass on the packed tarball.
//  3. A fresh project installs the tarball and, in both ESM and CommonJS, builds and scores a NeuMF,
//     trains it on 2 threads (fused-worker.js) and runs recommendAll on 2 score workers (score-worker.js).
//  4. The tfjs-free entry points (metrics, sampling, data, baselines) stay tfjs-free in the bundle.
//  5. The size of each entry point (min+gzip, tfjs and papaparse excluded) is reported.
//  6. The command line from the tarball: `npx neural-recsys --help`, a tiny `train` to a bundle,
//     `recommend --json` on it, and exit code 2 for a bad argument.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const run = (cmd, args, opts = {}) => {
  try {
    return execFileSync(cmd, args, { cwd: root, stdio: 'pipe', encoding: 'utf8', ...opts });
  } catch (e) {
    console.error(`check-package: \`${cmd} ${args.join(' ')}\` failed\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    process.exit(1);
  }
};
const fail = (msg) => {
  console.error(`check-package: FAIL: ${msg}`);
  process.exit(1);
};
const work = mkdtempSync(join(tmpdir(), 'neural-recsys-pack-'));
try {
  // 1. pack and list
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work]))[0];
  const tarball = join(work, packed.filename);
  const files = packed.files.map((f) => f.path);
  const allowed =
    /^(dist\/.+|docs\/[\w-]+\.(md|svg)|examples\/([\w-]+\.ts|README\.md|browser\/[\w-]+\.html|browser\/src\/[\w-]+\.(ts|css))|bench\/results\/(throughput-[\w-]+\.txt|serving-latency-[\w-]+\.txt|sparse-[\w-]+\.(json|log))|README\.md|LICENSE|CHANGELOG\.md|package\.json)$/;
  const stray = files.filter((f) => !allowed.test(f));
  if (stray.length) fail(`tarball holds files that do not belong: ${stray.join(', ')}`);
  for (const need of ['README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'dist/cli.js', 'docs/getting-started.md']) {
    if (!files.includes(need)) fail(`tarball lacks ${need}`);
  }
  if (files.some((f) => /\.(rating|negative)$|u\.data|ratings\.dat/.test(f))) fail('tarball holds research data');
  console.log(`pack: ${packed.filename}, ${files.length} files, ${(packed.size / 1024).toFixed(1)} KiB packed`);
  // The guides must be readable from node_modules: every relative link of a shipped markdown file
  // (README, docs, examples) must land on a shipped file.
  const shipped = new Set(files);
  const dead = [];
  for (const doc of files.filter((f) => f.endsWith('.md'))) {
    for (const [, target] of readFileSync(join(root, doc), 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:|^#/i.test(target)) continue;
      const path = normalize(join(dirname(doc), target.split('#')[0])).replace(/\/$/, '');
      if (!shipped.has(path) && ![...shipped].some((f) => f.startsWith(`${path}/`))) dead.push(`${doc} -> ${target}`);
    }
  }
  if (dead.length) fail(`links to files the tarball lacks: ${dead.join(', ')}`);

  // 2. publint + attw on the tarball
  console.log(run('npx', ['publint', '--strict', tarball]).trim());
  // node10 resolution predates `exports` maps, so subpath imports cannot resolve there; every
  // resolver from node16 on (and every bundler) is checked.
  console.log(run('npx', ['attw', tarball, '--profile', 'node16', '--format', 'table-flipped']).trim());

  // 3. fresh project, ESM and CJS
  const app = join(work, 'app');
  run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, version: '0.0.0' }));
  const tfjsVersion = JSON.parse(readFileSync(join(root, 'node_modules/@tensorflow/tfjs/package.json'), 'utf8')).version;
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball, `@tensorflow/tfjs@${tfjsVersion}`], { cwd: app });
  const body = (mod) => `
    await tf.setBackend('cpu');
    const model = ${mod}.NeuMF({ numUsers: 5, numItems: 7, factors: 4, layers: [8, 4] });
    const scores = model.predict([tf.tensor2d([[0], [1]], [2, 1], 'int32'), tf.tensor2d([[2], [3]], [2, 1], 'int32')]).dataSync();
    if (scores.length !== 2 || !(scores[0] > 0 && scores[0] < 1)) throw new Error('bad scores ' + scores);
    const recs = ${mod}.recommend(model, 0, { k: 3 });
    if (recs.length !== 3) throw new Error('bad recommendations');
    if (metrics.ndcg(3, 10) !== 0.5) throw new Error('bad ndcg');
    if (typeof sampling.mulberry32(1)() !== 'number') throw new Error('bad prng');
    if (typeof data.IdMap !== 'function') throw new Error('bad data entry');
    // the fused engine from the built files: its worker file and the embedded wasm tower must load
    const synthetic = data.syntheticInteractions({ numUsers: 60, numItems: 40, seed: 3 });
    const small = ${mod}.NeuMF({ numUsers: 60, numItems: 40, factors: 4, layers: [8, 4] });
    const history = await ${mod}.train(small, synthetic, { epochs: 1, threads: 2 });
    if (history.engine !== 'fused' || history.threads !== 2) throw new Error('fused engine did not run on 2 threads: ' + history.engineReason);
    if (!/wasm-simd/.test(history.engineReason)) throw new Error('the wasm tower did not load: ' + history.engineReason);
    // recommendAll's score workers from the built files: score-worker.js must start and rank as one thread does
    const seen = data.seenItems(synthetic);
    // one user per batch and a slow consumer (20 ms a batch, as a feed store would be), so that the
    // workers are up long before the end (the calling thread ranks the first batches while they start)
    const ranked = async (threads) => {
      const stream = ${mod}.recommendAll(small, { k: 5, exclude: seen, batchUsers: 1, threads });
      const rows = [];
      for await (const b of stream) {
        rows.push(...Array.from(b.items), ...Array.from(b.scores));
        if (threads > 1) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return { rows, threads: stream.threads, reason: stream.fallbackReason };
    };
    const [one, two] = [await ranked(1), await ranked(2)];
    if (two.threads !== 2) throw new Error('recommendAll did not run on 2 score workers: ' + two.reason);
    if (one.rows.length !== 60 * 10 || one.rows.some((v, i) => !Object.is(v, two.rows[i]))) throw new Error('recommendAll on 2 threads differs from 1 thread');
    console.log('${mod} ok', Array.from(scores).map((s) => s.toFixed(4)).join(' '), '|', history.engineReason, '| threads', history.threads, '| recommendAll on', two.threads, 'score workers = 1 thread');`;
  writeFileSync(
    join(app, 'esm.mjs'),
    `import * as tf from '@tensorflow/tfjs';
     import * as recsys from 'neural-recsys';
     import * as metrics from 'neural-recsys/metrics';
     import * as sampling from 'neural-recsys/sampling';
     import * as data from 'neural-recsys/data';
     ${body('recsys')}`,
  );
  writeFileSync(
    join(app, 'cjs.cjs'),
    `const tf = require('@tensorflow/tfjs');
     const recsys = require('neural-recsys');
     const metrics = require('neural-recsys/metrics');
     const sampling = require('neural-recsys/sampling');
     const data = require('neural-recsys/data');
     (async () => { ${body('recsys')} })().catch((e) => { console.error(e); process.exit(1); });`,
  );
  console.log(run('node', ['esm.mjs'], { cwd: app }).trim().split('\n').filter((l) => / ok /.test(l)).join('\n'));
  console.log(run('node', ['cjs.cjs'], { cwd: app }).trim().split('\n').filter((l) => / ok /.test(l)).join('\n'));

  // 6. the command line from the tarball, as `npx neural-recsys` runs it in an app
  const help = run('npx', ['--no-install', 'neural-recsys', '--help'], { cwd: app });
  if (!/Usage: neural-recsys <command>/.test(help)) fail(`npx neural-recsys --help printed:\n${help}`);
  const rows = ['visitor,product'];
  let state = 7;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let u = 0; u < 40; u++) for (let j = 0; j < 8; j++) rows.push(`u${u},i${(u % 4) * 10 + Math.floor(next() * 12)}`);
  writeFileSync(join(app, 'events.csv'), rows.join('\n'));
  const trained = run('npx', ['--no-install', 'neural-recsys', 'train', 'events.csv', '--user', 'visitor', '--item', 'product', '--epochs', '2', '--factors', '4', '--layers', '8,4', '--eval-negatives', '20', '--out', 'bundle'], { cwd: app });
  if (!/^NeuMF +\d\.\d{4}/m.test(trained) || !existsSync(join(app, 'bundle', 'recsys.json'))) fail(`npx neural-recsys train printed:\n${trained}`);
  const recommended = JSON.parse(run('npx', ['--no-install', 'neural-recsys', 'recommend', 'bundle', 'u1', '--k', '3', '--json'], { cwd: app }));
  if (recommended[0]?.items?.length !== 3) fail(`npx neural-recsys recommend returned ${JSON.stringify(recommended)}`);
  try {
    execFileSync('npx', ['--no-install', 'neural-recsys', 'train', 'events.csv', '--epochs', 'x'], { cwd: app, stdio: 'pipe', encoding: 'utf8' });
    fail('npx neural-recsys train --epochs x exited 0');
  } catch (e) {
    if (e.status !== 2 || !/--epochs must be an integer/.test(e.stderr)) fail(`bad argument: exit ${e.status}, stderr ${e.stderr}`);
  }
  console.log(`cli ok: npx neural-recsys --help, train (${trained.trim().split('\n').find((l) => l.startsWith('NeuMF'))}), recommend --json, exit 2 on a bad argument`);

  // 4 + 5. bundle each entry from the installed package: sizes, and no tfjs in the free ones
  const entries = { '.': 'neural-recsys', metrics: 'neural-recsys/metrics', sampling: 'neural-recsys/sampling', data: 'neural-recsys/data', baselines: 'neural-recsys/baselines' };
  for (const [name, spec] of Object.entries(entries)) {
    const result = await build({
      stdin: { contents: `export * from '${spec}';`, resolveDir: app, loader: 'js' },
      bundle: true,
      minify: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      metafile: true,
      external: ['@tensorflow/*', 'papaparse', 'node:*'],
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].contents;
    const imports = Object.values(result.metafile.outputs)[0].imports.map((i) => i.path);
    if (name !== '.' && imports.some((p) => p.startsWith('@tensorflow'))) fail(`entry ${name} reaches TensorFlow.js: ${imports.join(', ')}`);
    console.log(`size ${name.padEnd(9)} ${(code.length / 1024).toFixed(1).padStart(7)} KiB min, ${(gzipSync(code).length / 1024).toFixed(1).padStart(6)} KiB min+gzip (external: ${[...new Set(imports)].join(', ') || 'none'})`);
  }
  console.log('check-package: all checks passed');
} finally {
  rmSync(work, { recursive: true, force: true });
}
