// Security: no code is ever built from strings, ids that name Object.prototype members are plain
// ids end to end, nothing in src/ reaches the network unless the caller hands it a URL, and file
// readers open only the files they were pointed at (never a path taken from file contents).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from './helpers/backends.js';
import { IdMap, Recommender, interactionsFrom, isRecsysError, loadModel, readCsv, readNcf, saveModel } from '../src/index.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Every .ts file under src/, with its text (tests included: they ship nothing, but stay clean too). */
function sources(dir = SRC): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith('.ts')) out.push({ file: relative(SRC, path).split(sep).join('/'), text: fs.readFileSync(path, 'utf8') });
  }
  return out;
}

/** Tests and test fixtures ship nothing (a test may well start an HTTP server). */
const shipped = (file: string): boolean => !/\.test\.ts$|fixture/.test(file);

/** Lines matching `pattern`, as `file:line: text`, skipping comment lines (and, unless told, tests). */
function findings(pattern: RegExp, { tests = false } = {}): string[] {
  const hits: string[] = [];
  for (const { file, text } of sources()) {
    if (!tests && !shipped(file)) continue;
    text.split('\n').forEach((line, i) => {
      const code = line.trim();
      if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return;
      if (pattern.test(line)) hits.push(`${file}:${i + 1}: ${code}`);
    });
  }
  return hits;
}

beforeAll(() => useBackend('cpu'));

