import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { crc32 } from './checksum.js';

describe('crc32', () => {
  it('matches the published check values', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe('cbf43926');
    expect(crc32(new Uint8Array(0))).toBe('00000000');
    expect(crc32(new TextEncoder().encode('The quick brown fox jumps over the lazy dog'))).toBe('414fa339');
  });

  it('reads exactly the bytes of a view, wherever it sits in its buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(8), fc.nat(8), (bytes, before, after) => {
        const big = new Uint8Array(before + bytes.length + after).fill(0xab);
        big.set(bytes, before);
        expect(crc32(big.subarray(before, before + bytes.length))).toBe(crc32(bytes));
        expect(crc32(bytes.slice().buffer)).toBe(crc32(bytes));
      }),
      { numRuns: 200 },
    );
  });

  it('changes when any single bit flips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.nat(), fc.nat(7), (bytes, at, bit) => {
        const flipped = bytes.slice();
        flipped[at % bytes.length] ^= 1 << bit;
        expect(crc32(flipped)).not.toBe(crc32(bytes));
      }),
      { numRuns: 200 },
    );
  });
});
