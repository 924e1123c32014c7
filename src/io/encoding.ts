// Typed arrays inside the JSON manifest: little-endian bytes in base64. Hand-written so the same
// code runs in Node, browsers and workers (Buffer is Node-only; btoa works on binary strings and
// is slow for megabytes), and so the byte order is fixed regardless of the platform's.
import { RecsysError } from '../errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/** Encodes bytes as standard base64 (with padding). */
export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    chunk += ALPHABET[n >>> 18] + ALPHABET[(n >>> 12) & 63] + ALPHABET[(n >>> 6) & 63] + ALPHABET[n & 63];
    // flush now and then: string concatenation of megabytes makes deep ropes
    if (chunk.length >= 65536) {
      parts.push(chunk);
      chunk = '';
    }
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    chunk += ALPHABET[n >>> 18] + ALPHABET[(n >>> 12) & 63] + '==';
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    chunk += ALPHABET[n >>> 18] + ALPHABET[(n >>> 12) & 63] + ALPHABET[(n >>> 6) & 63] + '=';
  }
  parts.push(chunk);
  return parts.join('');
}

/** Decodes standard base64; throws BUNDLE_CORRUPT (naming `what`) on anything else. */
export function base64ToBytes(text: unknown, what: string): Uint8Array {
  if (typeof text !== 'string' || text.length % 4 !== 0) {
    throw new RecsysError('BUNDLE_CORRUPT', `${what} is not valid base64 (${typeof text === 'string' ? `length ${text.length}` : typeof text})`);
  }
  let padding = 0;
  if (text.endsWith('==')) padding = 2;
  else if (text.endsWith('=')) padding = 1;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const code = text.charCodeAt(i + j);
      const isPad = code === 61 && i + j >= text.length - padding;
      const v = isPad ? 0 : code < 128 ? LOOKUP[code] : -1;
      if (v < 0) throw new RecsysError('BUNDLE_CORRUPT', `${what} is not valid base64 (bad character at ${i + j})`);
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >>> 16) & 255;
    if (o < out.length) out[o++] = (n >>> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/** Int32Array -> base64 of its little-endian bytes. */
export function int32ToBase64(values: Int32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setInt32(i * 4, values[i], true);
  return bytesToBase64(bytes);
}

/** base64 of little-endian bytes -> Int32Array (BUNDLE_CORRUPT when the length is not a multiple of 4). */
export function base64ToInt32(text: unknown, what: string): Int32Array {
  const bytes = base64ToBytes(text, what);
  if (bytes.length % 4 !== 0) throw new RecsysError('BUNDLE_CORRUPT', `${what} has ${bytes.length} bytes, not a multiple of 4`);
  const view = new DataView(bytes.buffer);
  const out = new Int32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

/** Float64Array -> base64 of its little-endian bytes. */
export function float64ToBase64(values: Float64Array): string {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  return bytesToBase64(bytes);
}

/** base64 of little-endian bytes -> Float64Array (BUNDLE_CORRUPT when the length is not a multiple of 8). */
export function base64ToFloat64(text: unknown, what: string): Float64Array {
  const bytes = base64ToBytes(text, what);
  if (bytes.length % 8 !== 0) throw new RecsysError('BUNDLE_CORRUPT', `${what} has ${bytes.length} bytes, not a multiple of 8`);
  const view = new DataView(bytes.buffer);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}