describe('no code from strings', () => {
  it('src/ has no eval(, new Function, Function( or setTimeout/setInterval with a string', () => {
    expect(sources().length).toBeGreaterThan(50); // the scan really reads the tree
    const everywhere = { tests: true };
    expect(findings(/(^|[^\w.$])eval\s*\(/, everywhere)).toEqual([]);
    expect(findings(/new\s+Function\b/, everywhere)).toEqual([]);
    expect(findings(/(^|[^\w.$])Function\s*\(/, everywhere)).toEqual([]);
    expect(findings(/set(Timeout|Interval)\s*\(\s*['"`]/, everywhere)).toEqual([]);
  });

  it('the only strings run as code are the worker bootstraps (fused engine, score workers), from the TypeScript sources only', () => {
    // _lib/node-worker.ts: `new Worker(boot, { eval: true })` runs when the library is used from its
    // .ts sources (vitest, tsx), where a worker must register tsx before importing its source (the
    // fused engine's worker.ts or recommendAll's score-worker.ts). `boot` is two JSON.stringify'd
    // file URLs resolved by the library itself (tsx's API and the source beside the pool), never
    // anything from the caller or from data; the built package spawns `new Worker(url)` instead.
    // Any other `eval: true` needs the same scrutiny: add it here.
    const allowed = ['_lib/node-worker.ts'];
    const hits = findings(/eval\s*:\s*true/);
    for (const hit of hits) expect(allowed.some((file) => hit.startsWith(`${file}:`)), hit).toBe(true);
  });
});

describe('no network unless the caller passes a URL', () => {
  it('nothing shipped imports node:http, https, http2, net, tls or dgram', () => {
    expect(findings(/(from\s+|import\s*\(\s*|require\s*\(\s*)['"`](node:)?(http|https|http2|net|tls|dgram)(\/[\w/]*)?['"`]/)).toEqual([]);
    // the pattern does catch an import (the scan can fail): the io tests serve bundles over HTTP
    expect(findings(/from\s+['"`]node:http['"`]/, { tests: true }).length).toBeGreaterThan(0);
    expect(findings(/\b(XMLHttpRequest|WebSocket|EventSource|sendBeacon|importScripts)\b/)).toEqual([]);
  });

  it('fetch is called only by loadModel/readManifest for an http(s):// bundle URL the caller gave', () => {
    // io/load.ts fetchBytes(base, name): `base` is the caller's http(s):// URL (loadModel(url),
    // readManifest(url)); `name` is a bundle file name, checked to be a plain file name (no '/',
    // no '..') before use, so a tampered model.json cannot send requests to another host or path.
    const allowed = ['io/load.ts'];
    const hits = findings(/(^|[^\w.$])fetch\s*\(/);
    expect(hits.length).toBeGreaterThan(0);
    for (const hit of hits) expect(allowed.some((file) => hit.startsWith(`${file}:`)), hit).toBe(true);
  });

  it('dynamic imports load only fixed module names (node built-ins, papaparse, the worker)', () => {
    // _lib/node-import.ts importNodeBuiltin(name): the one loader of Node built-ins (data, io and the
    // fused pool use it), always called with a literal built-in name; data/csv.ts and data/features-csv.ts: papaparse;
    // _lib/node-worker.ts: the worker bootstrap of both pools (from TypeScript sources only).
    const hits = findings(/(^|[^\w.$])import\s*\(/).filter((h) => !/typeof import\(/.test(h));
    const allowed = ['_lib/node-import.ts', 'data/csv.ts', 'data/features-csv.ts', '_lib/node-worker.ts'];
    for (const hit of hits) expect(allowed.some((file) => hit.startsWith(`${file}:`)), hit).toBe(true);
    const callers = sources().filter((s) => /importNode(Builtin)?(<[^>]+>)?\(/.test(s.text) && s.file !== '_lib/node-import.ts');
    expect(callers.length).toBeGreaterThan(0);
    const builtins = new Set(['fs', 'fs/promises', 'path', 'url', 'module', 'worker_threads']);
    for (const { file, text } of callers) {
      const names = [...text.matchAll(/importNode(?:Builtin)?(?:<(?:[^<>]|<[^<>]*>)*>)?\(([^,)]*)/g)].map((m) => m[1].trim());
      for (const name of names) {
        if (/^\w+\s*:/.test(name)) continue; // a declaration's parameter list, not a call
        // a literal built-in name, or data/source.ts's one-line wrapper passing its own parameter
        const literal = /^'([^']+)'$/.exec(name)?.[1];
        const ok = literal !== undefined ? builtins.has(literal) : file === 'data/source.ts' && name === 'name';
        expect(ok, `${file}: importNodeBuiltin(${name})`).toBe(true);
      }
    }
    const viaWrapper = sources()
      .filter((s) => s.file === 'data/source.ts')
      .flatMap((s) => [...s.text.matchAll(/importNode<\w+>\('([^']+)'\)/g)].map((m) => m[1]));
    expect(viaWrapper.sort()).toEqual(['fs', 'path', 'url']);
  });
});

describe("ids named like Object.prototype members are plain ids, end to end", () => {
  const users = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'alice'];
  const items = ['__proto__', 'constructor', 'valueOf', 'prototype', 'isPrototypeOf', 'Heat', 'Up', 'Ronin'];
  const rows = users.flatMap((user, u) => items.filter((_, i) => (u + i) % 3 !== 0).map((item) => ({ user, item })));
  let root = '';

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'recsys-security-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('IdMap and interactionsFrom keep them as ordinary keys', () => {
    const { data, users: userMap, items: itemMap } = interactionsFrom(rows, { user: 'user', item: 'item' });
    expect(userMap.ids()).toEqual(users);
    expect(itemMap.ids().sort()).toEqual([...items].sort());
    expect(data.users.length).toBe(rows.length);
    expect(userMap.indexOf('__proto__')).toBe(0);
    expect(userMap.has('toString')).toBe(true);
    expect(itemMap.has('hasOwnProperty')).toBe(false); // a prototype member that was never added
    expect(() => itemMap.indexOf('hasOwnProperty')).toThrow(/unknown item "hasOwnProperty"/);
    // JSON round trip keeps them too
    expect(IdMap.fromJSON(JSON.parse(JSON.stringify(userMap))).ids()).toEqual(users);
  });

  it('Recommender.fit -> recommend -> similar -> save -> load gives the same answers, no prototype touched', async () => {
    const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const tensors = tf.memory().numTensors;
    const rec = await Recommender.fit(rows, { model: 'neumf', factors: 4, layers: [8, 4], epochs: 2, batchSize: 16, seed: 3, engine: 'tfjs' });
    const seen = rec.seenBy('__proto__');
    expect(seen.sort()).toEqual(rows.filter((r) => r.user === '__proto__').map((r) => r.item).sort());
    const before = users.map((u) => rec.recommend(u, { k: 3 }));
    for (const [u, list] of before.entries()) {
      for (const { id } of list) {
        expect(items).toContain(id);
        expect(rec.seenBy(users[u])).not.toContain(id);
      }
    }
    const similar = rec.similar('constructor', { k: 2 });
    expect(similar.every((s) => items.includes(s.id as string) && s.id !== 'constructor')).toBe(true);

    for (const url of [`file://${join(root, 'proto-bundle')}`, 'memory://proto-bundle']) {
      await saveModel(rec, url);
      const again = await loadModel(url);
      try {
        expect(again.users.ids()).toEqual(users);
        expect(again.items.ids()).toEqual(rec.items.ids());
        expect(users.map((u) => again.recommend(u, { k: 3 }))).toEqual(before);
        expect(again.similar('constructor', { k: 2 })).toEqual(similar);
      } finally {
        again.dispose();
      }
    }
    rec.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('readCsv maps them as plain ids too', async () => {
    const text = ['user,item', ...rows.map((r) => `${r.user},${r.item}`)].join('\n');
    const { users: u, items: i } = await readCsv({ text }, { user: 'user', item: 'item' });
    expect(u.ids()).toEqual(users);
    expect(i.ids().sort()).toEqual([...items].sort());
  });
});

describe('readers open only the files they were pointed at', () => {
  let root = '';
  const opened: string[] = [];
  let realOpen: typeof fs.promises.open;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'recsys-paths-'));
    // root/outside.* is a complete split that a reader escaping its directory would find
    for (const dir of [root, join(root, 'data')]) {
      await mkdir(dir, { recursive: true });
      const name = dir === root ? 'outside' : 'ml';
      await writeFile(join(dir, `${name}.train.rating`), '0\t1\t5\t1\n1\t2\t5\t2\n');
      await writeFile(join(dir, `${name}.test.rating`), '0\t2\t5\t3\n');
      await writeFile(join(dir, `${name}.test.negative`), '(0,2)\t0\t3\n');
    }
    realOpen = fs.promises.open;
    // record every file the readers open (source.ts uses node:fs's promises.open)
    fs.promises.open = (async (...args: Parameters<typeof fs.promises.open>) => {
      opened.push(resolve(String(args[0])));
      return realOpen(...args);
    }) as typeof fs.promises.open;
  });
  afterAll(async () => {
    fs.promises.open = realOpen;
    await rm(root, { recursive: true, force: true });
  });

  const inside = (dir: string) => (file: string) => file.startsWith(resolve(dir) + sep);

  it('a directory: only its own three files', async () => {
    opened.length = 0;
    const ncf = await readNcf(join(root, 'data'));
    expect(ncf.train.users.length).toBe(2);
    expect(opened.sort()).toEqual(['ml.test.negative', 'ml.test.rating', 'ml.train.rating'].map((f) => join(root, 'data', f)));
  });

  it("a prefix with '..' that leads to no split opens nothing (no search up or around)", async () => {
    // 'data/..' as a directory is root, which holds the 'outside' split; as a prefix it is not
    // normalised: 'data/...train.rating' does not exist, so nothing is read from root.
    opened.length = 0;
    await expect(readNcf(join(root, 'data') + `${sep}..${sep}nowhere`)).rejects.toSatisfy((e: unknown) => isRecsysError(e, 'FILE_NOT_FOUND'));
    expect(opened).toEqual([]);
  });

  it('a prefix with .. inside opens exactly prefix + the fixed suffixes', async () => {
    opened.length = 0;
    const prefix = join(root, 'data') + `${sep}..${sep}data${sep}ml`;
    await readNcf(prefix);
    expect(opened.sort()).toEqual(['ml.test.negative', 'ml.test.rating', 'ml.train.rating'].map((f) => resolve(join(root, 'data', f))));
    expect(opened.every(inside(join(root, 'data')))).toBe(true);
  });

  it('file contents never name files: a negative file full of paths is a parse error', async () => {
    opened.length = 0;
    const dir = join(root, 'tricky');
    await mkdir(dir);
    await writeFile(join(dir, 'x.train.rating'), '0\t1\n');
    await writeFile(join(dir, 'x.test.rating'), '0\t1\n');
    await writeFile(join(dir, 'x.test.negative'), `(0,1)\t../outside.train.rating\t${join(root, 'outside.test.rating')}\n`);
    await expect(readNcf(dir)).rejects.toSatisfy((e: unknown) => isRecsysError(e, 'PARSE_ERROR'));
    expect(opened.every(inside(dir))).toBe(true);
  });

  it('a bundle whose model.json names weights outside the bundle is refused before any read', async () => {
    const bundle = join(root, 'bundle');
    const rec = Recommender.from({
      model: (await import('../src/index.js')).GMF({ numUsers: 2, numItems: 3, factors: 2, seed: 1 }),
      users: IdMap.fromIds(['a', 'b']),
      items: IdMap.fromIds(['x', 'y', 'z']),
    });
    await saveModel(rec, `file://${bundle}`);
    rec.dispose();
    await writeFile(join(root, 'stolen.bin'), new Uint8Array(64));
    for (const path of ['../stolen.bin', join(root, 'stolen.bin'), '..', 'sub/weights.bin', 'https://example.com/w.bin']) {
      const modelJson = JSON.parse(await readFile(join(bundle, 'model.json'), 'utf8'));
      const original = JSON.stringify(modelJson);
      modelJson.weightsManifest[0].paths = [path];
      await writeFile(join(bundle, 'model.json'), JSON.stringify(modelJson));
      opened.length = 0;
      await expect(loadModel(`file://${bundle}`), path).rejects.toSatisfy((e: unknown) => isRecsysError(e, 'BUNDLE_CORRUPT'));
      expect(opened.every(inside(bundle)), `${path}: ${opened.join(', ')}`).toBe(true);
      await writeFile(join(bundle, 'model.json'), original);
    }
    // the untouched bundle still loads (the control case)
    (await loadModel(`file://${bundle}`)).dispose();
    expect(await readdir(bundle)).toContain('weights.bin');
  });
});
