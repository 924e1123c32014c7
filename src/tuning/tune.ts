// Hyper-parameter search selected on a validation split: every candidate is fitted (a model or a
// Scorer, so the NCF models and the baselines alike), scored on the validation set, disposed, and
// the trials come back sorted. The test set never enters: the caller refits the best candidate.
import type * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { assertFinite, assertInteger, assertOneOf, show } from '../_lib/validate.js';
import type { Interactions } from '../data/interactions.js';
import { deriveSeed, mulberry32, randomInt } from '../_lib/random.js';
import type { Scorer } from '../scoring/scorer.js';
import { evaluateSampled, type SampledTestSet } from '../evaluation/sampled.js';
import { evaluateFull } from '../evaluation/full.js';

/** The metric {@link tune} maximises. */
export type TuneMetric = 'hr' | 'ndcg' | 'mrr';

/** For each hyper-parameter, the values to try. */
export type TuneSpace<P> = { readonly [K in keyof P]: readonly P[K][] };

/** What {@link TuneOptions.fit} is told besides the candidate's parameters. */
export interface TuneContext {
  /** The seed of this fit (one of {@link TuneOptions.seeds}). */
  readonly seed: number;
  /** 0-based number of the candidate. */
  readonly trial: number;
}

/** Options of {@link tune}. */
export interface TuneOptions<P> {
  /** The values of each hyper-parameter; the candidates are their combinations (the grid). */
  space: TuneSpace<P>;
  /**
   * Fits one candidate on the training data (never the test set) and returns a model or a Scorer
   * (or a promise of one). What it returns is disposed after scoring.
   */
  fit: (params: P, context: TuneContext) => tf.LayersModel | Scorer | Promise<tf.LayersModel | Scorer>;
  /**
   * The validation positives. With `protocol: 'sampled'` (default) a {@link SampledTestSet} (e.g.
   * with listed negatives) or Interactions (negatives then sampled, see `exclude`); with `'full'`
   * Interactions ranked against every item.
   */
  validation: SampledTestSet | Interactions;
  /** `'sampled'` (evaluateSampled, default) or `'full'` (evaluateFull). */
  protocol?: 'sampled' | 'full';
  /**
   * Training positives to exclude (full ranking: removed from the ranking; sampled: never drawn as
   * negatives). Required for `'full'` and for sampled negatives; `'none'` (sampled only) samples
   * from every item on purpose, as in `evaluateSampled`.
   */
  exclude?: Interactions | 'none';
  /** The metric to maximise. Default `'hr'`. */
  metric?: TuneMetric;
  /** K of the metrics. Default 10. */
  k?: number;
  /** `'grid'` (every combination, default) or `'random'` (`trials` distinct combinations drawn with `seed`). */
  search?: 'grid' | 'random';
  /** Number of combinations for `search: 'random'` (at most the grid's size). */
  trials?: number;
  /** Seed of the random search's draws. Default 0. */
  seed?: number;
  /** Each candidate is fitted once per seed; its metric is the mean. Default `[0]`. */
  seeds?: readonly number[];
  /** Called after each candidate with its trial and how many are done of how many. */
  onTrial?: (trial: TuneTrial<P>, done: number, total: number) => void;
}

/** One fit of a candidate (one seed) in a {@link TuneTrial}. */
export interface TuneRun {
  /** The seed of the fit. */
  readonly seed: number;
  /** HR at K on the validation set. */
  readonly hr: number;
  /** NDCG at K on the validation set. */
  readonly ndcg: number;
  /** MRR at K on the validation set. */
  readonly mrr: number;
  /** Seconds the fit took. */
  readonly fitSeconds: number;
}

/** One evaluated candidate. */
export interface TuneTrial<P> {
  /** The candidate's hyper-parameters. */
  readonly params: P;
  /** Mean of the chosen metric over the seeds. */
  readonly value: number;
  /** Standard deviation of the chosen metric over the seeds (0 for one seed). */
  readonly spread: number;
  /** Per seed: the seed, HR, NDCG and MRR at K on the validation set, and the seconds the fit took. */
  readonly runs: readonly TuneRun[];
}

/** The result of {@link tune}. */
export interface TuneResult<P> {
  /** The best trial (highest mean metric; ties go to the earlier candidate). */
  readonly best: TuneTrial<P>;
  /** Every trial, best first. */
  readonly trials: readonly TuneTrial<P>[];
  /** The metric maximised. */
  readonly metric: TuneMetric;
}

