// The metrics, sampling, data and baselines entry points must never load TensorFlow.js: apps use them alone
// (e.g. to evaluate scores from another system) without paying for tfjs.
import { describe, it, expect } from 'vitest';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('tfjs-free entry points', () => {
  for (const entry of ['src/metrics/index.ts', 'src/sampling/index.ts', 'src/data/index.ts', 'src/baselines/index.ts']) {
    it(`${entry} imports nothing from @tensorflow`, async () => {
      const result = await build({
        entryPoints: [entry],
        absWorkingDir: root,
        bundle: true,
        write: false,
        platform: 'neutral',
        format: 'esm',
        metafile: true,
        external: ['node:*', 'papaparse'],
        logLevel: 'silent',
      });
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs.length).toBeGreaterThan(1);
      expect(inputs.filter((p) => p.includes('@tensorflow'))).toEqual([]);
    });
  }

  it('the package entry point does reach tfjs (so the check above can fail)', async () => {
    const result = await build({
      entryPoints: ['src/models/index.ts'],
      absWorkingDir: root,
      bundle: true,
      write: false,
      platform: 'neutral',
      format: 'esm',
      metafile: true,
      external: ['node:*', 'papaparse', '@tensorflow/*'],
      logLevel: 'silent',
    });
    const imports = Object.values(result.metafile.outputs)[0].imports.map((i) => i.path);
    expect(imports.some((p) => p.startsWith('@tensorflow'))).toBe(true);
  });
});
