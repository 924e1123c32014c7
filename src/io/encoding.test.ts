import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { isRecsysError } from '../errors.js';
import { base64ToBytes, base64ToFloat64, base64ToInt32, bytesToBase64, float64ToBase64, int32ToBase64 } from './encoding.js';

describe('base64 typed arrays', () => {
  it('encodes bytes exactly as Node does, and decodes them back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = bytesToBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(Array.from(base64ToBytes(text, 'x'))).toEqual(Array.from(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips Int32Array and Float64Array, little-endian', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })), fc.array(fc.double()), (ints, doubles) => {
        expect(Array.from(base64ToInt32(int32ToBase64(Int32Array.from(ints)), 'x'))).toEqual(ints);
        expect(Array.from(base64ToFloat64(float64ToBase64(Float64Array.from(doubles)), 'x'))).toEqual(Array.from(Float64Array.from(doubles)));
      }),
      { numRuns: 200 },
    );
    expect(int32ToBase64(Int32Array.of(1))).toBe('AQAAAA==');
  });

  it('reports anything that is not base64 of the right length as BUNDLE_CORRUPT, naming the field', () => {
    for (const bad of ['abc', 'ab!=', '====', 'AQAAAA=A', 42, null]) {
      let caught: unknown;
      try {
        base64ToInt32(bad, 'seen.items');
      } catch (e) {
        caught = e;
      }
      expect(isRecsysError(caught, 'BUNDLE_CORRUPT'), String(bad)).toBe(true);
      expect((caught as Error).message).toContain('seen.items');
    }
    expect(() => base64ToInt32('AQA=', 'offsets')).toThrow(/multiple of 4/);
  });
});
