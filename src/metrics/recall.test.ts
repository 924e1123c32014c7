import { describe, it, expect } from 'vitest';
import { recall } from './recall.js';

describe('recall', () => {
  it('is the share of relevant items found in the top K (hand example)', () => {
    expect(recall([1, 3, 12], 4, 5)).toBe(0.5);
    expect(recall([1, 3, 12], 3, 20)).toBe(1);
    expect(recall([], 3, 20)).toBe(0);
  });

  it('rejects more ranks than relevant items', () => {
    expect(() => recall([1, 2], 1, 5)).toThrow(/lists 2 ranks but numRelevant is 1/);
  });
});
