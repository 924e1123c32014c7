// Serving with the Recommender facade: fit on rows that use an app's own string ids, recommend and
// find similar items by id, save the bundle to disk and load it back (identical answers), serve an
// unknown visitor popular items, and fold in a new user from a few clicks without retraining.
//
//   npx tsx examples/serving.ts [--epochs 15] [--quick]
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Recommender, saveModel, loadModel, RecsysError } from 'neural-recsys';
import { syntheticInteractions } from 'neural-recsys/data';

const { values: flags } = parseArgs({ options: { quick: { type: 'boolean', default: false }, epochs: { type: 'string' } } });
const epochs = Number(flags.epochs ?? (flags.quick ? 6 : 15));

tf.enableProdMode(); // training runs on the fused CPU engine: silence tfjs's "install tfjs-node" hint
await tf.setBackend('cpu');

// 1. Rows as an app has them: listener and track ids as strings, a timestamp. The synthetic data's
//    hidden item groups become genres here, so the answers are easy to eyeball.
const GENRES = ['jazz', 'rock', 'folk', 'soul']; // syntheticInteractions' default: 4 item groups
const synthetic = syntheticInteractions({ seed: 3 });
const track = (i: number): string => `${GENRES[synthetic.truth.itemTraits[i]]}-${String(i).padStart(3, '0')}`;
const rows = Array.from(synthetic.users, (u, k) => ({
  listener: `listener-${u}`,
  track: track(synthetic.items[k]),
  playedAt: new Date(synthetic.timestamps[k] * 1000).toISOString(),
}));
console.log(`${rows.length} plays, e.g. ${JSON.stringify(rows[0])}`);

// 2. Fit: id maps, a NeuMF, training, the seen items and the popularity, in one call.
const rec = await Recommender.fit<string, string>(rows, {
  columns: { user: 'listener', item: 'track', time: 'playedAt' },
  model: 'neumf',
  factors: 8,
  layers: [32, 16, 8],
  epochs,
  seed: 3,
});
const last = rec.history?.epochs.at(-1);
console.log(`fitted ${rec.users.size} listeners x ${rec.items.size} tracks in ${epochs} epochs (${rec.history?.engineReason}), final loss ${last?.loss.toFixed(4)}`);

// 3. Recommend and find neighbours, by external id. Seen tracks are left out by default.
const listener = 'listener-7';
const show = (list: { id: string; score: number }[]): string => list.map((r) => `${r.id} (${r.score.toFixed(2)})`).join(', ');
console.log(`\n${listener} played: ${rec.seenBy(listener).slice(0, 8).join(', ')}, ...`);
console.log(`recommended for ${listener}: ${show(rec.recommend(listener, { k: 5 }))}`);
const anchor = rec.seenBy(listener)[0];
console.log(`tracks similar to ${anchor}: ${show(rec.similar(anchor, { k: 5 }))}`);

// 4. Save to a directory (model.json + weights.bin + recommender.bin + recsys.json, written aside and renamed into
//    place) and load it back: same ids, same scores.
const dir = await mkdtemp(join(tmpdir(), 'neural-recsys-serving-'));
try {
  const url = `file://${join(dir, 'playlist-model')}`;
  const { manifest } = await saveModel(rec, url);
  console.log(`\nsaved ${url}: ${(await readdir(join(dir, 'playlist-model'))).sort().join(', ')} (weights ${manifest.weights.byteLength.toLocaleString('en')} bytes)`);
  const loaded = (await loadModel(url)) as Recommender<string, string>;
  const before = rec.recommend(listener, { k: 5 });
  const after = loaded.recommend(listener, { k: 5 });
  const same = before.every((r, i) => r.id === after[i].id && Math.abs(r.score - after[i].score) < 1e-6);
  console.log(`loaded it back: recommendations for ${listener} ${same ? 'identical' : 'DIFFERENT'}`);
  if (!same) process.exitCode = 1;

  // 5. Cold start. An unknown visitor gets the most popular tracks (marked source: 'popularity')...
  const visitor = 'visitor-42';
  console.log(`\n${visitor} (unknown): ${loaded.recommend(visitor, { k: 5 }).map((r) => `${r.id} [${r.source}]`).join(', ')}`);
  // ...or an error, when the app prefers to handle unknown users itself.
  try {
    loaded.recommend(visitor, { unknownUser: 'error' });
  } catch (e) {
    if (e instanceof RecsysError) console.log(`with unknownUser: 'error': ${e.code}: ${e.message}`);
  }

  // 6. Fold-in: the visitor plays three jazz tracks; a few optimizer steps learn their embedding with
  //    the items and the tower frozen, and the model grows by one user. No retraining.
  const jazz = loaded.items.ids().filter((id) => id.startsWith('jazz-')).slice(0, 3);
  const result = await loaded.foldIn(visitor, jazz);
  const personal = loaded.recommend(visitor, { k: 8 });
  const jazzShare = personal.filter((r) => r.id.startsWith('jazz-')).length / personal.length;
  console.log(`${visitor} played ${jazz.join(', ')}; fold-in: ${JSON.stringify({ ...result, loss: Number(result.loss.toFixed(4)) })}`);
  console.log(`${visitor} now: ${personal.map((r) => `${r.id} [${r.source}]`).join(', ')} (${Math.round(jazzShare * 100)}% jazz)`);
  loaded.dispose();
} finally {
  rec.dispose();
  await rm(dir, { recursive: true, force: true });
}
