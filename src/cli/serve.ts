// `neural-recsys recommend <bundle> <user...>` and `neural-recsys similar <bundle> <item...>`: load a
// saved bundle and print the top-k items for users, or the nearest items to items, as a table or
// as JSON (--json).
import { parseArgs } from 'node:util';
import { loadModel } from '../io/index.js';
import type { Recommender } from '../serving/index.js';
import { expectPositionals, intOption } from './args.js';
import { table } from './format.js';
import { bundleUrl, typedId, useCpuBackend } from './runtime.js';

/** Usage of `recommend`. */
export const RECOMMEND_USAGE = `Usage: neural-recsys recommend <bundle> <user...> [options]

Prints the top-k items for each user (by the ids of the training CSV). Items the user has seen are
left out; a user the bundle does not know gets the most popular items (source "popularity").

Options:
  --k <n>                  items per user (default: 10)
  --include-seen           also rank items the user has seen
  --json                   print JSON: [{ "user": ..., "items": [{ "id", "score", "source" }] }]
  -h, --help               show this help`;

/** Usage of `similar`. */
export const SIMILAR_USAGE = `Usage: neural-recsys similar <bundle> <item...> [options]

Prints the items nearest to each item (cosine similarity of the model's item embeddings).

Options:
  --k <n>                  neighbours per item (default: 10; fewer than the number of items)
  --json                   print JSON: [{ "item": ..., "similar": [{ "id", "score" }] }]
  -h, --help               show this help`;

const COMMON = {
  k: { type: 'string', default: '10' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/**
 * Loads a bundle saved by `train` (or by `saveModel`) as a Recommender.
 *
 * @param path - the bundle's directory (or a bundle URL)
 * @returns the recommender
 * @example
 * ```ts
 * const rec = await openBundle('./bundle');
 * ```
 */
export async function openBundle(path: string): Promise<Recommender> {
  await useCpuBackend();
  return loadModel(bundleUrl(path));
}

/**
 * Runs `neural-recsys recommend`.
 *
 * @param argv - the arguments after `recommend`
 * @returns the exit code (0)
 * @example
 * ```ts
 * await recommendCommand(['./bundle', 'alice', '--k', '5']); //=> 0
 * ```
 */
export async function recommendCommand(argv: string[]): Promise<number> {
  const { values: flags, positionals } = parseArgs({
    args: argv,
    options: { ...COMMON, 'include-seen': { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (flags.help) {
    process.stdout.write(`${RECOMMEND_USAGE}\n`);
    return 0;
  }
  expectPositionals('recommend', positionals, ['<bundle>', '<user...>']);
  const k = intOption('--k', flags.k) ?? 10;
  const rec = await openBundle(positionals[0]);
  try {
    const results = positionals.slice(1).map((user) => ({
      user,
      items: rec.recommend(typedId(user, rec.users), { k, excludeSeen: !flags['include-seen'] }),
    }));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    } else {
      const rows = results.flatMap(({ user, items }) => items.map((item, rank) => [user, rank + 1, String(item.id), item.score, item.source]));
      process.stdout.write(`${table(['user', 'rank', 'item', 'score', 'source'], rows)}\n`);
    }
  } finally {
    rec.dispose();
  }
  return 0;
}

/**
 * Runs `neural-recsys similar`.
 *
 * @param argv - the arguments after `similar`
 * @returns the exit code (0)
 * @example
 * ```ts
 * await similarCommand(['./bundle', 'sku-1', '--json']); //=> 0
 * ```
 */
export async function similarCommand(argv: string[]): Promise<number> {
  const { values: flags, positionals } = parseArgs({ args: argv, options: COMMON, allowPositionals: true, strict: true });
  if (flags.help) {
    process.stdout.write(`${SIMILAR_USAGE}\n`);
    return 0;
  }
  expectPositionals('similar', positionals, ['<bundle>', '<item...>']);
  const k = intOption('--k', flags.k) ?? 10;
  const rec = await openBundle(positionals[0]);
  try {
    const results = positionals.slice(1).map((item) => ({ item, similar: rec.similar(typedId(item, rec.items), { k }) }));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    } else {
      const rows = results.flatMap(({ item, similar }) => similar.map((s, rank) => [item, rank + 1, String(s.id), s.score]));
      process.stdout.write(`${table(['item', 'rank', 'similar', 'score'], rows)}\n`);
    }
  } finally {
    rec.dispose();
  }
  return 0;
}
