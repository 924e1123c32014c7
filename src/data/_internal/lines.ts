// Line splitting and field parsing straight on bytes. The line-based formats (NCF, MovieLens) are
// plain ASCII numbers, so parsing digits from the bytes skips decoding to strings and allocating a
// string per field: this is what makes reading ML-1M take a fraction of a second. Text is decoded
// only to quote a bad line in an error message.
import { RecsysError } from '../../errors.js';
import { sourceChunks, sourceName, type Source } from '../source.js';

/** Called once per non-blank line with the line's bytes `buf[start, end)` (no `\r`, no `\n`). */
export type LineHandler = (buf: Uint8Array, start: number, end: number, line: number) => void;

/** Longest line accepted before giving up (bounded memory even on a file with no newlines). */
export const MAX_LINE_BYTES = 16 << 20;

const NL = 10;
const CR = 13;
const TAB = 9;
const SPACE = 32;

const utf8 = new TextDecoder('utf-8');

/** Decodes bytes for a message, cut to about 80 characters. */
export function excerpt(buf: Uint8Array, start: number, end: number): string {
  const text = utf8.decode(buf.subarray(start, Math.min(end, start + 120)));
  return JSON.stringify(text.length > 80 || end - start > 120 ? text.slice(0, 77) + '...' : text);
}

/** A PARSE_ERROR naming the file, the 1-based line and the bad content. */
export function parseError(name: string, line: number, reason: string, buf?: Uint8Array, start = 0, end = 0): RecsysError {
  const content = buf === undefined ? '' : `: ${excerpt(buf, start, end)}`;
  return new RecsysError('PARSE_ERROR', `${name}:${line}: ${reason}${content}`, {
    file: name,
    line,
    ...(buf === undefined ? {} : { content: utf8.decode(buf.subarray(start, Math.min(end, start + 200))) }),
  });
}

/**
 * Streams the source line by line. Handles `\n` and `\r\n`, a UTF-8 byte order mark, a missing
 * final newline; skips blank lines (only spaces, tabs). Throws EMPTY_INPUT when no line has content.
 *
 * @returns the name used in messages and the number of non-blank lines
 */
export async function forEachLine(source: Source, onLine: LineHandler, maxLineBytes = MAX_LINE_BYTES): Promise<{ name: string; lines: number }> {
  const name = sourceName(source);
  let carry = new Uint8Array(0);
  let carryLength = 0;
  let line = 0;
  let nonBlank = 0;

  const emit = (buf: Uint8Array, start: number, end: number): void => {
    line++;
    if (line === 1 && end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    if (end > start && buf[end - 1] === CR) end--;
    let first = start;
    while (first < end && (buf[first] === SPACE || buf[first] === TAB || buf[first] === CR)) first++;
    if (first === end) return;
    nonBlank++;
    onLine(buf, start, end, line);
  };

  const keep = (chunk: Uint8Array, start: number, end: number): void => {
    const needed = carryLength + (end - start);
    if (needed > maxLineBytes) {
      throw parseError(name, line + 1, `line is longer than ${maxLineBytes} bytes (is this the right file?)`, carry, 0, carryLength);
    }
    if (needed > carry.length) {
      const grown = new Uint8Array(Math.max(needed, carry.length * 2, 256));
      grown.set(carry.subarray(0, carryLength));
      carry = grown;
    }
    carry.set(chunk.subarray(start, end), carryLength);
    carryLength = needed;
  };

  for await (const chunk of sourceChunks(source)) {
    let pos = 0;
    if (carryLength > 0) {
      const newline = chunk.indexOf(NL);
      if (newline < 0) {
        keep(chunk, 0, chunk.length);
        continue;
      }
      keep(chunk, 0, newline);
      const length = carryLength;
      carryLength = 0;
      emit(carry, 0, length);
      pos = newline + 1;
    }
    for (;;) {
      const newline = chunk.indexOf(NL, pos);
      if (newline < 0) break;
      emit(chunk, pos, newline);
      pos = newline + 1;
    }
    if (pos < chunk.length) keep(chunk, pos, chunk.length);
  }
  if (carryLength > 0) {
    const length = carryLength;
    carryLength = 0;
    emit(carry, 0, length);
  }
  if (nonBlank === 0) throw new RecsysError('EMPTY_INPUT', `${name} is empty (no data lines)`, { file: name });
  return { name, lines: nonBlank };
}
