import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readCsv } from './csv.js';
import { IdMap } from './id-map.js';
import { errorOf } from '../../test/helpers/recsys-error.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/data/csv/', import.meta.url));


describe('readCsv', () => {
  it('reads named columns, quoted fields with commas and escaped quotes', async () => {
    const { data, users, items, duplicates } = await readCsv(join(FIXTURES, 'ratings.csv'), { user: 'user', item: 'item', time: 'time', weight: 'rating' });
    expect(users.ids()).toEqual(['alice', 'bob', 'carol "cc"']);
    expect(items.ids()).toEqual(['Heat, 1995', 'Up', 'Heat']);
    expect(Array.from(data.users)).toEqual([0, 1, 2, 0]);
    expect(Array.from(data.items)).toEqual([0, 1, 2, 1]);
    expect(Array.from(data.timestamps!)).toEqual([10, 11, 12, 13]);
    expect(Array.from(data.weights!)).toEqual([4, 5, 3, 2]);
    expect(duplicates).toBe(0);
  });

  it('detects tab, semicolon and pipe delimiters, or takes the one given', async () => {
    for (const d of ['\t', ';', '|']) {
      const text = `u${d}i\n1${d}a\n2${d}b\n`;
      expect((await readCsv({ text }, { user: 'u', item: 'i' })).items.ids()).toEqual(['a', 'b']);
    }
    expect((await readCsv({ text: 'u:i\n1:a\n' }, { user: 'u', item: 'i', delimiter: ':' })).items.ids()).toEqual(['a']);
    // blank lines first, even in a piece of their own, do not fool the guess
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('\n\n'));
        c.enqueue(new TextEncoder().encode('u\ti\n\n1\ta,b\n2\tc\n'));
        c.close();
      },
    });
    const late = await readCsv(stream, { user: 'u', item: 'i' });
    expect(late.items.ids()).toEqual(['a,b', 'c']);
    expect((await errorOf(readCsv({ text: '\n\nu\ti\n\n1\n' }, { user: 'u', item: 'i' }))).message).toBe('input:5: expected 2 fields like the header, got 1: "1"');
  });

  it('reads files without a header by column index', async () => {
    const { data, users } = await readCsv({ text: '7,x,100\n8,y,200\n' }, { user: 0, item: 1, time: 2, header: false });
    expect(users.ids()).toEqual(['7', '8']);
    expect(Array.from(data.timestamps!)).toEqual([100, 200]);
    expect((await errorOf(readCsv({ text: '7,x\n' }, { user: 'u', item: 1, header: false }))).code).toBe('INVALID_ARGUMENT');
    expect((await errorOf(readCsv({ text: '7,x\n' }, { user: 0, item: 5, header: false }))).message).toBe('input: no column 5 for item: rows have 2 fields');
  });

  it("keeps ids as strings by default; idType 'number' and 'auto' convert them", async () => {
    const text = 'u,i\n1,007\n2,42\n';
    expect((await readCsv({ text }, { user: 'u', item: 'i' })).users.ids()).toEqual(['1', '2']);
    const numbers = await readCsv({ text }, { user: 'u', item: 'i', idType: 'number' });
    expect(numbers.users.ids()).toEqual([1, 2]);
    expect(numbers.items.ids()).toEqual([7, 42]);
    const auto = await readCsv({ text }, { user: 'u', item: 'i', idType: 'auto' });
    expect(auto.users.ids()).toEqual([1, 2]);
    expect(auto.items.ids()).toEqual(['007', '42']); // '007' is not a canonical integer: the column stays strings
    expect(auto.users.kind).toBe('user');
    const bad = await errorOf(readCsv({ text: 'u,i\n1,a\n' }, { user: 'u', item: 'i', idType: 'number' }));
    expect(bad).toEqual({ code: 'PARSE_ERROR', message: `input:2, column "i": idType is 'number' but the item id is "a"` });
    expect((await errorOf(readCsv({ text }, { user: 'u', item: 'i', idType: 'auto', users: new IdMap() }))).code).toBe('INVALID_ARGUMENT');
  });

  it('extends existing maps and collapses duplicates', async () => {
    const users = IdMap.fromIds(['bob'], { kind: 'user' });
    const { data, duplicates } = await readCsv({ text: 'u,i\nalice,x\nbob,x\nalice,x\n' }, { user: 'u', item: 'i', users });
    expect(users.ids()).toEqual(['bob', 'alice']);
    expect(duplicates).toBe(1);
    expect(Array.from(data.users)).toEqual([1, 0]);
    expect(Array.from(data.weights!)).toEqual([2, 1]);
  });

  it('handles \\r\\n, a BOM, blank lines, a missing final newline and newlines inside quotes', async () => {
    const text = '\ufeffu,i,t\r\n\r\na,"multi\r\nline",1\r\n\r\nb,y,2';
    const { data, items } = await readCsv({ text }, { user: 'u', item: 'i', time: 't' });
    expect(items.ids()).toEqual(['multi\nline', 'y']);
    expect(Array.from(data.timestamps!)).toEqual([1, 2]);
  });

  it('reports the file, the line (counting lines inside quotes) and the content of bad rows', async () => {
    const cases: Array<[string, string]> = [
      ['u,i,t\na,"x\ny",1\nb,z\n', 'input:4: expected 3 fields like the header, got 2: "b,z"'],
      ['u,i,t\na,x,1\n,z,2\n', 'input:3, column "u": the user id is missing'],
      ['u,i,t\na,x,1\nb,z,soon\n', 'input:3, column "t": expected a number or a date, got "soon"'],
      ['u,i,t\na,x,1\nb,"z,2\nc,y,3\n', 'input:3: '],
    ];
    for (const [text, message] of cases) {
      const error = await errorOf(readCsv({ text }, { user: 'u', item: 'i', time: 't' }));
      expect(error.code).toBe('PARSE_ERROR');
      expect(error.message).toContain(message);
    }
    const missing = await errorOf(readCsv({ text: 'user,item\n1,2\n' }, { user: 'userId', item: 'item' }));
    expect(missing).toEqual({ code: 'INVALID_ARGUMENT', message: 'input: no column "userId" for user: the header has "user", "item"' });
  });

  it('reports empty input, a header without rows, and missing files', async () => {
    expect((await errorOf(readCsv({ text: '' }, { user: 'u', item: 'i' }))).code).toBe('EMPTY_INPUT');
    expect((await errorOf(readCsv({ text: '\n\n' }, { user: 'u', item: 'i' }))).code).toBe('EMPTY_INPUT');
    expect(await errorOf(readCsv({ text: 'u,i\n' }, { user: 'u', item: 'i' }))).toEqual({ code: 'EMPTY_INPUT', message: 'input has a header but no data lines' });
    const path = join(FIXTURES, 'missing.csv');
    expect(await errorOf(readCsv(path, { user: 'u', item: 'i' }))).toEqual({ code: 'FILE_NOT_FOUND', message: `file not found: ${path}` });
  });

  it('streams large inputs in pieces with the same result as one piece', async () => {
    const lines = ['u,i,t'];
    for (let k = 0; k < 10_000; k++) lines.push(`user${k % 997},"item ${k % 1009}, ""q""",${k}`);
    const text = lines.join('\n') + '\n';
    const bytes = new TextEncoder().encode(text);
    let pos = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pos >= bytes.length) return c.close();
        c.enqueue(bytes.slice(pos, pos + 1021));
        pos += 1021;
      },
    });
    const whole = await readCsv({ text }, { user: 'u', item: 'i', time: 't' });
    const streamed = await readCsv(stream, { user: 'u', item: 'i', time: 't' });
    expect(streamed.data).toEqual(whole.data);
    expect(whole.data.users.length).toBe(10_000);
    expect(whole.items.id(1)).toBe('item 1, "q"');
  });
});
