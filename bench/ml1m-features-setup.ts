// Shared setup of the MovieLens-1M feature benchmarks (cold-start-ml1m.ts, features-ml1m.ts): skip
// without the data, read the NCF split and map its items to MovieLens movie ids
// (ml-1m.item-map.tsv, see its SOURCE.md; NCF user = MovieLens user id - 1), and build the feature
// tables: movies.dat genres + year by decade, users.dat gender, age group, occupation.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  IdMap,
  featuresFrom,
  readMovieLensMovies,
  readMovieLensUsers,
  readNcf,
  type FeatureTable,
  type Interactions,
  type NcfData,
} from '../src/data/index.js';

/** The default shared data directory: ../shared/data next to the repository. */
export const SHARED_DATA_DIR = new URL('../../shared/data/', import.meta.url).pathname;

/** What the benchmarks need: the NCF split, all its pairs together and the feature tables. */
export interface Ml1mFeatures {
  readonly ncf: NcfData;
  /** Train + test pairs together (all 1,000,209 ratings as implicit positives). */
  readonly all: Interactions;
  /** Item features indexed by NCF item id: genre, year (decade). */
  readonly movies: FeatureTable;
  /** User features indexed by NCF user id: gender, age, occupation. */
  readonly people: FeatureTable;
  /** Items without any genre. */
  readonly withoutGenre: number;
}

/**
 * Exits the process (code 0, "skipped: ...") when a file is missing, printing `hint` after the
 * list; else reads the split and the feature tables from `shared` (ml-1m-ncf/ and ml-1m/).
 */
export async function ml1mFeatures(shared: string, hint: string): Promise<Ml1mFeatures> {
  const ncfDir = join(shared, 'ml-1m-ncf');
  const ml1m = join(shared, 'ml-1m');
  const needed = [join(ncfDir, 'ml-1m.train.rating'), join(ncfDir, 'ml-1m.item-map.tsv'), join(ml1m, 'movies.dat'), join(ml1m, 'users.dat')];
  const missing = needed.filter((p) => !existsSync(p));
  if (missing.length > 0) {
    console.log(`skipped: ${missing.join(', ')} not found (${hint})`);
    process.exit(0);
  }
  const ncf = await readNcf(ncfDir);
  // NCF item id -> MovieLens movie id (header: ncf_item_id, movielens_movie_id, status)
  const movieOf = new Int32Array(ncf.numItems).fill(-1);
  for (const line of readFileSync(join(ncfDir, 'ml-1m.item-map.tsv'), 'utf8').split('\n').slice(1)) {
    if (line.trim() === '') continue;
    const [ncfId, movieId] = line.split('\t').map(Number);
    movieOf[ncfId] = movieId;
  }
  if (movieOf.some((m) => m < 0)) throw new Error('the item map does not cover every NCF item');
  const items = IdMap.fromIds(Array.from(movieOf), { kind: 'item' });
  const users = IdMap.fromIds(
    Array.from({ length: ncf.numUsers }, (_, u) => u + 1),
    { kind: 'user' },
  ); // NCF user = MovieLens user id - 1
  const movies = featuresFrom(await readMovieLensMovies(join(ml1m, 'movies.dat')), {
    fields: ['genre', { name: 'year', bucket: 10 }],
    ids: items,
    newIds: 'skip', // movies.dat lists 177 movies nobody rated: not in the split
  });
  const people = featuresFrom(await readMovieLensUsers(join(ml1m, 'users.dat')), { fields: ['gender', 'age', 'occupation'], ids: users, newIds: 'error' });
  const withoutGenre = Array.from({ length: movies.numEntities }, (_, i) => i).filter((i) => movies.rowsOf('genre', i).length === 0).length;
  const all: Interactions = {
    users: Int32Array.from([...ncf.train.users, ...ncf.test.users]),
    items: Int32Array.from([...ncf.train.items, ...ncf.test.items]),
    numUsers: ncf.numUsers,
    numItems: ncf.numItems,
  };
  return { ncf, all, movies, people, withoutGenre };
}
