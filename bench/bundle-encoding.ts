// Benchmark: size and load time of a Recommender bundle in format 2 (id maps, seen items and
// popularity in the binary recommender.bin) against format 1 (the same parts as JSON and base64
// inside recsys.json), side by side in one run. Both bundles hold the same Recommender: a GMF
// (factors 8) over 2,000 users x 500 items ('user-<n>' / 'item-<n>' ids) whose seen items are
// a synthetic data set with `perUser` interactions per user on average. The format-1 bundle is
// the format-2 one with recsys.json rewritten the way 0.1.0 wrote it (and recommender.bin removed).
//
// Timed, alternating A/B, median of `rounds`:
//   - loadModel(url): the whole load (files read, weights checked, model built);
//   - the Recommender part alone: reading and decoding what holds the id maps and seen items
//     (format 1: JSON.parse of recsys.json + base64; format 2: JSON.parse of the small manifest +
//     decoding recommender.bin) and building the two IdMaps.
//
// Run: npx tsx bench/bundle-encoding.ts [users=2000] [items=500] [perUser=25] [rounds=15]
import { mkdtemp, readFile, rm, stat, unlink, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '../test/helpers/backends.js';
import { IdMap, syntheticInteractions } from '../src/data/index.js';
import { GMF } from '../src/models/index.js';
import { Recommender } from '../src/serving/index.js';
import { loadModel, saveModel } from '../src/io/index.js';
import { base64ToFloat64, base64ToInt32, float64ToBase64, int32ToBase64 } from '../src/io/encoding.js';
import { decodeRecommenderPart } from '../src/io/recommender-part.js';
import { parseManifest } from '../src/io/manifest.js';

const numUsers = Number(process.argv[2] ?? 2000);
const numItems = Number(process.argv[3] ?? 500);
const perUser = Number(process.argv[4] ?? 25);
const rounds = Number(process.argv[5] ?? 15);

await useBackend('cpu');
const data = syntheticInteractions({ numUsers, numItems, interactionsPerUser: perUser, seed: 7 });
const users = IdMap.fromIds(Array.from({ length: numUsers }, (_, u) => `user-${u}`), { kind: 'user' });
const items = IdMap.fromIds(Array.from({ length: numItems }, (_, i) => `item-${i}`), { kind: 'item' });
const rec = Recommender.from({ model: GMF({ numUsers, numItems, factors: 8, seed: 1 }), users, items, seen: data });

const root = await mkdtemp(join(tmpdir(), 'recsys-bench-bundle-'));
const v2 = join(root, 'format-2');
const v1 = join(root, 'format-1');
await saveModel(rec, v2);
await cp(v2, v1, { recursive: true });
await unlink(join(v1, 'recommender.bin'));
const manifest2 = JSON.parse(await readFile(join(v2, 'recsys.json'), 'utf8'));
const manifest1 = {
  ...manifest2,
  formatVersion: 1,
  recommender: {
    users: rec.users.toJSON(),
    items: rec.items.toJSON(),
    seen: { offsets: int32ToBase64(rec.seen.offsets), items: int32ToBase64(rec.seen.items) },
    popularity: float64ToBase64(rec.popularity),
    unknownUser: rec.unknownUser,
  },
};
await writeFile(join(v1, 'recsys.json'), JSON.stringify(manifest1));

const size = async (dir: string, name: string) => (await stat(join(dir, name)).catch(() => ({ size: 0 }))).size;
const sizes = {
  format1: { manifest: await size(v1, 'recsys.json'), part: 0 },
  format2: { manifest: await size(v2, 'recsys.json'), part: await size(v2, 'recommender.bin') },
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(`${numUsers} users x ${numItems} items, ${rec.seen.items.length} seen items (${(rec.seen.items.length / numUsers).toFixed(1)} per user)`);
console.log(`format 1: recsys.json ${kb(sizes.format1.manifest)} (id maps, seen items, popularity inside)`);
console.log(
  `format 2: recsys.json ${kb(sizes.format2.manifest)} + recommender.bin ${kb(sizes.format2.part)} = ${kb(sizes.format2.manifest + sizes.format2.part)}` +
    ` (${((sizes.format2.manifest + sizes.format2.part) / sizes.format1.manifest).toFixed(3)} of format 1)`,
);

// Both load and agree before anything is timed.
const a = await loadModel(v1);
const b = await loadModel(v2);
const same =
  JSON.stringify(a.users.ids()) === JSON.stringify(b.users.ids()) &&
  JSON.stringify(Array.from(a.seen.items)) === JSON.stringify(Array.from(b.seen.items)) &&
  JSON.stringify(a.recommend('user-3', { k: 5 })) === JSON.stringify(b.recommend('user-3', { k: 5 }));
a.dispose();
b.dispose();
if (!same) throw new Error('the two bundles do not load the same Recommender');

const text1 = await readFile(join(v1, 'recsys.json'), 'utf8');
const text2 = await readFile(join(v2, 'recsys.json'), 'utf8');
const bytes2 = new Uint8Array(await readFile(join(v2, 'recommender.bin')));

function decodeFormat1(text: string): number {
  const m = parseManifest(text, v1).recommender!;
  const u = IdMap.fromJSON(m.users as never);
  const i = IdMap.fromJSON(m.items as never);
  const offsets = base64ToInt32(m.seen!.offsets, 'o');
  const seen = base64ToInt32(m.seen!.items, 's');
  const popularity = base64ToFloat64(m.popularity, 'p');
  return u.size + i.size + offsets.length + seen.length + popularity.length;
}
function decodeFormat2(text: string, bytes: Uint8Array): number {
  parseManifest(text, v2);
  const part = decodeRecommenderPart(bytes, v2);
  const u = IdMap.fromJSON(part.users);
  const i = IdMap.fromJSON(part.items);
  return u.size + i.size + part.seen.offsets.length + part.seen.items.length + part.popularity.length;
}
/** The part decoded `repeat` times from bytes already in memory (no I/O). */
async function inMemory(format: 1 | 2, repeat = 20): Promise<number> {
  let n = 0;
  for (let k = 0; k < repeat; k++) n += format === 1 ? decodeFormat1(text1) : decodeFormat2(text2, bytes2);
  return n;
}
/** The part read from disk and decoded once. */
async function fromDisk(format: 1 | 2): Promise<number> {
  if (format === 1) return decodeFormat1(await readFile(join(v1, 'recsys.json'), 'utf8'));
  return decodeFormat2(await readFile(join(v2, 'recsys.json'), 'utf8'), new Uint8Array(await readFile(join(v2, 'recommender.bin'))));
}
async function whole(dir: string): Promise<number> {
  const r = await loadModel(dir);
  const n = r.users.size;
  r.dispose();
  return n;
}

async function time(run: () => Promise<number>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1];

const timings = { mem1: [] as number[], mem2: [] as number[], disk1: [] as number[], disk2: [] as number[], load1: [] as number[], load2: [] as number[] };
for (let warm = 0; warm < 3; warm++) {
  for (const f of [1, 2] as const) {
    await inMemory(f);
    await fromDisk(f);
    await whole(f === 1 ? v1 : v2);
  }
}
for (let r = 0; r < rounds; r++) {
  // alternate the order so neither format always runs second
  const order = r % 2 === 0 ? ([1, 2] as const) : ([2, 1] as const);
  for (const f of order) {
    timings[`mem${f}`].push((await time(() => inMemory(f))) / 20);
    timings[`disk${f}`].push(await time(() => fromDisk(f)));
    timings[`load${f}`].push(await time(() => whole(f === 1 ? v1 : v2)));
  }
}
const ms = (x: number) => `${x.toFixed(2)} ms`;
const line = (label: string, one: number[], two: number[]) => {
  const [x, y] = [median(one), median(two)];
  console.log(`  ${label.padEnd(48)} format 1 ${ms(x)}, format 2 ${ms(y)} (format 1 / format 2 = ${(x / y).toFixed(2)})`);
};
console.log(`median of ${rounds} alternating rounds:`);
line('id maps, seen items, popularity (in memory):', timings.mem1, timings.mem2);
line('the same, files read from disk:', timings.disk1, timings.disk2);
line('whole loadModel (weights checked, model built):', timings.load1, timings.load2);
rec.dispose();
await rm(root, { recursive: true, force: true });
