// The demo's Web Worker: owns the data, the model and the Recommender, so training never blocks the
// page. The library's fused engine is plain TypeScript over Float32Arrays (no DOM, no tfjs kernels
// in the training loop), so it runs in a worker as it does in Node; tfjs (webgl if the worker can get
// a WebGL context through OffscreenCanvas, else cpu) only builds the model and holds its weights.
import * as tf from '@tensorflow/tfjs';
import {
  NeuMF,
  Recommender,
  evaluateSampled,
  isRecsysError,
  loadModel,
  saveModel,
  train,
} from 'neural-recsys';
import { fitPopularity } from 'neural-recsys/baselines';
import { IdMap, leaveOneOut, syntheticInteractions, validationSplit } from 'neural-recsys/data';
import type { EpochPoint, FromWorker, ShownItem, TestMetrics, ToWorker } from './protocol.js';

const BUNDLE_URL = 'indexeddb://neural-recsys-demo';
const EPOCHS = 20;
const K = 10;

// The DOM typings describe `self` as a Window; in a dedicated worker it is this.
const scope = self as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};
const post = (message: FromWorker): void => scope.postMessage(message);

// The data is regenerated identically on every visit (seeded), so a model loaded from IndexedDB is
// evaluated on exactly the test set it was trained against.
const data = syntheticInteractions({ seed: 42 });
const { train: trainAll, test } = leaveOneOut(data, { by: 'time' });
const { train: fit, validation } = validationSplit(trainAll, { by: 'time' });
const { userTraits, itemTraits, likedTraits } = data.truth;

// Batches per epoch at the default batch size of 256 (each positive brings 4 negatives).
const BATCHES_PER_EPOCH = Math.ceil((fit.users.length * 5) / 256);

// Two threads need SharedArrayBuffer, which browsers grant only to cross-origin isolated pages
// (served with COOP/COEP headers, as vite.config.ts and scripts/browser-test.mjs do).
const THREADS = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated ? 2 : 1;

let recommender: Recommender<number, number> | undefined;
let busy = false;
let currentEpoch = 0;

async function pickBackend(): Promise<string> {
  // WebGL in a worker needs OffscreenCanvas and a GPU (or a software renderer); prove it works with
  // one small op before trusting it, and fall back to cpu otherwise.
  try {
    if (typeof OffscreenCanvas !== 'undefined' && (await tf.setBackend('webgl'))) {
      await tf.ready();
      tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync());
      return 'webgl';
    }
  } catch {
    // no usable WebGL context: fall through to cpu
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return 'cpu';
}

function testMetrics(rec: Recommender<number, number>): TestMetrics {
  // Each test item against the same 99 sampled unseen items for the model and for popularity.
  const options = { k: K, negatives: 99, exclude: trainAll, seed: 1 };
  const model = evaluateSampled(rec.model, test, options);
  const popularity = evaluateSampled(fitPopularity(trainAll, { breakTies: true }), test, options);
  return { hr: model.hr, ndcg: model.ndcg, popularityHr: popularity.hr, popularityNdcg: popularity.ndcg };
}

async function trainFresh(): Promise<{ rec: Recommender<number, number>; bestEpoch: number | null; seconds: number }> {
  const model = NeuMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 8, layers: [32, 16, 8], seed: 42 });
  post({ type: 'status', text: 'Training…' });
  let lastBatchPost = 0;
  const started = performance.now();
  const history = await train(model, fit, {
    epochs: EPOCHS,
    seed: 42,
    engine: 'fused',
    threads: THREADS,
    validation: { data: validation, metric: 'ndcg', k: K },
    earlyStopping: { patience: 6, restoreBest: true },
    onBatchEnd: (batch, logs) => {
      const now = performance.now();
      if (now - lastBatchPost > 40) {
        lastBatchPost = now;
        post({ type: 'batch', epoch: currentEpoch, batch, loss: logs.loss });
      }
    },
    onEpochEnd: (epoch, logs) => {
      currentEpoch = epoch + 1;
      const point: EpochPoint = { epoch: epoch + 1, loss: logs.loss, hr: logs.validation?.hr ?? NaN, ndcg: logs.validation?.ndcg ?? NaN };
      post({ type: 'epoch', point, seconds: logs.seconds });
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const users = IdMap.fromIds(Array.from({ length: data.numUsers }, (_, u) => u));
  const items = IdMap.fromIds(Array.from({ length: data.numItems }, (_, i) => i));
  const rec = Recommender.from({ model, users, items, seen: trainAll });
  return { rec, bestEpoch: history.bestEpoch === undefined ? null : history.bestEpoch + 1, seconds };
}

async function tryLoad(): Promise<Recommender<number, number> | undefined> {
  try {
    return (await loadModel(BUNDLE_URL)) as Recommender<number, number>;
  } catch (e) {
    if (isRecsysError(e, 'BUNDLE_NOT_FOUND')) return undefined;
    // A bundle from another library version, or damaged: say so and train a fresh one.
    post({ type: 'status', text: `Saved model unusable (${e instanceof Error ? e.message : String(e)}); training a new one…` });
    return undefined;
  }
}

async function start(retrain: boolean): Promise<void> {
  const backend = await pickBackend();
  post({
    type: 'setup',
    backend,
    engine: `fused (threads: ${THREADS}), in a Web Worker`,
    numUsers: data.numUsers,
    numItems: data.numItems,
    interactions: data.users.length,
    epochs: EPOCHS,
    batchesPerEpoch: BATCHES_PER_EPOCH,
  });
  recommender?.dispose();
  recommender = undefined;
  let loaded: Recommender<number, number> | undefined;
  if (!retrain) {
    post({ type: 'status', text: 'Looking for a saved model in IndexedDB…' });
    loaded = await tryLoad();
  }
  if (loaded) {
    recommender = loaded;
    post({ type: 'ready', source: 'indexeddb', metrics: testMetrics(loaded), bestEpoch: null, seconds: 0, saved: BUNDLE_URL });
    return;
  }
  currentEpoch = 0;
  const { rec, bestEpoch, seconds } = await trainFresh();
  recommender = rec;
  const metrics = testMetrics(rec);
  post({ type: 'status', text: 'Saving to IndexedDB…' });
  await saveModel(rec, BUNDLE_URL);
  post({ type: 'ready', source: 'trained', metrics, bestEpoch, seconds, saved: BUNDLE_URL });
}

function shown(user: number, item: number, score: number): ShownItem {
  return { item, score, liked: itemTraits[item] === likedTraits[userTraits[user]] };
}

function recommendFor(user: number): void {
  if (!recommender) return;
  const items = recommender.recommend(user, { k: K }).map((r) => shown(user, r.id, r.score));
  const seen = recommender.seenBy(user).map((item) => shown(user, item, 1));
  post({ type: 'recommendations', user, items, seen });
}

scope.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  try {
    if (message.type === 'start') {
      if (busy) return;
      busy = true;
      try {
        await start(message.retrain);
      } finally {
        busy = false;
      }
    } else if (message.type === 'recommend') {
      recommendFor(message.user);
    }
  } catch (e) {
    const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    console.error(e);
    post({ type: 'error', message: text });
  }
};
