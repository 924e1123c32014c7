import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { buildAliasTable, drawAlias } from './alias.js';
import { mulberry32 } from '../_lib/random.js';

describe('Vose alias table', () => {
  it('encodes exactly the normalised weights (zero weights never drawn)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.001, max: 100, noNaN: true })), { minLength: 1, maxLength: 40 }).filter((w) => w.some((x) => x > 0)),
        (w) => {
          const weights = Float64Array.from(w);
          const { probability, alias } = buildAliasTable(weights);
          const n = weights.length;
          const total = w.reduce((a, b) => a + b, 0);
          const implied = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            implied[i] += probability[i] / n;
            implied[alias[i]] += (1 - probability[i]) / n;
          }
          for (let i = 0; i < n; i++) {
            expect(implied[i]).toBeCloseTo(w[i] / total, 9);
            if (w[i] === 0) {
              expect(probability[i]).toBe(0);
              for (let j = 0; j < n; j++) if (probability[j] < 1) expect(alias[j]).not.toBe(i);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('draws with the encoded frequencies', () => {
    const weights = Float64Array.of(1, 2, 0, 7);
    const { probability, alias } = buildAliasTable(weights);
    const random = mulberry32(9);
    const counts = [0, 0, 0, 0];
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[drawAlias(probability, alias, random)]++;
    expect(counts[2]).toBe(0);
    expect(counts[0] / n).toBeCloseTo(0.1, 2);
    expect(counts[3] / n).toBeCloseTo(0.7, 2);
  });

  it('rejects weights without positive mass', () => {
    expect(() => buildAliasTable(Float64Array.of(0, 0))).toThrow(/positive finite sum/);
  });
});
