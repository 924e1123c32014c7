// What the train and evaluate commands share about held-out rows: every user with a held-out item
// must have enough unseen items for the sampled protocol's negatives; and the delimiter flag.
import { RecsysError } from '../errors.js';
import { seenItems, type IdMap, type Interactions } from '../data/index.js';
import { itemsSeenBy } from '../data/seen-items.js';

/**
 * The fewest unseen items any user with a held-out item has in `all`: the most negatives that can be
 * sampled for every one of them.
 *
 * @param all - every known interaction (seen and held out)
 * @param heldOut - the held-out interactions
 * @returns the user with the fewest unseen items and that number; undefined when nothing is held out
 * @example
 * ```ts
 * const all = { users: Int32Array.of(0, 0, 1), items: Int32Array.of(0, 1, 0), numUsers: 2, numItems: 3 };
 * fewestUnseen(all, { ...all, users: Int32Array.of(0), items: Int32Array.of(1) }); //=> { user: 0, unseen: 1 }
 * ```
 */
export function fewestUnseen(all: Interactions, heldOut: Interactions): { user: number; unseen: number } | undefined {
  const seen = seenItems(all);
  let worst: { user: number; unseen: number } | undefined;
  for (const user of new Set(heldOut.users)) {
    const unseen = all.numItems - itemsSeenBy(seen, user).length;
    if (worst === undefined || unseen < worst.unseen) worst = { user, unseen };
  }
  return worst;
}

/**
 * Throws when some user with a held-out item has fewer unseen items than `--eval-negatives`, naming
 * the user (by id) and the largest value that works.
 *
 * @param all - every known interaction (seen and held out)
 * @param heldOut - the held-out interactions
 * @param evalNegatives - the sampled negatives asked per held-out item
 * @param users - the id map the user is named from
 * @param context - said after "has not seen" (e.g. " for test")
 * @example
 * ```ts
 * assertEnoughUnseen(all, test, 99, users, ' for test'); // throws INVALID_ARGUMENT when a user has seen too much
 * ```
 */
export function assertEnoughUnseen(all: Interactions, heldOut: Interactions, evalNegatives: number, users: IdMap, context = ''): void {
  const worst = fewestUnseen(all, heldOut);
  if (worst !== undefined && worst.unseen < evalNegatives) {
    throw new RecsysError(
      'INVALID_ARGUMENT',
      `--eval-negatives ${evalNegatives} is more than the ${worst.unseen} items user ${JSON.stringify(users.id(worst.user))} has not seen${context}: ` +
        `pass --eval-negatives ${worst.unseen} or fewer`,
    );
  }
}

/**
 * The `delimiter` option of readCsv from the `--delimiter` flag (`\\t` typed on a shell means a tab).
 *
 * @param flag - the flag's value, if given
 * @returns `{ delimiter }` or `{}`
 * @example
 * ```ts
 * delimiterOption('\\t'); //=> { delimiter: '\t' }
 * ```
 */
export function delimiterOption(flag: string | undefined): { delimiter?: string } {
  if (flag === undefined) return {};
  return { delimiter: flag === '\\t' ? '\t' : flag };
}
