// The Recommender part of a bundle (format 2) in one compact binary file, `recommender.bin`: the
// user and item id maps, the items each user has seen and the item popularity. Format 1 kept them
// in the JSON manifest (ids as JSON arrays, the rest as base64 of int32/float64), which for 2,000
// users x 500 items is about 300 KB of JSON parsed on every load; this layout is a quarter of that
// and decodes without a JSON parser. The file's size and CRC-32 are recorded in the manifest, like
// the weights'.
//
// Layout (little-endian; "varint" = unsigned LEB128 of an integer below 2^53):
//   magic      4 bytes 'NRR1'
//   users      an id map (below)
//   items      an id map
//   seen       varint numUsers; numUsers varints (items seen per user); then per user its items,
//              ascending and distinct: the first as it is, each next one as (item - previous - 1)
//   popularity u8 mode; numItems values: mode 0 varints (whole counts), mode 1 float64
// An id map:
//   u8 kind (0 none, 1 user, 2 item); varint count; u8 mode:
//     0  every id a string
//     1  every id an integer in -2^31..2^31-1: zigzag varints
//     2  mixed: count bytes of tags (0 string, 1 number), then a float64 per number id
//   then, for the string ids in order: a varint byte length each, followed by their UTF-8 bytes.
import { RecsysError } from '../errors.js';
import { IdMap } from '../data/index.js';
import type { IdMapJSON } from '../data/id-map.js';

/** The decoded Recommender part (id maps still as JSON, checked when the IdMaps are built). */
export interface RecommenderPart {
  readonly users: IdMapJSON;
  readonly items: IdMapJSON;
  readonly seen: { readonly offsets: Int32Array; readonly items: Int32Array };
  readonly popularity: Float64Array;
}

const MAGIC = [0x4e, 0x52, 0x52, 0x31]; // 'NRR1'
const KINDS = [undefined, 'user', 'item'] as const;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

/** A growable byte buffer. */
class Writer {
  private bytes = new Uint8Array(1 << 12);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(v: number): void {
    this.reserve(1);
    this.bytes[this.length++] = v;
  }

