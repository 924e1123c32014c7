import { describe, it, expect } from 'vitest';
import { forEachLine } from './lines.js';
import { isRecsysError } from '../../errors.js';

function chunked(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let pos = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (pos >= bytes.length) return c.close();
      c.enqueue(bytes.slice(pos, pos + size));
      pos += size;
    },
  });
}

describe('forEachLine', () => {
  it('numbers physical lines from 1, skipping blank ones, without \\r or BOM', async () => {
    const seen: Array<[number, string]> = [];
    const decoder = new TextDecoder();
    await forEachLine(chunked('\ufeffa\r\n\r\n \t\nb\nc', 2), (buf, start, end, line) => seen.push([line, decoder.decode(buf.subarray(start, end))]));
    expect(seen).toEqual([
      [1, 'a'],
      [4, 'b'],
      [5, 'c'],
    ]);
  });

  it('gives up on a line longer than the limit instead of buffering without bound', async () => {
    let error: unknown;
    try {
      await forEachLine(chunked('ok\n' + 'x'.repeat(1000) + '\n', 64), () => undefined, 100);
    } catch (e) {
      error = e;
    }
    expect(isRecsysError(error, 'PARSE_ERROR')).toBe(true);
    expect((error as Error).message).toMatch(/^input:2: line is longer than 100 bytes/);
  });
});
