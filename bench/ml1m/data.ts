// The data of the ML-1M reproduction: the NCF split, the validation hold-out (one training positive
// per user) and its fixed negatives.
import { readNcf, type NcfData } from '../../src/data/index.js';
import type { Interactions } from '../../src/data/interactions.js';
import { deriveSeed } from '../../src/_lib/random.js';
import { drawNegatives } from '../negatives.js';
import type { Args } from './args.js';

export interface Prepared {
  ncf: NcfData;
  /** What the models train on (train minus the validation positives unless --no-holdout). */
  fit: Interactions;
  test: { users: Int32Array; items: Int32Array; negatives: Int32Array[] };
  /** Validation users/items (negatives drawn per run). */
  valUsers: Int32Array;
  valItems: Int32Array;
  /** Per-user sorted full training items (for drawing validation negatives). */
  trainByUser: Int32Array[];
}

export function restrictUsers(ncf: NcfData, limit: number): NcfData {
  const keep = (d: Interactions): Interactions => {
    const idx: number[] = [];
    for (let k = 0; k < d.users.length; k++) if (d.users[k] < limit) idx.push(k);
    return {
      users: Int32Array.from(idx, (k) => d.users[k]),
      items: Int32Array.from(idx, (k) => d.items[k]),
      ...(d.timestamps ? { timestamps: Float64Array.from(idx, (k) => d.timestamps![k]) } : {}),
      numUsers: limit,
      numItems: d.numItems,
    };
  };
  const rows: number[] = [];
  for (let k = 0; k < ncf.test.users.length; k++) if (ncf.test.users[k] < limit) rows.push(k);
  const testNegatives = ncf.testNegatives ? rows.map((k) => ncf.testNegatives![k]) : undefined;
  return {
    ...ncf,
    train: keep(ncf.train),
    test: { ...keep(ncf.test), ...(testNegatives ? { negatives: testNegatives } : {}) },
    testNegatives,
    numUsers: limit,
  };
}

export async function prepare(args: Args): Promise<Prepared> {
  let ncf = await readNcf(args.dataDir);
  if (args.limitUsers !== null && args.limitUsers < ncf.numUsers) ncf = restrictUsers(ncf, args.limitUsers);
  const testNegatives = ncf.testNegatives;
  if (!testNegatives) throw new Error(`${args.dataDir} has no .test.negative file`);
  const { train } = ncf;
  const numUsers = ncf.numUsers;
  // A user's first line in the train file is its latest training interaction (the file lists
  // each user's items latest first): the most test-like positive to hold out.
  const first = new Int32Array(numUsers).fill(-1);
  const count = new Int32Array(numUsers);
  for (let k = 0; k < train.users.length; k++) {
    const u = train.users[k];
    if (first[u] < 0) first[u] = k;
    count[u]++;
  }
  const held = new Uint8Array(train.users.length);
  const valUsers: number[] = [];
  const valItems: number[] = [];
  for (let u = 0; u < numUsers; u++) {
    if (count[u] >= 2) {
      held[first[u]] = 1;
      valUsers.push(u);
      valItems.push(train.items[first[u]]);
    }
  }
  const trainByUser: number[][] = Array.from({ length: numUsers }, () => []);
  for (let k = 0; k < train.users.length; k++) trainByUser[train.users[k]].push(train.items[k]);
  let fit: Interactions = train;
  if (args.holdout) {
    const idx: number[] = [];
    for (let k = 0; k < train.users.length; k++) if (!held[k]) idx.push(k);
    fit = {
      users: Int32Array.from(idx, (k) => train.users[k]),
      items: Int32Array.from(idx, (k) => train.items[k]),
      numUsers: train.numUsers,
      numItems: train.numItems,
    };
  }
  return {
    ncf,
    fit,
    test: { users: ncf.test.users, items: ncf.test.items, negatives: testNegatives },
    valUsers: Int32Array.from(valUsers),
    valItems: Int32Array.from(valItems),
    trainByUser: trainByUser.map((l) => Int32Array.from(l).sort()),
  };
}

/** 99 distinct negatives per validation user, none of them a training positive of that user. */
export function validationNegatives(p: Prepared, seed: number, count: number): Int32Array[] {
  return drawNegatives(p.valUsers, p.ncf.numItems, (u) => p.trainByUser[u], deriveSeed(seed, 0x7a11d), count);
}