  varint(v: number): void {
    this.reserve(8);
    while (v >= 0x80) {
      this.bytes[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.length++] = v;
  }

  float64(v: number): void {
    this.reserve(8);
    new DataView(this.bytes.buffer).setFloat64(this.length, v, true);
    this.length += 8;
  }

  raw(b: Uint8Array): void {
    this.reserve(b.length);
    this.bytes.set(b, this.length);
    this.length += b.length;
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

class Reader {
  pos = 0;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    private readonly where: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  corrupt(what: string): RecsysError {
    return new RecsysError('BUNDLE_CORRUPT', `${this.where}: ${what} (at byte ${this.pos} of ${this.bytes.length})`, { where: this.where, offset: this.pos });
  }

  need(n: number, what: string): void {
    if (this.pos + n > this.bytes.length) throw this.corrupt(`the file ends inside ${what}`);
  }

  byte(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }

  varint(what: string): number {
    const { bytes } = this;
    let v = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= bytes.length) throw this.corrupt(`the file ends inside ${what}`);
      const b = bytes[this.pos++];
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
      if (scale > 2 ** 53) throw this.corrupt(`${what} is not a valid number`);
    }
  }

  /** A count that must fit what is left of the file at `bytesEach` bytes per entry at least. */
  count(what: string, bytesEach: number): number {
    const n = this.varint(what);
    if (n * bytesEach > this.bytes.length - this.pos) throw this.corrupt(`${what} = ${n} is more than the rest of the file can hold`);
    return n;
  }

  float64(what: string): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
}

function isInt32(id: string | number): id is number {
  return typeof id === 'number' && Number.isInteger(id) && id >= INT32_MIN && id <= INT32_MAX;
}

const encoder = new TextEncoder();

function writeIdMap(w: Writer, map: IdMap): void {
  const ids = map.ids();
  w.byte(KINDS.indexOf(map.kind));
  w.varint(ids.length);
  const mode = ids.every((id) => typeof id === 'string') ? 0 : ids.every(isInt32) ? 1 : 2;
  w.byte(mode);
  if (mode === 1) {
    for (const id of ids as number[]) w.varint(id >= 0 ? id * 2 : -id * 2 - 1);
    return;
  }
  if (mode === 2) {
    for (const id of ids) w.byte(typeof id === 'string' ? 0 : 1);
    for (const id of ids) if (typeof id === 'number') w.float64(id);
  }
  const strings = ids.filter((id): id is string => typeof id === 'string').map((id) => encoder.encode(id));
  for (const s of strings) w.varint(s.length);
  for (const s of strings) w.raw(s);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes `lengths.length` consecutive UTF-8 strings; ASCII (the usual case) in one pass. */
function readStrings(r: Reader, lengths: number[], what: string): string[] {
  const total = lengths.reduce((a, b) => a + b, 0);
  r.need(total, `the ${what}`);
  const blob = r.bytes.subarray(r.pos, r.pos + total);
  r.pos += total;
  const out = new Array<string>(lengths.length);
  let ascii = true;
  for (let i = 0; i < blob.length; i++) {
    if (blob[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    // one string for all, then slices: byte offsets are character offsets in ASCII
    let text = '';
    for (let i = 0; i < blob.length; i += 8192) text += String.fromCharCode.apply(null, blob.subarray(i, i + 8192) as unknown as number[]);
    for (let i = 0, at = 0; i < lengths.length; at += lengths[i++]) out[i] = text.slice(at, at + lengths[i]);
    return out;
  }
  for (let i = 0, at = 0; i < lengths.length; at += lengths[i++]) {
    try {
      out[i] = utf8.decode(blob.subarray(at, at + lengths[i]));
    } catch {
      throw r.corrupt(`${what} ${i} is not valid UTF-8`);
    }
  }
  return out;
}

function readIdMap(r: Reader, what: 'user' | 'item'): IdMapJSON {
  const kindCode = r.byte(`the ${what} id map`);
  if (kindCode >= KINDS.length) throw r.corrupt(`the ${what} id map's kind ${kindCode} is not 0, 1 or 2`);
  const count = r.count(`the number of ${what} ids`, 1);
  const mode = r.byte(`the ${what} id map`);
  const ids = new Array<string | number>(count);
  // labels for messages, built once (not per id: these loops run over every user)
  const idLabel = `the ${what} ids`;
  const lengthLabel = `the lengths of the ${what} ids`;
  if (mode === 1) {
    for (let i = 0; i < count; i++) {
      const z = r.varint(idLabel);
      ids[i] = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    }
  } else if (mode === 0 || mode === 2) {
    const isString = new Uint8Array(count).fill(1);
    if (mode === 2) {
      r.need(count, `the ${what} id tags`);
      for (let i = 0; i < count; i++) {
        const tag = r.bytes[r.pos++];
        if (tag > 1) throw r.corrupt(`${what} id ${i} has tag ${tag}, not 0 (string) or 1 (number)`);
        isString[i] = tag === 0 ? 1 : 0;
      }
      for (let i = 0; i < count; i++) if (!isString[i]) ids[i] = r.float64(idLabel);
    }
    const lengths: number[] = [];
    for (let i = 0; i < count; i++) if (isString[i]) lengths.push(r.varint(lengthLabel));
    const strings = readStrings(r, lengths, `${what} id`);
    for (let i = 0, s = 0; i < count; i++) if (isString[i]) ids[i] = strings[s++];
  } else {
    throw r.corrupt(`the ${what} id map's id mode ${mode} is not 0, 1 or 2`);
  }
  const kind = KINDS[kindCode];
  return kind === undefined ? { ids } : { ids, kind };
}

/**
 * Encodes a Recommender's id maps, seen items and popularity (see the file header for the layout).
 *
 * @param part - the id maps, the seen items (CSR, each user's items ascending and distinct) and the popularity
 * @returns the bytes of recommender.bin
 */
export function encodeRecommenderPart(part: {
  users: IdMap;
  items: IdMap;
  seen: { offsets: Int32Array; items: Int32Array };
  popularity: Float64Array;
}): Uint8Array {
  const w = new Writer();
  for (const b of MAGIC) w.byte(b);
  writeIdMap(w, part.users);
  writeIdMap(w, part.items);
  const { offsets, items } = part.seen;
  const numUsers = offsets.length - 1;
  w.varint(numUsers);
  for (let u = 0; u < numUsers; u++) w.varint(offsets[u + 1] - offsets[u]);
  for (let u = 0; u < numUsers; u++) {
    let previous = -1;
    for (let j = offsets[u]; j < offsets[u + 1]; j++) {
      w.varint(items[j] - previous - 1);
      previous = items[j];
    }
  }
  const counts = part.popularity.every((v) => Number.isSafeInteger(v) && v >= 0);
  w.byte(counts ? 0 : 1);
  for (const v of part.popularity) {
    if (counts) w.varint(v);
    else w.float64(v);
  }
  return w.finish();
}

/**
 * Decodes recommender.bin. Throws BUNDLE_CORRUPT (naming `where` and the byte offset) for anything
 * that does not follow the layout; the Recommender checks the values themselves when it is built.
 *
 * @param bytes - the file's bytes
 * @param where - the file's location, for messages
 * @returns the id maps (as JSON), the seen items and the popularity
 */
export function decodeRecommenderPart(bytes: Uint8Array, where: string): RecommenderPart {
  const r = new Reader(bytes, where);
  for (let i = 0; i < MAGIC.length; i++) {
    if (r.byte('the magic number') !== MAGIC[i]) throw r.corrupt("the file does not start with 'NRR1', so it is not a recommender.bin of this version");
  }
  const users = readIdMap(r, 'user');
  const items = readIdMap(r, 'item');
  const numUsers = r.count('the number of users with seen items', 1);
  if (numUsers !== users.ids.length) throw r.corrupt(`the seen items cover ${numUsers} users but the user id map holds ${users.ids.length}`);
  const offsets = new Int32Array(numUsers + 1);
  for (let u = 0; u < numUsers; u++) {
    const n = r.varint('the seen counts');
    if (offsets[u] + n > bytes.length) throw r.corrupt(`user ${u}'s ${n} seen items are more than the file can hold`);
    offsets[u + 1] = offsets[u] + n;
  }
  const seen = new Int32Array(offsets[numUsers]);
  for (let u = 0; u < numUsers; u++) {
    let previous = -1;
    for (let j = offsets[u]; j < offsets[u + 1]; j++) {
      const item = previous + 1 + r.varint('the seen items');
      if (item > INT32_MAX) throw r.corrupt(`a seen item of user ${u} is ${item}, beyond any item index`);
      seen[j] = item;
      previous = item;
    }
  }
  const mode = r.byte('the popularity');
  if (mode > 1) throw r.corrupt(`the popularity mode ${mode} is not 0 or 1`);
  const popularity = new Float64Array(items.ids.length);
  for (let i = 0; i < popularity.length; i++) popularity[i] = mode === 0 ? r.varint('the popularity') : r.float64('the popularity');
  if (r.pos !== bytes.length) throw r.corrupt(`${bytes.length - r.pos} bytes follow the popularity, where the file should end`);
  return { users, items, seen: { offsets, items: seen }, popularity };
}

/** The id maps of a decoded part, built and checked; BUNDLE_CORRUPT naming `where` when they are damaged. */
export function idMapsOf(part: RecommenderPart, where: string): { users: IdMap; items: IdMap } {
  try {
    return { users: IdMap.fromJSON(part.users), items: IdMap.fromJSON(part.items) };
  } catch (e) {
    throw new RecsysError('BUNDLE_CORRUPT', `${where}: the id maps are damaged (${(e as Error).message})`, { where });
  }
}
