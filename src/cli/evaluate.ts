// `neural-recsys evaluate <bundle> <test.csv>`: rank held-out interactions of a CSV with a saved
// bundle, against popularity, under the full-ranking and the sampled protocol. Rows whose user or
// item the bundle does not know cannot be scored: they are counted and reported, never hidden.
import { parseArgs } from 'node:util';
import { RecsysError } from '../errors.js';
import { readCsv, type IdMap, type Interactions } from '../data/index.js';
import { evaluateFull, evaluateSampled } from '../evaluation/index.js';
import { DEFAULT_RANKED_NEGATIVES } from '../evaluation/sampled.js';
import { expectPositionals, intOption } from './args.js';
import { table } from './format.js';
import { fitPopularity } from '../baselines/index.js';
import { openBundle } from './serve.js';
import { assertEnoughUnseen, delimiterOption } from './held-out.js';
import type { Recommender } from '../serving/index.js';

/** Usage of `evaluate`. */
export const EVALUATE_USAGE = `Usage: neural-recsys evaluate <bundle> <test.csv> [options]

Ranks each held-out interaction of <test.csv> with the bundle's model and with popularity:
full ranking (every item, the user's seen items removed) and sampled (against --eval-negatives
unseen items). Rows whose user or item the bundle does not know are skipped and counted.

Options:
  --user <name>            column of the user id (default: user)
  --item <name>            column of the item id (default: item)
  --delimiter <char>       field delimiter (default: detected)
  --k <n>                  cut-off of HR@K / NDCG@K / MRR@K (default: 10)
  --eval-negatives <n>     sampled negatives per test item (default: 99)
  --seed <n>               seed of the sampled negatives (default: 42)
  --json                   print the metrics as JSON
  -h, --help               show this help`;

/** The seen items of a bundle (CSR) as interactions over the same indices. */
function seenInteractions(seen: { offsets: Int32Array; items: Int32Array }, numUsers: number, numItems: number): Interactions {
  const users = new Int32Array(seen.items.length);
  for (let u = 0; u < numUsers; u++) users.fill(u, seen.offsets[u], seen.offsets[u + 1]);
  return { users, items: seen.items, numUsers, numItems };
}

interface EvaluateFlags {
  readonly user: string;
  readonly item: string;
  readonly delimiter?: string;
  readonly json: boolean;
}

interface ProtocolResult {
  readonly title: string;
  readonly model: { description: string; hr: number; ndcg: number; mrr: number };
  readonly popularity: { hr: number; ndcg: number; mrr: number };
}

function parseEvaluateArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      user: { type: 'string', default: 'user' },
      item: { type: 'string', default: 'item' },
      delimiter: { type: 'string' },
      k: { type: 'string', default: '10' },
      'eval-negatives': { type: 'string', default: String(DEFAULT_RANKED_NEGATIVES) },
      seed: { type: 'string', default: '42' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
}

/** Reads the test CSV with the bundle's id maps (typed like them); unknown ids are skipped and counted. */
async function readTest(rec: Recommender<never, never>, csv: string, flags: EvaluateFlags) {
  const numeric = (map: IdMap): boolean => map.size > 0 && typeof map.id(0) === 'number';
  if (numeric(rec.users) !== numeric(rec.items)) {
    throw new RecsysError('UNSUPPORTED_MODEL', 'this bundle has number ids for one of users and items and strings for the other; evaluate reads both with one id type');
  }
  const read = await readCsv(csv, {
    user: flags.user,
    item: flags.item,
    idType: numeric(rec.users) ? 'number' : 'string',
    users: rec.users as IdMap<never>,
    items: rec.items as IdMap<never>,
    unknownIds: 'skip',
    ...delimiterOption(flags.delimiter),
  });
  if (read.data.users.length === 0) {
    throw new RecsysError('EMPTY_INPUT', `no row of ${csv} has a user and an item the bundle knows (${read.skipped} rows skipped)`);
  }
  return read;
}

function printResults(csv: string, read: { data: Interactions; skipped: number; duplicates: number }, results: ProtocolResult[], k: number, json: boolean): void {
  const columns = [`HR@${k}`, `NDCG@${k}`, `MRR@${k}`];
  const test = read.data;
  if (json) {
    const named = (m: { hr: number; ndcg: number; mrr: number }) => ({ [columns[0]]: m.hr, [columns[1]]: m.ndcg, [columns[2]]: m.mrr });
    const out = {
      test: { file: csv, rows: test.users.length, skipped: read.skipped, duplicates: read.duplicates },
      metrics: results.map((r) => ({ protocol: r.title, description: r.model.description, model: named(r.model), popularity: named(r.popularity) })),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `test: ${csv}: ${test.users.length.toLocaleString('en')} interactions` +
      (read.skipped > 0 ? `; ${read.skipped.toLocaleString('en')} rows skipped (user or item unknown to the bundle)` : '') +
      '\n',
  );
  for (const r of results) {
    process.stdout.write(`\n${r.model.description}\n`);
    const row = (name: string, m: { hr: number; ndcg: number; mrr: number }): (string | number)[] => [name, m.hr, m.ndcg, m.mrr];
    process.stdout.write(`${table(['model', ...columns], [row('model', r.model), row('popularity', r.popularity)])}\n`);
  }
}

/**
 * Runs `neural-recsys evaluate`.
 *
 * @param argv - the arguments after `evaluate`
 * @returns the exit code (0)
 * @example
 * ```ts
 * await evaluateCommand(['./bundle', 'test.csv', '--json']); //=> 0
 * ```
 */
export async function evaluateCommand(argv: string[]): Promise<number> {
  const { values: flags, positionals } = parseEvaluateArgs(argv);
  if (flags.help) {
    process.stdout.write(`${EVALUATE_USAGE}\n`);
    return 0;
  }
  expectPositionals('evaluate', positionals, ['<bundle>', '<test.csv>']);
  const [bundle, csv] = positionals;
  const k = intOption('--k', flags.k) ?? 10;
  const evalNegatives = intOption('--eval-negatives', flags['eval-negatives']) ?? DEFAULT_RANKED_NEGATIVES;
  const seed = intOption('--seed', flags.seed, 0) ?? 42;
  const rec = await openBundle(bundle);
  try {
    const numItems = rec.items.size;
    const read = await readTest(rec as Recommender<never, never>, csv, flags);
    const test = read.data;
    const seen = seenInteractions(rec.seen, rec.users.size, numItems);
    const all: Interactions = { ...seen, users: Int32Array.from([...seen.users, ...test.users]), items: Int32Array.from([...seen.items, ...test.items]) };
    assertEnoughUnseen(all, test, evalNegatives, rec.users);
    const popularity = fitPopularity(seen, { breakTies: true });
    const sampledOptions = { k, negatives: evalNegatives, exclude: seen, seed };
    const results: ProtocolResult[] = [
      { title: `sampled (${evalNegatives} negatives)`, model: evaluateSampled(rec.model, test, sampledOptions), popularity: evaluateSampled(popularity, test, sampledOptions) },
      { title: `full ranking (${numItems} items)`, model: evaluateFull(rec.model, test, { exclude: seen, k }), popularity: evaluateFull(popularity, test, { exclude: seen, k }) },
    ];
    printResults(csv, read, results, k, flags.json);
  } finally {
    rec.dispose();
  }
  return 0;
}
