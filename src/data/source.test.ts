import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMovieLens } from './movielens.js';
import { readCsv } from './csv.js';
import { readNcf } from './ncf.js';
import type { Source } from './source.js';
import { ncfFixtureDir } from '../../test/helpers/ncf-fixture.js';
import { errorOf } from '../../test/helpers/recsys-error.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/data/', import.meta.url));
const NCF_DIR = ncfFixtureDir();

/** A stream that hands out the bytes in pieces of the given sizes (cycled). */
function streamOf(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  let pos = 0;
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pos >= bytes.length) return controller.close();
      const size = sizes[i++ % sizes.length];
      controller.enqueue(bytes.slice(pos, pos + size));
      pos += size;
    },
  });
}

/** Every kind of Source holding the same file. */
function allKinds(path: string): Array<[string, () => Source]> {
  const bytes = new Uint8Array(readFileSync(path));
  const padded = new Uint8Array(bytes.length + 7);
  padded.set(bytes, 3);
  return [
    ['path', () => path],
    ['file: URL', () => pathToFileURL(path)],
    ['file: URL string', () => pathToFileURL(path).href],
    ['{ text }', () => ({ text: new TextDecoder().decode(bytes) })],
    ['ArrayBuffer', () => bytes.slice().buffer],
    ['Uint8Array view with an offset', () => padded.subarray(3, 3 + bytes.length)],
    ['DataView', () => new DataView(bytes.slice().buffer)],
    ['Blob', () => new Blob([bytes])],
    ['Response', () => new Response(bytes)],
    ['ReadableStream of 1-3 byte chunks', () => streamOf(bytes, [1, 3, 2])],
  ];
}


describe('Source kinds', () => {
  it('give the same MovieLens interactions', async () => {
    const path = join(FIXTURES, 'movielens/tiny-100k.tsv');
    const expected = await readMovieLens(path);
    for (const [kind, make] of allKinds(path)) {
      const got = await readMovieLens(make());
      expect(got.data, kind).toEqual(expected.data);
      expect(got.users.ids(), kind).toEqual(expected.users.ids());
    }
  });

  it('give the same CSV interactions (multi-byte characters split across chunks)', async () => {
    const path = join(FIXTURES, 'csv/ratings.csv');
    const options = { user: 'user', item: 'item', time: 'time' } as const;
    const expected = await readCsv(path, options);
    for (const [kind, make] of allKinds(path)) {
      const got = await readCsv(make(), options);
      expect(got.data, kind).toEqual(expected.data);
      expect(got.items.ids(), kind).toEqual(expected.items.ids());
    }
    const utf8 = new TextEncoder().encode('u,i\nzoë,café\n日本,über\n');
    const split = await readCsv(streamOf(utf8, [1]), { user: 'u', item: 'i' });
    expect(split.users.ids()).toEqual(['zoë', '日本']);
    expect(split.items.ids()).toEqual(['café', 'über']);
  });

  it('give the same NCF split', async () => {
    const expected = await readNcf(NCF_DIR);
    const train = allKinds(join(NCF_DIR, 'tiny.train.rating'));
    const test = allKinds(join(NCF_DIR, 'tiny.test.rating'));
    const negative = allKinds(join(NCF_DIR, 'tiny.test.negative'));
    for (let k = 0; k < train.length; k++) {
      const got = await readNcf({ train: train[k][1](), test: test[k][1](), negative: negative[k][1]() });
      expect(got, train[k][0]).toEqual(expected);
    }
  });

  it('splits lines correctly whatever the chunk boundaries (property)', async () => {
    const text = '\ufeff1\t2\t3\t4\r\n5\t6\t7\t8\n\n9\t10\t11\t12';
    const bytes = new TextEncoder().encode(text);
    const expected = await readMovieLens({ text });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 }), async (sizes) => {
        const got = await readMovieLens(streamOf(bytes, sizes));
        expect(got.data).toEqual(expected.data);
      }),
      { numRuns: 60 },
    );
  });

  it('uses a File name, a Response URL or "input" in messages', async () => {
    const bad = '1\t2\t3\t4\nbad\n';
    expect((await errorOf(readMovieLens(new File([bad], 'ratings.tsv')))).message).toMatch(/^ratings\.tsv:2: /);
    expect((await errorOf(readMovieLens(new Blob([bad])))).message).toMatch(/^input:2: /);
    expect((await errorOf(readMovieLens(new Uint8Array(new TextEncoder().encode(bad))))).message).toMatch(/^input:2: /);
  });

  it('rejects failed or consumed responses, non-file URLs and other values', async () => {
    expect((await errorOf(readMovieLens(new Response('nope', { status: 404 })))).code).toBe('FILE_NOT_FOUND');
    expect((await errorOf(readMovieLens(new Response('nope', { status: 500 })))).code).toBe('INVALID_ARGUMENT');
    const used = new Response('1\t2\t3\t4\n');
    await used.text();
    expect((await errorOf(readMovieLens(used))).message).toMatch(/already read/);
    expect((await errorOf(readMovieLens(new Response(null)))).code).toBe('EMPTY_INPUT');
    expect((await errorOf(readMovieLens(new URL('https://example.org/u.data')))).code).toBe('INVALID_ARGUMENT');
    expect((await errorOf(readMovieLens(''))).code).toBe('INVALID_ARGUMENT');
    for (const bad of [null, 42, { txt: 'x' }, [1, 2]]) expect((await errorOf(readMovieLens(bad as never))).code).toBe('INVALID_ARGUMENT');
  });
});
