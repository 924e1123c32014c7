import { describe, it, expect } from 'vitest';
import { itemPopularity } from './popularity.js';

describe('itemPopularity', () => {
  const data = { users: Int32Array.of(0, 1, 1, 2), items: Int32Array.of(2, 2, 0, 2), weights: Float32Array.of(1, 4, 2, 0.5), numUsers: 3, numItems: 4 };

  it('counts interactions per item, zero for unseen items', () => {
    expect(Array.from(itemPopularity(data))).toEqual([1, 0, 3, 0]);
  });

  it('sums weights when asked', () => {
    expect(Array.from(itemPopularity(data, { weighted: true }))).toEqual([2, 0, 5.5, 0]);
  });

  it('validates its input', () => {
    expect(() => itemPopularity({ ...data, items: Int32Array.of(2, 2, 0, 9) })).toThrow(/ITEM|outside|not an item index/);
  });
});
