// new-item.html: trains a NeuMF with the item feature `genre` in the page, then lets the visitor add
// a brand-new item (no interactions) with Recommender.addItem and shows who now gets it in their
// top 10, next to a popularity recommender over the same interactions. The model work is in
// new-item-model.ts; this file renders. The page trains on the main thread (8 small epochs, a few
// seconds); feature models train on the tfjs engine (the fused engine does not compute feature
// fields yet), here on the tfjs wasm backend (`?backend=cpu` for the cpu backend).
//
// For the end-to-end test (scripts/browser-test.mjs) the page exposes its state:
//   body[data-state]            loading | training | ready | adding | error
//   body[data-new-item-users]   how many users have the last added item in their top 10
//   #added tr[data-item]        per added item: data-genre, data-row (the genre's row in the model,
//                               0 = unknown), data-users, data-likers, data-pop-users, data-total-users
//   #add-message[data-error]    the error code of a rejected add (e.g. INVALID_ARGUMENT), else absent
//   #recs[data-user] > li[data-item][data-new]   the selected user's top 10 (data-new="true": added)
//   #new-rank[data-value]       the last added item's rank for the selected user (full ranking)
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { RecsysError, avoidWasmThreadClash, featureValueMaps, type Recommender } from 'neural-recsys';
import { IdMap } from 'neural-recsys/data';
import { DATA, GENRES, TRAINING, makeCatalogue, popularityRecommender, reachOf, trainRecommender, type Catalogue } from './new-item-model.js';
import './style.css';
import './new-item.css';
import { $ } from './dom.js';

const K = 10;

const ui = {
  status: $('#status'),
  backend: $('#backend'),
  engine: $('#engine'),
  epochs: $('#epochs-done'),
  dataInfo: $('#data-info'),
  settings: $('#settings'),
  form: $<HTMLFormElement>('#add-form'),
  newId: $<HTMLInputElement>('#new-id'),
  newGenre: $<HTMLSelectElement>('#new-genre'),
  add: $<HTMLButtonElement>('#add'),
  addMessage: $('#add-message'),
  added: $('#added tbody'),
  result: $('#result'),
  popularityNote: $('#popularity-note'),
  user: $<HTMLSelectElement>('#user'),
  userLikes: $('#user-likes'),
  recs: $<HTMLOListElement>('#recs'),
  newRank: $('#new-rank'),
  error: $('#error'),
};

/** The item ids added on this page, newest last. */
const addedItems: string[] = [];

function setState(state: 'loading' | 'training' | 'ready' | 'adding' | 'error'): void {
  document.body.dataset.state = state;
  const busy = state !== 'ready';
  for (const control of [ui.newId, ui.newGenre, ui.add, ui.user]) control.disabled = busy;
}

/** The tfjs backend: wasm (single-threaded build, see wasm-page.ts), or cpu with `?backend=cpu` or when wasm fails. */
async function startBackend(): Promise<void> {
  const wanted = new URLSearchParams(location.search).get('backend') ?? 'wasm';
  if (wanted === 'wasm') {
    setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd });
    avoidWasmThreadClash();
    if (!(await tf.setBackend('wasm').catch(() => false))) console.warn('the wasm backend did not start; using cpu');
  }
  if (tf.getBackend() !== 'wasm' && !(await tf.setBackend('cpu'))) throw new Error('neither the wasm nor the cpu backend started');
  await tf.ready();
  ui.backend.textContent = tf.getBackend();
}

async function trainModel(catalogue: Catalogue): Promise<Recommender<string, string>> {
  const { data, users, items } = catalogue;
  ui.dataInfo.textContent = `${users.size} users · ${items.size} items · ${data.users.length.toLocaleString('en')} interactions · ${GENRES.length} genres (synthetic, seed ${DATA.seed})`;
  ui.settings.textContent = `Adam, learning rate ${TRAINING.learningRate}, batch ${TRAINING.batchSize}, ${TRAINING.negatives} negatives, ${TRAINING.epochs} epochs`;
  setState('training');
  const started = performance.now();
  ui.status.textContent = `Training a NeuMF with the item feature genre (${TRAINING.epochs} epochs)…`;
  const { rec, history } = await trainRecommender(catalogue, async (epoch, loss) => {
    ui.epochs.dataset.value = String(epoch + 1);
    ui.epochs.textContent = `${epoch + 1} / ${TRAINING.epochs} (loss ${loss.toFixed(3)})`;
    await new Promise((paint) => setTimeout(paint, 0)); // let the page draw between epochs
  });
  ui.engine.textContent = history.engineReason;
  ui.status.textContent = `Trained in ${((performance.now() - started) / 1000).toFixed(1)} s. Add a new item below.`;
  return rec;
}

function genreTag(genre: string | undefined, liked: string | undefined): string {
  return `<span class="genre ${genre === liked ? 'liked' : 'other'}">${genre ?? '?'}</span>`;
}

