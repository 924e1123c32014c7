// Small helpers shared by the Node examples (not an example itself).
//
// popularityScorer is the baseline every recommender must beat: it scores an item by how often it
// occurs in the training data, the same for every user. It implements the library's Scorer
// interface, so evaluateSampled / evaluateFull / recommend rank it exactly as they rank a model.
import type { Scorer } from 'neural-recsys';

/**
 * A Scorer that ranks items by popularity, the same for every user. Ties in the counts are broken
 * by item index (as a "most popular" list would be), so the pessimistic tie policy of the
 * evaluators does not unfairly penalise the baseline: every item gets a distinct score.
 *
 * @param counts - interactions per item (e.g. `itemPopularity(train)`)
 * @param numUsers - number of users the scorer answers for
 * @returns a Scorer over `counts.length` items
 */
export function popularityScorer(counts: ArrayLike<number>, numUsers: number): Scorer {
  const numItems = counts.length;
  // position in the "most popular" list: count descending, then index ascending
  const order = Array.from({ length: numItems }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  const score = new Float32Array(numItems);
  order.forEach((item, position) => (score[item] = numItems - position));
  return {
    numUsers,
    numItems,
    scoreItems(_user, items, out = new Float32Array(items.length)) {
      for (let j = 0; j < items.length; j++) out[j] = score[items[j]];
      return out;
    },
    scoreAllItems(users, out = new Float32Array(users.length * numItems)) {
      for (let r = 0; r < users.length; r++) out.set(score, r * numItems);
      return out;
    },
    dispose() {},
  };
}

/** Formats a number of seconds as "1.2 s" or "3 min 04 s". */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(Math.round(seconds - minutes * 60)).padStart(2, '0')} s`;
}

/** A fixed-width metrics table: one row per model, one column per metric. */
export function metricsTable(rows: { name: string; values: Record<string, number> }[]): string {
  const columns = Object.keys(rows[0]?.values ?? {});
  const nameWidth = Math.max(...rows.map((r) => r.name.length), 5);
  const header = ['model'.padEnd(nameWidth), ...columns.map((c) => c.padStart(9))].join('  ');
  const lines = rows.map((r) => [r.name.padEnd(nameWidth), ...columns.map((c) => r.values[c].toFixed(4).padStart(9))].join('  '));
  return [header, ...lines].join('\n');
}
