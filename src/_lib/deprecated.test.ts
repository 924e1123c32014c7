import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { optionAlias } from './deprecated.js';
import { isRecsysError } from '../errors.js';

describe('optionAlias', () => {
  it('returns the value under whichever name is given, and which name that was', () => {
    expect(optionAlias({}, 'negatives', 'numNegatives')).toEqual({ value: undefined, given: 'negatives' });
    expect(optionAlias({ negatives: 3 }, 'negatives', 'numNegatives')).toEqual({ value: 3, given: 'negatives' });
    expect(optionAlias({ numNegatives: 5 }, 'negatives', 'numNegatives')).toEqual({ value: 5, given: 'numNegatives' });
  });

  it('accepts both names exactly when they agree', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 5 }), (a, b) => {
        let thrown: unknown = null;
        let result: unknown = null;
        try {
          result = optionAlias({ negatives: a, numNegatives: b }, 'negatives', 'numNegatives');
        } catch (e) {
          thrown = e;
        }
        if (a === b) expect(result).toEqual({ value: a, given: 'negatives' });
        else {
          expect(isRecsysError(thrown, 'INVALID_ARGUMENT')).toBe(true);
          expect((thrown as Error).message).toBe(`negatives = ${a} and numNegatives = ${b} disagree: numNegatives is the deprecated name of negatives, give only negatives`);
        }
      }),
    );
  });
});
