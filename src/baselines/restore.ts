// Internal: a fitted baseline as plain parts (kind, sizes, options, typed arrays) and back, for
// bundles (src/io/baseline-bundle.ts). Every part is checked on the way back in.
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { BaseScorer, type BaselineKind, type BaselineScorer, type PartArray } from './scorer.js';
import { restorePopularity } from './popularity.js';
import { restoreItemKNN, type ItemKNNOptions } from './item-knn.js';
import { restoreALS, type ALSOptions } from './als.js';
import { restoreEASE, type EASEOptions } from './ease.js';
import { restoreMF, type MFOptions } from './mf.js';

/** Internal: what a baseline is saved as. */
export interface BaselineParts {
  kind: BaselineKind;
  numUsers: number;
  numItems: number;
  fitSeconds: number;
  options: Record<string, unknown>;
  arrays: Record<string, PartArray>;
}

const KINDS: readonly BaselineKind[] = ['popularity', 'item-knn', 'als', 'ease', 'mf'];

/** Internal: the parts of a scorer made by one of the `fit*` functions (a RecsysError for anything else). */
export function baselineParts(scorer: unknown): BaselineParts {
  if (!(scorer instanceof BaseScorer)) {
    throw new RecsysError('INVALID_ARGUMENT', `expected a baseline made by fitPopularity, fitItemKNN, fitALS, fitEASE or fitMF, got ${show(scorer)}`);
  }
  const { options, arrays } = scorer.parts();
  return { kind: scorer.kind, numUsers: scorer.numUsers, numItems: scorer.numItems, fitSeconds: scorer.fitSeconds, options: { ...options }, arrays };
}

/** Internal: rebuilds a baseline from its parts. */
export function restoreBaseline(parts: BaselineParts): BaselineScorer {
  const { kind, numUsers, numItems, options, arrays } = parts;
  if (!KINDS.includes(kind)) throw new RecsysError('BUNDLE_CORRUPT', `unknown baseline kind ${show(kind)}; known: ${KINDS.join(', ')}`);
  for (const [name, n] of [['numUsers', numUsers], ['numItems', numItems]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new RecsysError('BUNDLE_CORRUPT', `baseline ${name} must be a positive integer, got ${show(n)}`);
  }
  for (const key of ['factors', 'iterations', 'epochs'] as const) {
    if (key in options && (!Number.isInteger(options[key]) || (options[key] as number) < 1)) {
      throw new RecsysError('BUNDLE_CORRUPT', `baseline option ${key} must be a positive integer, got ${show(options[key])}`);
    }
  }
  let scorer: BaselineScorer;
  if (kind === 'popularity') scorer = restorePopularity(numUsers, options, arrays);
  else if (kind === 'item-knn') scorer = restoreItemKNN(numUsers, numItems, options as Required<ItemKNNOptions>, arrays);
  else if (kind === 'als') scorer = restoreALS(numUsers, numItems, options as Required<Omit<ALSOptions, 'onSweep'>>, arrays);
  else if (kind === 'ease') scorer = restoreEASE(numUsers, numItems, options as Required<EASEOptions>, arrays);
  else scorer = restoreMF(numUsers, numItems, options as Required<Omit<MFOptions, 'onEpoch'>>, arrays);
  if (scorer.numItems !== numItems) throw new RecsysError('BUNDLE_CORRUPT', `baseline holds ${scorer.numItems} items but its manifest says ${numItems}`);
  (scorer as BaseScorer).fitSeconds = Number.isFinite(parts.fitSeconds) ? parts.fitSeconds : 0;
  return scorer;
}