function grid<P>(space: TuneSpace<P>): P[] {
  const keys = Object.keys(space) as (keyof P)[];
  let combos: Partial<P>[] = [{}];
  for (const key of keys) {
    const values = space[key];
    if (!Array.isArray(values) || values.length === 0) {
      throw new RecsysError('INVALID_ARGUMENT', `space.${String(key)} must be a non-empty array of values, got ${show(values)}`);
    }
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  return combos as P[];
}

function isDisposable(value: unknown): value is { dispose(): void } {
  return value !== null && typeof value === 'object' && typeof (value as { dispose?: unknown }).dispose === 'function';
}

/**
 * Searches hyper-parameters on a validation split: each candidate of `space` (all of them, or a
 * seeded random subset) is fitted with `fit` once per seed, scored on `validation` with
 * `evaluateSampled` or `evaluateFull`, and disposed. Returns every trial sorted by the mean of
 * `metric`, best first. Select on validation, then refit the best on the whole training data and
 * evaluate that once on test: the test set must never choose.
 *
 * Works for the NCF models (return the trained `tf.LayersModel` from `fit`) and for the baselines
 * (return the Scorer). Candidates run one after another.
 *
 * @param options - see {@link TuneOptions}
 * @returns the trials, best first, and the best
 * @example
 * ```ts
 * const { train: fitData, validation } = validationSplit(ncf.train, { by: 'time' });
 * const result = await tune({
 *   space: { lambda: [250, 500, 1000, 2000] },
 *   fit: ({ lambda }) => fitEASE(fitData, { lambda }),
 *   validation, exclude: fitData,            // 99 negatives sampled per validation positive
 *   onTrial: (t, done, total) => console.log(done, total, t.params, t.value),
 * });
 * result.best.params; //=> { lambda: 1000 }
 * const ease = fitEASE(ncf.train, result.best.params); // refit on everything, then test once
 * ```
 */
export async function tune<P extends object>(options: TuneOptions<P>): Promise<TuneResult<P>> {
  if (options === null || typeof options !== 'object') throw new RecsysError('INVALID_ARGUMENT', `tune needs an options object, got ${show(options)}`);
  const { space, fit, validation, protocol = 'sampled', exclude, metric = 'hr', k = 10, search = 'grid', seed = 0, seeds = [0], onTrial } = options;
  if (space === null || typeof space !== 'object') throw new RecsysError('INVALID_ARGUMENT', `space must be an object of value arrays, got ${show(space)}`);
  if (typeof fit !== 'function') throw new RecsysError('INVALID_ARGUMENT', `fit must be a function, got ${show(fit)}`);
  if (validation === null || typeof validation !== 'object') throw new RecsysError('INVALID_ARGUMENT', `validation is required, got ${show(validation)}`);
  assertOneOf('protocol', protocol, ['sampled', 'full'] as const);
  assertOneOf('metric', metric, ['hr', 'ndcg', 'mrr'] as const);
  assertOneOf('search', search, ['grid', 'random'] as const);
  assertFinite('seed', seed, 'INVALID_ARGUMENT');
  if (!Array.isArray(seeds) || seeds.length === 0) throw new RecsysError('INVALID_ARGUMENT', `seeds must be a non-empty array of numbers, got ${show(seeds)}`);
  seeds.forEach((s, j) => assertFinite(`seeds[${j}]`, s, 'INVALID_ARGUMENT'));
  if (onTrial !== undefined && typeof onTrial !== 'function') throw new RecsysError('INVALID_ARGUMENT', `onTrial must be a function, got ${show(onTrial)}`);
  if (protocol === 'full' && exclude === 'none') {
    throw new RecsysError('INVALID_ARGUMENT', "exclude = 'none' applies only to protocol 'sampled'; full ranking needs the training data the candidates were fitted on");
  }
  if (protocol === 'full' && exclude === undefined) {
    throw new RecsysError('INVALID_ARGUMENT', "protocol 'full' needs exclude (the training data the candidates were fitted on), else training positives crowd the ranking");
  }
  let candidates = grid(space);
  if (search === 'random') {
    const { trials } = options;
    assertInteger('trials', trials, 1);
    if (trials > candidates.length) {
      throw new RecsysError('INVALID_ARGUMENT', `trials = ${trials} but the space has only ${candidates.length} combinations; use search: 'grid'`);
    }
    const random = mulberry32(deriveSeed(seed >>> 0, 0x7e5e));
    const pool = candidates.slice();
    for (let j = 0; j < trials; j++) {
      const pick = j + randomInt(random, pool.length - j);
      [pool[j], pool[pick]] = [pool[pick], pool[j]];
    }
    candidates = pool.slice(0, trials);
  } else if (options.trials !== undefined) {
    throw new RecsysError('INVALID_ARGUMENT', "trials applies only to search: 'random' (a grid tries every combination)");
  }
  const done: { trial: TuneTrial<P>; order: number }[] = [];
  for (let c = 0; c < candidates.length; c++) {
    const params = candidates[c];
    const runs: TuneRun[] = [];
    for (const s of seeds) {
      const start = performance.now();
      const fitted = await fit({ ...params }, { seed: s, trial: c });
      const fitSeconds = (performance.now() - start) / 1000;
      try {
        const r =
          protocol === 'full'
            ? evaluateFull(fitted, validation as Interactions, { k, exclude: exclude as Interactions })
            : evaluateSampled(fitted, validation, {
                k,
                ...(exclude === undefined ? {} : { exclude }),
                // listed negatives are taken as given; only sampled ones take the run's seed
                ...((validation as SampledTestSet).negatives === undefined ? { seed: s } : {}),
              });
        runs.push({ seed: s, hr: r.hr, ndcg: r.ndcg, mrr: r.mrr, fitSeconds });
      } finally {
        if (isDisposable(fitted)) fitted.dispose();
      }
    }
    const values = runs.map((r) => r[metric]);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const spread = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, values.length - 1));
    const trial: TuneTrial<P> = { params, value: mean, spread: values.length > 1 ? spread : 0, runs };
    done.push({ trial, order: c });
    onTrial?.(trial, c + 1, candidates.length);
  }
  const trials = done.sort((a, b) => b.trial.value - a.trial.value || a.order - b.order).map((d) => d.trial);
  return { best: trials[0], trials, metric };
}
