// Shared setup of the ML-100K feature benchmarks (features-ml100k.ts, cold-start-ml100k.ts): skip
// without the data, pick the wasm backend (cpu when it does not load), read u.data and the feature
// tables (u.item: genre + decade of release; u.user: gender, ML-1M age group, occupation).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { useBackend } from '../test/helpers/backends.js';
import { featuresFrom, readMovieLens, readMovieLensMovies, readMovieLensUsers, type FeatureTable, type Interactions } from '../src/index.js';

/** The default data directory: ../shared/data/ml-100k next to the repository. */
export const ML100K_DIR = new URL('../../shared/data/ml-100k/', import.meta.url).pathname;

/** What the benchmarks need: interactions, feature tables and the backend in use. */
export interface Ml100kFeatures {
  readonly data: Interactions;
  readonly movies: FeatureTable;
  readonly people: FeatureTable;
  readonly backend: 'wasm' | 'cpu';
}

/** Exits the process (code 0, "skipped: ...") when a file is missing; else reads everything. */
export async function ml100kFeatures(dir: string): Promise<Ml100kFeatures> {
  const needed = ['u.data', 'u.item', 'u.user'].map((f) => join(dir, f));
  if (needed.some((p) => !existsSync(p))) {
    console.log(`skipped: ${needed.filter((p) => !existsSync(p)).join(', ')} not found (pass --data)`);
    process.exit(0);
  }
  let backend: 'wasm' | 'cpu' = 'wasm';
  try {
    await useBackend('wasm');
  } catch {
    backend = 'cpu';
    await useBackend('cpu');
  }
  const { data, users, items } = await readMovieLens(join(dir, 'u.data'));
  const movies = featuresFrom(await readMovieLensMovies(join(dir, 'u.item')), {
    fields: ['genre', { name: 'year', bucket: 10 }],
    ids: items,
    newIds: 'error',
  });
  const people = featuresFrom(await readMovieLensUsers(join(dir, 'u.user')), {
    fields: ['gender', { name: 'age', bucket: [1, 18, 25, 35, 45, 50, 56] }, 'occupation'],
    ids: users,
    kind: 'user',
    newIds: 'error',
  });
  return { data, movies, people, backend };
}
