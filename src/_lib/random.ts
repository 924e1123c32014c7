// The library's one source of randomness. mulberry32 (Tommy Ettinger's 32-bit generator) was chosen
// because it is tiny, fast in V8 (pure 32-bit integer math, no BigInt), has a full 2^32 period over
// its state, passes gjrand/PractRand to the sizes a training run draws, and is trivially
// reproducible in any language, so a seed means the same stream everywhere (Node, browsers, workers).
// It is not cryptographic and never needs to be.
import { assertFinite } from './validate.js';

/** A seeded generator of floats uniform in [0, 1). @category Sampling */
export type Random = () => number;

/**
 * Creates a seeded mulberry32 generator returning floats uniform in [0, 1) with 32 random bits.
 *
 * @param seed - any finite number; it is reduced to 32 bits (`seed >>> 0`)
 * @returns a function that yields the next float of the stream on each call
 * @example
 * ```ts
 * const random = mulberry32(42);
 * random(); //=> 0.6011037519201636
 * random(); //=> 0.44829055899754167
 * ```
 */
export function mulberry32(seed: number): Random {
  assertFinite('seed', seed, 'INVALID_ARGUMENT');
  const stream = reseedableMulberry32();
  stream.reseed(seed);
  return stream.random;
}

/**
 * @internal One mulberry32 stream that can be reseeded in place: the sampler's hot loops reseed it
 * at every positive (so negatives depend only on the seed and the position) without allocating.
 * `reseed(s)` followed by calls to `random` gives exactly the stream of `mulberry32(s)`.
 */
export function reseedableMulberry32(): { random: Random; reseed: (seed: number) => void } {
  let state = 0;
  return {
    random: () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    reseed: (seed: number) => {
      state = seed | 0;
    },
  };
}

/**
 * Derives an independent 32-bit seed from a base seed and a stream number (e.g. the epoch or a
 * worker's index), so that streams for different epochs do not overlap in an obvious way.
 *
 * @param seed - the base seed
 * @param stream - the stream number
 * @returns a 32-bit unsigned seed
 * @example
 * ```ts
 * deriveSeed(42, 0) !== deriveSeed(42, 1); //=> true
 * ```
 */
export function deriveSeed(seed: number, stream: number): number {
  // splitmix32-style finaliser over the pair
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul((stream >>> 0) + 0x632be5ab, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A uniform integer in 0..n-1 from a generator.
 *
 * @param random - a {@link Random}
 * @param n - the exclusive upper bound (a positive integer)
 * @returns an integer in 0..n-1
 * @example
 * ```ts
 * randomInt(mulberry32(1), 10); //=> 6
 * ```
 */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}
