// Where readers get their bytes from, in any runtime. Everything is turned into a stream of
// Uint8Array chunks, so a reader holds one chunk (plus one partial line) at a time.
//
// Node's modules are loaded only when a path is given, through an import whose specifier is not a
// literal: bundlers for browsers (esbuild, Rollup/Vite, webpack) then leave it alone instead of
// failing to resolve 'node:fs', and the data entry point bundles for the web unchanged.
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { importNodeBuiltin } from '../_lib/node-import.js';

/**
 * Text held in memory, with an optional name for error messages.
 * @category Data
 */
export interface TextSource {
  /** The content. */
  text: string;
  /** Name used in error messages instead of `'input'` (e.g. the original file name). */
  name?: string;
}

/**
 * Input accepted by every reader:
 * - a file path (`string`) or a `file:` `URL`: Node only, read in 1 MiB chunks;
 * - `{ text }`: a string already in memory;
 * - an `ArrayBuffer` or a `Uint8Array` (any `ArrayBufferView`) of UTF-8 bytes;
 * - a `Blob` or `File` (its name is used in messages), a fetch `Response`, or a
 *   `ReadableStream<Uint8Array>`: streamed, so large downloads never sit in memory whole.
 *
 * @example
 * ```ts
 * await readMovieLens('ml-100k/u.data');                       // Node: a path
 * await readMovieLens(await fetch('/data/u.data'));            // browser: a Response
 * await readMovieLens({ text: '1\t2\t5\t881250949\n' });       // anywhere
 * ```
 * @category Data
 */
export type Source = string | URL | TextSource | ArrayBuffer | ArrayBufferView | Blob | Response | ReadableStream<Uint8Array>;

type NodeFs = typeof import('node:fs');
type NodePath = typeof import('node:path');
type NodeUrl = typeof import('node:url');

const FILE_CHUNK_BYTES = 1 << 20;
const TEXT_CHUNK_CHARS = 1 << 18;

function importNode<T>(name: string): Promise<T> {
  return importNodeBuiltin<T>(name, 'reading a file path needs Node.js; in a browser pass a Response, Blob, ArrayBuffer or { text }');
}

/** @internal Node's fs, path and url modules, loaded on first use. */
export async function nodeModules(): Promise<{ fs: NodeFs; path: NodePath; url: NodeUrl }> {
  const [fs, path, url] = await Promise.all([importNode<NodeFs>('fs'), importNode<NodePath>('path'), importNode<NodeUrl>('url')]);
  return { fs, path, url };
}

/** @internal Whether a source is a file location (a path or a file: URL). */
export function isPathLike(source: unknown): source is string | URL {
  return typeof source === 'string' || (typeof URL !== 'undefined' && source instanceof URL);
}

/** @internal Turns a path string, a `file:` string or a `file:` URL into a file system path. */
export async function toFilePath(source: string | URL): Promise<string> {
  if (typeof source === 'string' && !source.startsWith('file:')) {
    if (source.length === 0) throw new RecsysError('INVALID_ARGUMENT', 'the path is empty');
    return source;
  }
  const url = typeof source === 'string' ? new URL(source) : source;
  if (url.protocol !== 'file:') {
    throw new RecsysError('INVALID_ARGUMENT', `only file: URLs can be read directly, got ${show(url.href)}; fetch it and pass the Response`);
  }
  const { url: nodeUrl } = await nodeModules();
  return nodeUrl.fileURLToPath(url);
}

/** @internal The name of a source for error messages: its path, its file name, or 'input'. */
export function sourceName(source: Source): string {
  if (typeof source === 'string') return source;
  if (typeof URL !== 'undefined' && source instanceof URL) return source.protocol === 'file:' ? decodeURIComponent(source.pathname) : source.href;
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const name = (source as Blob & { name?: unknown }).name;
    return typeof name === 'string' && name.length > 0 ? name : 'input';
  }
  if (typeof Response !== 'undefined' && source instanceof Response) return source.url || 'input';
  if (isTextSource(source)) return typeof source.name === 'string' && source.name.length > 0 ? source.name : 'input';
  return 'input';
}

function isTextSource(source: unknown): source is TextSource {
  return typeof source === 'object' && source !== null && typeof (source as TextSource).text === 'string';
}

function fileError(path: string, e: unknown): RecsysError {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new RecsysError('FILE_NOT_FOUND', `file not found: ${path}`, { path });
  if (code === 'EISDIR') return new RecsysError('INVALID_ARGUMENT', `${path} is a directory, expected a file`, { path });
  const message = e instanceof Error ? e.message : String(e);
  return new RecsysError('INVALID_ARGUMENT', `cannot read ${path}: ${message}`, { path });
}

async function* fileChunks(source: string | URL): AsyncGenerator<Uint8Array> {
  const path = await toFilePath(source);
  const { fs } = await nodeModules();
  let handle: Awaited<ReturnType<NodeFs['promises']['open']>>;
  try {
    handle = await fs.promises.open(path, 'r');
  } catch (e) {
    throw fileError(path, e);
  }
  try {
    // One buffer reused for every read: the line splitter copies what it keeps across chunks.
    const buffer = new Uint8Array(FILE_CHUNK_BYTES);
    for (;;) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
      } catch (e) {
        throw fileError(path, e);
      }
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

async function* streamChunks(stream: ReadableStream<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      if (!(value instanceof Uint8Array)) {
        throw new RecsysError('INVALID_ARGUMENT', `${name}: the stream must yield Uint8Array chunks, got ${show(value)}`);
      }
      yield value;
    }
  } finally {
    // stopped early (a parse error): cancel, so a download or file behind the stream is released
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

function* textChunks(text: string): Generator<Uint8Array> {
  const encoder = new TextEncoder();
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + TEXT_CHUNK_CHARS);
    // never split a surrogate pair: each half alone would encode as U+FFFD
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield encoder.encode(text.slice(start, end));
    start = end;
  }
}

/**
 * @internal The bytes of a source, as a stream of chunks. A chunk is valid only until the next one
 * is requested (file chunks reuse one buffer).
 */
export async function* sourceChunks(source: Source): AsyncGenerator<Uint8Array> {
  if (isPathLike(source)) {
    yield* fileChunks(source);
  } else if (source instanceof ArrayBuffer) {
    yield new Uint8Array(source);
  } else if (ArrayBuffer.isView(source)) {
    yield new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  } else if (typeof Blob !== 'undefined' && source instanceof Blob) {
    yield* streamChunks(source.stream() as ReadableStream<Uint8Array>, sourceName(source));
  } else if (typeof Response !== 'undefined' && source instanceof Response) {
    const name = sourceName(source);
    if (!source.ok) {
      const code = source.status === 404 ? 'FILE_NOT_FOUND' : 'INVALID_ARGUMENT';
      throw new RecsysError(code, `${name}: the response has HTTP status ${source.status}`, { status: source.status });
    }
    if (source.bodyUsed) throw new RecsysError('INVALID_ARGUMENT', `${name}: the response body was already read`);
    if (source.body !== null) yield* streamChunks(source.body as ReadableStream<Uint8Array>, name);
  } else if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) {
    yield* streamChunks(source, 'input');
  } else if (isTextSource(source)) {
    yield* textChunks(source.text);
  } else {
    throw new RecsysError(
      'INVALID_ARGUMENT',
      `source must be a path, a file: URL, { text }, an ArrayBuffer, a Uint8Array, a Blob, a Response or a ReadableStream, got ${show(source)}`,
    );
  }
}
