// Test-only: a Scorer over a fixed score table, recording which (user, item) pairs were asked.
import type { Scorer } from '../../src/scoring/scorer.js';

/**
 * A Scorer whose score for (user, item) is `table[user][item]`. `asked` lists every pair scored
 * through scoreItems/scorePairs; `pairs: false` leaves out the optional scorePairs method.
 */
export function tableScorer(table: number[][], { pairs = true } = {}): Scorer & { asked: Array<[number, number]> } {
  const numItems = table[0].length;
  const asked: Array<[number, number]> = [];
  const scorer: Scorer & { asked: Array<[number, number]> } = {
    numUsers: table.length,
    numItems,
    asked,
    scoreItems(user, items, out = new Float32Array(items.length)) {
      items.forEach((item, t) => {
        asked.push([user, item]);
        out[t] = table[user][item];
      });
      return out;
    },
    scoreAllItems(users, out = new Float32Array(users.length * numItems)) {
      users.forEach((user, r) => out.set(table[user], r * numItems));
      return out;
    },
    dispose() {},
  };
  if (pairs) {
    scorer.scorePairs = (users, items, out = new Float32Array(items.length)) => {
      items.forEach((item, t) => {
        asked.push([users[t], item]);
        out[t] = table[users[t]][item];
      });
      return out;
    };
  }
  return scorer;
}
