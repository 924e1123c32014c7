// The sampler's private tables: which membership structure and which draw mode the build picks.
// (The public tests check behaviour only; the layout is the library's to change.)
import { describe, expect, it } from 'vitest';
import type { Interactions } from '../data/interactions.js';
import { buildTables, checkTables, type SamplerTables } from './sampler-state.js';
import { MODE_EXACT_POPULARITY, MODE_EXACT_UNIFORM, MODE_NONE, MODE_REJECT } from './sampler-draws.js';

function interactions(pairs: Array<[number, number]>, numUsers: number, numItems: number): Interactions {
  return { users: Int32Array.from(pairs, ([u]) => u), items: Int32Array.from(pairs, ([, i]) => i), numUsers, numItems };
}

describe('sampler tables', () => {
  it('uses a bitset while it fits in 16 MiB, else binary search in the rows', () => {
    expect(buildTables(interactions([[0, 1]], 10, 10), {}).bitset).not.toBeNull();
    // 16,384 users x 257 words x 32 bits > 2^27
    expect(buildTables(interactions([[0, 1]], 16_384, 8_193), {}).bitset).toBeNull();
  });

  it('draws uniform by rejection while at most half the items are blocked, else exactly', () => {
    const seen = (n: number): Array<[number, number]> => Array.from({ length: n }, (_, i) => [0, i]);
    expect(buildTables(interactions(seen(20), 1, 40), {}).mode[0]).toBe(MODE_REJECT);
    expect(buildTables(interactions(seen(21), 1, 40), {}).mode[0]).toBe(MODE_EXACT_UNIFORM);
    expect(buildTables(interactions(seen(40), 1, 40), {}).mode[0]).toBe(MODE_NONE);
  });

  it('draws popularity exactly when the blocked items hold most of the mass', () => {
    // item i is seen by i + 1 probe users; user 0 has seen the 18 most popular of 30
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < 30; i++) for (let u = 1; u <= i + 1; u++) pairs.push([u, i]);
    for (let j = 0; j < 18; j++) pairs.push([0, 29 - j]);
    expect(buildTables(interactions(pairs, 31, 30), { strategy: 'popularity', alpha: 1 }).mode[0]).toBe(MODE_EXACT_POPULARITY);
  });

  it('refuses tables of the wrong sizes', () => {
    const tables = buildTables(interactions([[0, 1]], 3, 6), {});
    expect(() => checkTables({ ...tables, mode: new Uint8Array(1) } as SamplerTables)).toThrow('state.mode must be a Uint8Array of length 3, got a Uint8Array of length 1');
  });
});