/** The selected user's top 10, the added items marked, and the last added item's full-ranking rank. */
function showUser(rec: Recommender<string, string>, catalogue: Catalogue): void {
  const user = ui.user.value;
  const liked = catalogue.likes.get(user);
  ui.userLikes.textContent = `likes ${liked ?? '?'} (planted)`;
  const top = rec.recommend(user, { k: K });
  ui.recs.dataset.user = user;
  const best = Math.max(...top.map((r) => r.score), 1e-9);
  ui.recs.replaceChildren(
    ...top.map(({ id, score }) => {
      const li = document.createElement('li');
      const isNew = addedItems.includes(id);
      const genre = catalogue.genreOf.get(id);
      li.dataset.item = id;
      li.dataset.new = String(isNew);
      li.className = `${genre === liked ? 'liked' : 'other'}${isNew ? ' new' : ''}`;
      li.innerHTML =
        `<span class="item">${id}${isNew ? ' <span class="badge">new</span>' : ''}</span>${genreTag(genre, liked)}` +
        `<span class="bar"><span style="width:${((score / best) * 100).toFixed(1)}%"></span></span><span class="score">${score.toFixed(3)}</span>`;
      return li;
    }),
  );
  const last = addedItems.at(-1);
  if (last === undefined) {
    ui.newRank.dataset.value = '';
    ui.newRank.textContent = '';
    return;
  }
  const all = rec.recommend(user, { k: rec.items.size });
  const rank = all.findIndex((r) => r.id === last) + 1;
  ui.newRank.dataset.value = String(rank);
  ui.newRank.textContent = `${last} ranks ${rank} of the ${all.length} items ${user} has not seen (model score ${all[rank - 1].score.toFixed(3)}); by popularity it scores 0, below the ${countPopular(rec)} items with an interaction.`;
}

/** Items with at least one interaction: each outranks a new item under popularity. */
function countPopular(rec: Recommender<string, string>): number {
  return rec.popularity.reduce((n, p) => n + (p > 0 ? 1 : 0), 0);
}

/** Adds the item, measures its reach under the model and under popularity, and shows it. */
async function addItem(rec: Recommender<string, string>, catalogue: Catalogue, id: string, genre: string): Promise<void> {
  const started = performance.now();
  await rec.addItem(id, { genre });
  addedItems.push(id);
  catalogue.genreOf.set(id, genre);
  const row = featureValueMaps(rec.model, 'item')?.encode('genre', genre)[0] ?? 0;
  const reach = await reachOf(rec, id, K);
  const popularity = popularityRecommender(catalogue, IdMap.fromIds(rec.items.ids()));
  const popReach = await reachOf(popularity, id, K).finally(() => popularity.dispose());
  const likersTotal = [...catalogue.likes.values()].filter((g) => g === genre).length;
  const likers = [...reach.ranks.keys()].filter((u) => catalogue.likes.get(u) === genre).length;
  const seconds = (performance.now() - started) / 1000;

  const tr = document.createElement('tr');
  Object.assign(tr.dataset, { item: id, genre, row: String(row), users: String(reach.ranks.size), likers: String(likers), popUsers: String(popReach.ranks.size), totalUsers: String(reach.users) });
  tr.innerHTML =
    `<td><span class="badge">new</span> ${id}</td><td>${genre}${row === 0 ? ' (unknown to the model)' : ''}</td>` +
    `<td class="reach">${reach.ranks.size} of ${reach.users} users</td><td>${likers} of ${reach.ranks.size} (${likersTotal} users like ${genre})</td>` +
    `<td class="pop">${popReach.ranks.size} of ${popReach.users} users</td>`;
  ui.added.append(tr);
  document.body.dataset.newItemUsers = String(reach.ranks.size);
  ui.result.hidden = false;
  ui.result.textContent =
    `${id} (${genre}) is in the top ${K} of ${reach.ranks.size} of ${reach.users} users, ${likers} of whom like ${genre}; ` +
    `popularity puts it in the top ${K} of ${popReach.ranks.size} users. (addItem and ranking everyone: ${seconds.toFixed(2)} s)`;
  ui.popularityNote.hidden = false;
  ui.popularityNote.textContent =
    `Why popularity cannot: it scores an item by how many users interacted with it. A new item has 0, so it ranks below all ${countPopular(rec)} items with an interaction, for every user.`;
  // show a user who got it, the one where it ranks highest
  const [bestUser] = [...reach.ranks].sort((a, b) => a[1] - b[1])[0] ?? [];
  if (bestUser !== undefined) ui.user.value = bestUser;
  showUser(rec, catalogue);
}

function wireForm(rec: Recommender<string, string>, catalogue: Catalogue): void {
  ui.newGenre.replaceChildren(...GENRES.map((g) => new Option(g, g)));
  ui.newGenre.value = GENRES[GENRES.length - 1];
  ui.user.replaceChildren(...catalogue.users.ids().map((u) => new Option(u, u)));
  ui.user.addEventListener('change', () => showUser(rec, catalogue));
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = ui.newId.value.trim();
    setState('adding');
    delete ui.addMessage.dataset.error;
    ui.addMessage.textContent = `Adding ${id}…`;
    addItem(rec, catalogue, id, ui.newGenre.value)
      .then(() => {
        ui.addMessage.textContent = `Added ${id}.`;
        ui.newId.value = `new item ${addedItems.length + 1}`;
        setState('ready');
      })
      .catch((e: unknown) => {
        // a bad id (empty, already in the catalogue) is the visitor's to fix, not a page failure
        if (!(e instanceof RecsysError)) throw e;
        ui.addMessage.dataset.error = e.code;
        ui.addMessage.textContent = `${e.code}: ${e.message}`;
        setState('ready');
      })
      .catch(fatal);
  });
}

function fatal(e: unknown): void {
  console.error(e);
  ui.error.hidden = false;
  ui.error.textContent = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  setState('error');
  document.body.dataset.state = 'error';
}

async function run(): Promise<void> {
  setState('loading');
  ui.status.textContent = 'Starting the tfjs backend…';
  await startBackend();
  const catalogue = makeCatalogue();
  const rec = await trainModel(catalogue);
  wireForm(rec, catalogue);
  ui.user.value = catalogue.users.id(0);
  showUser(rec, catalogue);
  setState('ready');
}

run().catch(fatal);
