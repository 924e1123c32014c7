import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { saveBaseline, loadBaseline } from './baseline-bundle.js';
import { fitALS, fitEASE, fitItemKNN, fitMF, fitPopularity } from '../baselines/index.js';
import { syntheticInteractions } from '../data/synthetic.js';
import { loadModel } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'baseline-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const url = (name: string) => pathToFileURL(join(dir, name)).href;

describe('saveBaseline / loadBaseline', () => {
  const data = syntheticInteractions({ numUsers: 30, numItems: 60, seed: 4 });
  const fits = {
    popularity: () => fitPopularity(data),
    'popularity-ties-broken': () => fitPopularity(data, { breakTies: true }),
    'item-knn': () => fitItemKNN(data, { neighbours: 5, shrink: 2 }),
    als: () => fitALS(data, { factors: 3, iterations: 2, seed: 1 }),
    ease: () => fitEASE(data, { lambda: 10 }),
    mf: () => fitMF(data, { factors: 3, epochs: 2, seed: 1 }),
  };
  for (const [kind, fit] of Object.entries(fits)) {
    it(`round-trips ${kind}: same kind, options and scores`, async () => {
      const original = fit();
      const { manifest } = await saveBaseline(original, url(kind));
      expect(manifest.kind).toBe(original.kind);
      const loaded = await loadBaseline(url(kind));
      expect(loaded.kind).toBe(original.kind);
      const options = (s: unknown) => (s as { parts(): { options: object } }).parts().options;
      expect(options(loaded)).toEqual(options(original));
      expect((loaded as unknown as { options?: unknown }).options).toEqual((original as unknown as { options?: unknown }).options);
      const users = Int32Array.from({ length: 30 }, (_, u) => u);
      expect(Array.from(loaded.scoreAllItems(users))).toEqual(Array.from(original.scoreAllItems(users)));
    });
  }

  it('detects damage, refuses other formats and non-file URLs', async () => {
    await saveBaseline(fitPopularity(data), url('damaged'));
    const bin = join(dir, 'damaged', 'weights.bin');
    const bytes = readFileSync(bin);
    bytes[0] ^= 1;
    writeFileSync(bin, bytes);
    await expect(loadBaseline(url('damaged'))).rejects.toThrow(/does not match its manifest/);
    await expect(loadModel(url('als'))).rejects.toThrow();
    writeFileSync(join(dir, 'damaged', 'recsys.json'), JSON.stringify({ format: 'neural-recsys-bundle' }));
    await expect(loadBaseline(url('damaged'))).rejects.toThrow(/not a baseline bundle/);
    await expect(saveBaseline(fitPopularity(data), 'memory://x')).rejects.toThrow(/file:\/\/ directories for now/);
    await expect(saveBaseline({} as never, url('x'))).rejects.toThrow(/expected a baseline made by fitPopularity/);
    await expect(loadBaseline(url('missing'))).rejects.toThrow(/no bundle/);
  });
});
