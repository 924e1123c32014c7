// Vitest setupFile: every property of the run uses the seed chosen once in test/setup/fast-check-seed.ts,
// so the seed printed at the start of `npm test` (and in fast-check's failure report) replays it. An
// explicit `seed` in an fc.assert call still wins.
import fc from 'fast-check';
import { inject } from 'vitest';

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: inject('fcSeed') });
