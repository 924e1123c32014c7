import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '../../test/helpers/backends.js';
import { isRecsysError } from '../errors.js';
import { saveModel } from './save.js';
import { loadLayersModel } from './load.js';
import { allScores, bareModel } from '../../test/helpers/io-fixtures.js';

let root: string;
beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'recsys-files-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const A = () => bareModel(1);
const B = () => bareModel(2);

async function scoresAt(url: string): Promise<number[]> {
  const model = await loadLayersModel(url);
  try {
    return allScores(model, 5, 6);
  } finally {
    model.dispose();
  }
}

async function fresh(name: string): Promise<{ parent: string; target: string; url: string }> {
  const parent = join(root, name);
  await mkdir(parent, { recursive: true });
  const target = join(parent, 'bundle');
  return { parent, target, url: `file://${target}` };
}

describe('atomic file:// saves', () => {
  const a = A();
  const b = B();
  let scoresA: number[];
  let scoresB: number[];
  beforeAll(() => {
    scoresA = allScores(a, 5, 6);
    scoresB = allScores(b, 5, 6);
    expect(scoresA).not.toEqual(scoresB);
  });
  afterAll(() => {
    a.dispose();
    b.dispose();
  });

  it('creates missing parent directories and leaves nothing beside the bundle', async () => {
    const { parent, url } = await fresh('parents');
    await saveModel(a, `${url}/deeper/still`);
    expect(await scoresAt(`${url}/deeper/still`)).toEqual(scoresA);
    expect(await readdir(parent)).toEqual(['bundle']);
  });

  it('refuses to replace a directory that is not a bundle, and leaves it untouched', async () => {
    const { target, url } = await fresh('foreign');
    await mkdir(target);
    await writeFile(join(target, 'thesis.tex'), 'years of work');
    let caught: unknown;
    await saveModel(a, url).catch((e) => (caught = e));
    expect(isRecsysError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect((caught as Error).message).toContain('"thesis.tex"');
    expect(await readFile(join(target, 'thesis.tex'), 'utf8')).toBe('years of work');
    await writeFile(join(root, 'foreign', 'plain-file'), 'x');
    caught = undefined;
    await saveModel(a, `file://${join(root, 'foreign', 'plain-file')}`).catch((e) => (caught = e));
    expect(isRecsysError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect((caught as Error).message).toContain('not a directory');
  });

  it('loads the previous bundle when a crash left it renamed aside and the target missing', async () => {
    const { parent, target, url } = await fresh('window');
    await saveModel(a, url);
    // the state between the two renames of a save
    await rename(target, join(parent, '.bundle.old-00000000a-xyz'));
    await mkdir(join(parent, '.bundle.tmp-999999999-00000000b-abc'));
    expect(await scoresAt(url)).toEqual(scoresA);
    // the next save puts a bundle in place and only then removes the old one and the temporary
    await saveModel(b, url);
    expect(await scoresAt(url)).toEqual(scoresB);
    expect(await readdir(parent)).toEqual(['bundle']);
  });

  it('removes temporaries of dead processes but not those of running ones', async () => {
    const { parent, url } = await fresh('stale');
    const dead = '.bundle.tmp-999999999-00000000a-abc';
    const mine = `.bundle.tmp-${process.pid}-00000000a-def`;
    const live = `.bundle.tmp-${process.ppid}-00000000a-ghi`;
    const unrelated = '.bundle.tmp-notes';
    for (const name of [dead, mine, live, unrelated]) await mkdir(join(parent, name));
    await saveModel(a, url);
    expect((await readdir(parent)).sort()).toEqual([live, unrelated, 'bundle'].sort());
  });

  it('puts the old bundle back when a save fails (not crashes) after moving it aside', async () => {
    const { parent, url } = await fresh('failure');
    await saveModel(a, url);
    for (const failAt of ['write', 'commit', 'swap'] as const) {
      let caught: unknown;
      await saveModel(b, url, {
        onProgress: (step) => {
          if (step === failAt) throw new Error(`disk full at ${step}`);
        },
      }).catch((e) => (caught = e));
      expect((caught as Error).message).toBe(`disk full at ${failAt}`);
      expect(await scoresAt(url)).toEqual(scoresA);
      expect(await readdir(parent)).toEqual(['bundle']);
    }
  });

  it('queues concurrent saves to one target from this process', async () => {
    const { parent, url } = await fresh('queue');
    await Promise.all([saveModel(a, url), saveModel(b, url), saveModel(a, url), saveModel(b, url)]);
    expect(await scoresAt(url)).toEqual(scoresB);
    expect(await readdir(parent)).toEqual(['bundle']);
  });
});
