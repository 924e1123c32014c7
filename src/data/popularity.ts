// Item popularity: the baseline every recommender must beat, and the prior for unknown users.
import { validateInteractions, type Interactions } from './interactions.js';

/** Options of {@link itemPopularity}. @category Data */
export interface PopularityOptions {
  /** Sum the interactions' `weights` instead of counting them (when the data has weights). Default false. */
  weighted?: boolean;
}

/**
 * How often each item occurs in the data (or the sum of its weights).
 *
 * @param data - the interactions (validated)
 * @param options - `{ weighted }`
 * @returns a Float64Array of length numItems
 * @example
 * ```ts
 * itemPopularity({ users: Int32Array.of(0, 1, 1), items: Int32Array.of(2, 2, 0), numUsers: 2, numItems: 3 });
 * //=> Float64Array [1, 0, 2]
 * ```
 */
export function itemPopularity(data: Interactions, options: PopularityOptions = {}): Float64Array {
  validateInteractions(data);
  const counts = new Float64Array(data.numItems);
  const weights = options.weighted === true ? data.weights : undefined;
  if (weights === undefined) for (let k = 0; k < data.items.length; k++) counts[data.items[k]]++;
  else for (let k = 0; k < data.items.length; k++) counts[data.items[k]] += weights[k];
  return counts;
}
