// Cold-start items on MovieLens-1M: the features-only baselines a feature model must beat.
//
// Data: the NCF split (../shared/data/ml-1m-ncf), train + test pairs together (all 1,000,209
// ratings as implicit positives); NCF item ids map to MovieLens movie ids through
// ml-1m.item-map.tsv (see its SOURCE.md), and movies.dat / users.dat give the features (genres,
// year by decade; gender, age group, occupation). For each seed, 10% of the items are held out
// whole (coldItemSplit) and each held-out interaction is ranked among the held-out items the user
// did not interact with (evaluateColdItems; protocol in docs/features.md). Scorers:
//   - genre popularity: mean over the item's genres of the mean training count of items with that genre
//   - genre+decade popularity: the same over genres and the decade of release
//   - global popularity: training counts (every cold item has 0: all tie)
//   - random: uniform scores from a seeded stream
// HR@10 / NDCG@10 under pessimistic ties (the library's default) and average ties (the expected
// value of a random tie break), mean and sample std over seeds 1-3. tfjs-free, a few seconds.
//
// Run: npx tsx bench/cold-start-ml1m.ts [sharedDataDir] [outJson]
import { writeFileSync } from 'node:fs';
import {
  coldItemSplit,
  evaluateColdItems,
  featurePopularity,
  itemPopularity,
  type ColdItemScorer,
} from '../src/data/index.js';
import { mulberry32 } from '../src/_lib/random.js';
import { SHARED_DATA_DIR, ml1mFeatures } from './ml1m-features-setup.js';

const shared = process.argv[2] || SHARED_DATA_DIR;
const out = process.argv[3] || new URL('./results/cold-start-ml1m.json', import.meta.url).pathname;

const started = Date.now();
const { all, movies, people, withoutGenre } = await ml1mFeatures(shared, 'pass the shared data directory as the first argument');
const n = all.users.length;

function randomScorer(seed: number): ColdItemScorer {
  const random = mulberry32(seed);
  return {
    numUsers: all.numUsers,
    numItems: all.numItems,
    scoreItems: (_user, list, o = new Float32Array(list.length)) => {
      for (let t = 0; t < list.length; t++) o[t] = random();
      return o;
    },
  };
}

function countScorer(counts: Float64Array): ColdItemScorer {
  return {
    numUsers: all.numUsers,
    numItems: all.numItems,
    scoreItems: (_user, list, o = new Float32Array(list.length)) => {
      for (let t = 0; t < list.length; t++) o[t] = counts[list[t]];
      return o;
    },
  };
}

type Row = { seed: number; scorer: string; ties: string; hr: number; ndcg: number };
const rows: Row[] = [];
const splits: { seed: number; coldItems: number; test: number; train: number; meanCandidates: number; usersWithoutTrain: number }[] = [];
for (const seed of [1, 2, 3]) {
  const split = coldItemSplit(all, { fraction: 0.1, seed });
  const scorers: [string, ColdItemScorer][] = [
    ['genre popularity', featurePopularity(split.train, movies, { fields: ['genre'] })],
    ['genre+decade popularity', featurePopularity(split.train, movies, { fields: ['genre', 'year'] })],
    ['global popularity', countScorer(itemPopularity(split.train))],
    ['random', randomScorer(1000 + seed)],
  ];
  let meanCandidates = 0;
  for (const [name, scorer] of scorers) {
    for (const ties of ['pessimistic', 'average'] as const) {
      const r = evaluateColdItems(scorer, split, { k: 10, ties });
      meanCandidates = r.meanCandidates;
      rows.push({ seed, scorer: name, ties, hr: r.hitRate, ndcg: r.ndcg });
    }
  }
  splits.push({ seed, coldItems: split.coldItems.length, test: split.test.users.length, train: split.train.users.length, meanCandidates, usersWithoutTrain: split.usersWithoutTrain });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1));
const summary: { scorer: string; ties: string; hr: number; hrStd: number; ndcg: number; ndcgStd: number }[] = [];
const lines: string[] = [];
lines.push(`MovieLens-1M cold-start items: ${n} interactions, ${all.numUsers} users, ${all.numItems} items; 10% of items held out whole, seeds 1-3`);
lines.push(`item features: genre (${movies.field('genre').values.size} values, ${withoutGenre} items without), decade (${movies.field('year').values.size} values); ${movies.skipped} movies.dat rows not in the split`);
lines.push(`user features: gender ${people.field('gender').values.size}, age ${people.field('age').values.size}, occupation ${people.field('occupation').values.size} values (not used by these baselines)`);
for (const s of splits) lines.push(`seed ${s.seed}: ${s.coldItems} cold items, ${s.test} test / ${s.train} train interactions, ${s.meanCandidates.toFixed(1)} candidates per ranking, ${s.usersWithoutTrain} users without train`);
lines.push('');
lines.push('scorer                    ties         HR@10 (mean ± std)   NDCG@10 (mean ± std)');
for (const scorer of ['genre popularity', 'genre+decade popularity', 'global popularity', 'random']) {
  for (const ties of ['pessimistic', 'average']) {
    const sel = rows.filter((r) => r.scorer === scorer && r.ties === ties);
    const entry = { scorer, ties, hr: mean(sel.map((r) => r.hr)), hrStd: std(sel.map((r) => r.hr)), ndcg: mean(sel.map((r) => r.ndcg)), ndcgStd: std(sel.map((r) => r.ndcg)) };
    summary.push(entry);
    lines.push(`${scorer.padEnd(26)}${ties.padEnd(13)}${entry.hr.toFixed(4)} ± ${entry.hrStd.toFixed(4)}      ${entry.ndcg.toFixed(4)} ± ${entry.ndcgStd.toFixed(4)}`);
  }
}
const target = summary.find((s) => s.scorer === 'genre popularity' && s.ties === 'pessimistic')!;
lines.push('');
lines.push(`target for the feature model (1.5x genre popularity, pessimistic ties): HR@10 >= ${(1.5 * target.hr).toFixed(4)}`);
lines.push(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(lines.join('\n'));
writeFileSync(out, JSON.stringify({ command: 'npx tsx bench/cold-start-ml1m.ts', splits, summary, perSeed: rows, text: lines }, null, 2) + '\n');
console.log(`wrote ${out}`);
