import { describe, expect, it, vi } from 'vitest';
import { tableScorer } from '../../test/helpers/table-scorer.js';
import { randomNcf } from '../../test/helpers/random-ncf.js';
import { liveScoreWorkers, ScoreWorkers, scoreWorkersUnavailable, workerWeights } from './score-pool.js';
import { createScorer } from './scorer-create.js';
import { ChunkRanker } from './rank-chunk.js';
import type { NcfWeights } from './scorer-fast.js';

describe('score workers', () => {
  it('only the fast scorer can go to a worker; others get a reason', () => {
    expect(workerWeights(tableScorer([[1, 2]]))).toMatch(/only the fast scorer/);
    const scorer = createScorer(randomNcf({ kind: 'neumf', numUsers: 4, numItems: 6, factors: 2, layers: [4, 2], seed: 1 }));
    expect(typeof workerWeights(scorer)).toBe('object');
    scorer.dispose();
    expect(scoreWorkersUnavailable()).toBeUndefined(); // Node has worker_threads
  });

  it('a worker that cannot build its scorer fails the start with its message, and none is left running', async () => {
    const broken = { architecture: { kind: 'neumf' }, tower: [] } as unknown as NcfWeights;
    await expect(ScoreWorkers.start(2, { type: 'init', weights: broken, k: 1, candidates: undefined })).rejects.toThrow();
    await vi.waitFor(() => expect(liveScoreWorkers()).toBe(0), { timeout: 5000 });
  });

  it('ranks chunks as the calling thread does, and rejects pending chunks once stopped', async () => {
    const scorer = createScorer(randomNcf({ kind: 'mlp', numUsers: 9, numItems: 7, factors: 2, layers: [8, 4], seed: 2 }));
    const weights = workerWeights(scorer) as NcfWeights;
    const workers = await ScoreWorkers.start(2, { type: 'init', weights, k: 3, candidates: undefined });
    const users = Int32Array.of(8, 0, 4);
    const local = new ChunkRanker(scorer, 3, undefined).rank(users, undefined);
    expect(await workers.rank(0, users, undefined)).toEqual(local);
    const pending = workers.rank(1, users, undefined).catch((e: unknown) => e);
    await workers.terminate();
    expect(String(await pending)).toMatch(/stopped/);
    await vi.waitFor(() => expect(liveScoreWorkers()).toBe(0), { timeout: 5000 });
    scorer.dispose();
  });
});
