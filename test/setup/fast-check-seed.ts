// Vitest globalSetup: picks the one fast-check seed of this run (FC_SEED, or a fresh one), prints it
// once, and hands it to every test file (test/setup/fast-check.ts applies it), so that a property
// failure replays with `FC_SEED=<seed> npx vitest run <file> -t '<test name>'`.
import { randomInt } from 'node:crypto';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    fcSeed: number;
  }
}

/** FC_SEED as fast-check reports seeds: an integer in the signed or unsigned 32-bit range. */
export function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 32) {
    throw new Error(`FC_SEED must be an integer in [-2^31, 2^32), got ${JSON.stringify(text)}`);
  }
  return seed;
}

export default function setup(project: TestProject): void {
  const given = parseSeed(process.env.FC_SEED);
  const seed = given ?? randomInt(2 ** 31);
  project.provide('fcSeed', seed);
  console.log(`fast-check seed ${seed}${given === undefined ? ' (fresh)' : ' (from FC_SEED)'}; replay a failure with FC_SEED=${seed}`);
}
