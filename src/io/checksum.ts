// CRC-32 (IEEE 802.3, the zlib/PNG polynomial) over the weight bytes of a bundle. Hand-written
// because it is twenty lines and a dependency for it would be heavier than the code; CRC-32 rather
// than a cryptographic hash because the threat is truncation and bit rot, not an adversary.

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * CRC-32 of some bytes, as 8 lowercase hex digits.
 *
 * @param bytes - the bytes to check (an ArrayBuffer or any view of one)
 * @returns the checksum, e.g. `'cbf43926'`
 * @example
 * ```ts
 * crc32(new TextEncoder().encode('123456789')); //=> 'cbf43926'
 * ```
 */
export function crc32(bytes: ArrayBuffer | ArrayBufferView): string {
  const view =
    bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const t = crcTable();
  let c = 0xffffffff;
  for (let i = 0; i < view.length; i++) c = t[(c ^ view[i]) & 0xff] ^ (c >>> 8);
  return ((c ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}
