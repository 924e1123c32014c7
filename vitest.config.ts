import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // one fast-check seed per run, printed at the start and overridable with FC_SEED (README, Contributing)
    globalSetup: ['test/setup/fast-check-seed.ts'],
    setupFiles: ['test/setup/fast-check.ts'],
    // in CI also write a JSON summary, from which .ci/run prints the plain 'N passed, N failed' line
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-output/vitest.json' }]] : ['default'],
  },
});
