// One point of a curve: test HR/NDCG@10 with pessimistic and optimistic ties, and validation.
import type * as tf from '@tensorflow/tfjs';
import { evaluateSampled } from '../../src/evaluation/index.js';
import { createScorer, type Scorer } from '../../src/scoring/index.js';
import { scorePairs } from '../../src/scoring/scorer-create.js';
import type { Prepared } from './data.js';
import { round } from './record.js';
import type { EpochPoint } from './types.js';

/**
 * A Scorer that records the scorePairs results of a first pass and, after rewind(), returns them
 * in the same order (checking each call asks for the same pairs) instead of scoring again.
 */
export function replayingScorer(inner: Scorer): Scorer & { rewind(): void } {
  const recorded: { users: Int32Array; items: Int32Array; scores: Float32Array }[] = [];
  let replaying = false;
  let next = 0;
  const same = (a: Int32Array, b: Int32Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
  return {
    numUsers: inner.numUsers,
    numItems: inner.numItems,
    scoreItems: (user, items, out) => inner.scoreItems(user, items, out),
    scoreAllItems: (users, out) => inner.scoreAllItems(users, out),
    scorePairs(users, items, out) {
      if (replaying) {
        const r = recorded[next++];
        if (!r || !same(r.users, users) || !same(r.items, items)) throw new Error('replayingScorer: the second pass asked for other pairs');
        const dst = out ?? new Float32Array(items.length);
        dst.set(r.scores.subarray(0, items.length));
        return dst;
      }
      const scores = scorePairs(inner, users, items, out ?? new Float32Array(items.length));
      recorded.push({ users: users.slice(), items: items.slice(), scores: scores.slice(0, items.length) });
      return scores;
    },
    rewind() {
      replaying = true;
      next = 0;
    },
    dispose: () => inner.dispose(),
  };
}

export function evaluatePoint(model: tf.LayersModel, p: Prepared, valNegatives: Int32Array[] | null): Omit<EpochPoint, 'epoch'> {
  const t0 = performance.now();
  const scorer = createScorer(model);
  try {
    // The optimistic pass ranks the same pairs again: it replays the pessimistic pass's scores.
    const replay = replayingScorer(scorer);
    const pess = evaluateSampled(replay, p.test, { k: 10, ties: 'pessimistic' });
    replay.rewind();
    const opt = evaluateSampled(replay, p.test, { k: 10, ties: 'optimistic' });
    const val = valNegatives ? evaluateSampled(scorer, { users: p.valUsers, items: p.valItems, negatives: valNegatives }, { k: 10 }) : null;
    return {
      test: { hr: round(pess.hr, 5), ndcg: round(pess.ndcg, 5) },
      testOptimistic: { hr: round(opt.hr, 5), ndcg: round(opt.ndcg, 5) },
      ...(val ? { val: { hr: round(val.hr, 5), ndcg: round(val.ndcg, 5) } } : {}),
      evalSeconds: round((performance.now() - t0) / 1000, 2),
    };
  } finally {
    scorer.dispose();
  }
}
