#!/usr/bin/env node
// End-to-end test of the browser demo (examples/browser) in a real Chromium:
//   1. builds the demo with Vite (it resolves neural-recsys from src/, so this tests the current code);
//   2. serves examples/browser/dist on 127.0.0.1 with a tiny static server (COOP/COEP headers, so the
//      page is cross-origin isolated and the fused engine may share memory with its workers);
//   3. drives Debian's Chromium through playwright-core with a fresh profile: waits for training,
//      checks HR@10 beats popularity and that recommendations appear, reloads, and checks the model
//      comes back from IndexedDB (no retraining, identical top-10 and HR@10);
//   4. checks the page logged no error, saves screenshots under test-output/browser/ and prints
//      their paths;
//   5. opens wasm.html, a cross-origin isolated page on the tfjs wasm backend (the pairing that hangs
//      under Vite without avoidWasmThreadClash), and checks that it trains with the tfjs engine on
//      wasm and with the fused engine on two threads, and completes;
//   6. opens new-item.html, waits for its feature model (NeuMF + item genre) to train, adds two items
//      through the form (Recommender.addItem), and checks that each reaches some users' top 10 from
//      its genre (mostly users who like that genre), popularity's top 10 of none, that the selected
//      user's list shows the new item, and that adding an id twice is refused on the page;
//   7. runs `neural-recsys train --report` (the CLI, from source) on a synthetic CSV, opens the HTML
//      report from disk (file://, no server), checks that it requests nothing from the network and
//      that its loss and validation curves are drawn (SVG polylines of real size), and screenshots it.
// Exits non-zero on any failure, printing the page's console output. Always closes browser + server.
//
// Usage: node scripts/browser-test.mjs [--no-build] [--headed] [--timeout 240] [--only demo,wasm,newitem,report]
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const demoDir = join(root, 'examples', 'browser');
const distDir = join(demoDir, 'dist');
const outDir = join(root, 'test-output', 'browser');

const { values: flags } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    headed: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '240' },
    only: { type: 'string', default: 'demo,wasm,newitem,report' },
  },
});
const PARTS = new Set(flags.only.split(','));
for (const part of PARTS) if (!['demo', 'wasm', 'newitem', 'report'].includes(part)) fail(`--only takes demo, wasm, newitem and report, got ${part}`);
const trainTimeoutMs = Number(flags.timeout) * 1000;
if (!(trainTimeoutMs > 0)) fail(`--timeout must be a positive number of seconds, got ${flags.timeout}`);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync',
];

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.map': 'application/json', '.bin': 'application/octet-stream',
};

function fail(message) {
  console.error(`browser test FAILED: ${message}`);
  process.exit(1);
}

function log(message) {
  console.log(`[browser-test] ${message}`);
}

async function buildDemo() {
  const { build } = await import('vite');
  const started = performance.now();
  await build({ configFile: join(demoDir, 'vite.config.ts'), logLevel: 'warn' });
  log(`built the demo with Vite in ${((performance.now() - started) / 1000).toFixed(1)} s -> ${distDir}`);
}

/** Serves `dir` on 127.0.0.1 at a free port; never serves a path outside `dir`. */
async function serve(dir) {
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      let file = normalize(join(dir, path));
      if (file !== dir && !file.startsWith(dir + sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
        // Cross-origin isolation: makes SharedArrayBuffer available to the page and its workers.
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Cache-Control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok, ko) => {
    server.once('error', ko);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address();
  return { server, url: `http://127.0.0.1:${port}/` };
}

/** Reads what the demo exposes for tests (see examples/browser/README in examples/README.md). */
async function readState(page) {
  return page.evaluate(() => {
    const $ = (sel) => document.querySelector(sel);
    return {
      state: document.body.dataset.state,
      source: document.body.dataset.source,
      backend: $('#backend')?.textContent?.trim(),
      engine: $('#engine')?.textContent?.trim(),
      hr: Number($('#hr')?.dataset.value),
      ndcg: Number($('#ndcg')?.dataset.value),
      popularityHr: Number($('#pop-hr')?.dataset.value),
      user: $('#user')?.value,
      recommendations: [...document.querySelectorAll('#recs li')].map((li) => li.dataset.item),
      epochs: Number($('#epochs-done')?.dataset.value),
      error: $('#error')?.textContent?.trim() || undefined,
    };
  });
}

async function waitForState(page, states, timeoutMs, what) {
  const selector = states.map((s) => `body[data-state="${s}"]`).concat('body[data-state="error"]').join(', ');
  try {
    await page.waitForSelector(selector, { timeout: timeoutMs, state: 'attached' });
  } catch {
    const now = await readState(page).catch(() => ({}));
    throw new Error(`${what}: the page did not reach ${states.join(' or ')} within ${timeoutMs / 1000} s (state: ${JSON.stringify(now)})`);
  }
  const now = await readState(page);
  if (now.state === 'error') throw new Error(`${what}: the page reported an error: ${now.error}`);
  return now;
}

/** The demo: trains in a worker, beats popularity, personal top-10, restores from IndexedDB. */
async function demoTest(page, url, shots) {
  const started = performance.now();
  await page.goto(url);
  const first = await waitForState(page, ['trained'], trainTimeoutMs, 'first visit');
  const trainSeconds = (performance.now() - started) / 1000;
  log(`first visit: ${first.source} in ${trainSeconds.toFixed(1)} s on backend ${first.backend}, engine ${first.engine}`);
  log(`  HR@10 ${first.hr.toFixed(4)}, NDCG@10 ${first.ndcg.toFixed(4)}, popularity HR@10 ${first.popularityHr.toFixed(4)}`);
  log(`  user ${first.user}: top-10 [${first.recommendations.join(', ')}]`);
  if (first.source !== 'trained') throw new Error(`first visit: expected a freshly trained model, got source=${first.source}`);
  if (!(first.hr > first.popularityHr)) {
    throw new Error(`HR@10 ${first.hr} does not beat the popularity baseline ${first.popularityHr}`);
  }
  if (first.recommendations.length !== 10 || first.recommendations.some((r) => !r)) {
    throw new Error(`expected 10 recommendations, got [${first.recommendations.join(', ')}]`);
  }
  const trainedShot = join(outDir, 'demo-trained.png');
  await page.screenshot({ path: trainedShot, fullPage: true });

  // Picking another user must change the list (recommendations are personal).
  const otherUser = await page.evaluate(() => {
    const select = document.querySelector('#user');
    return [...select.options].find((o) => o.value !== select.value)?.value;
  });
  if (otherUser === undefined) throw new Error('the user picker offers a single user');
  await page.selectOption('#user', otherUser);
  await page.waitForFunction((u) => document.querySelector('#recs')?.dataset.user === u, otherUser, { timeout: 10_000 });
  const other = await readState(page);
  if (other.recommendations.length !== 10) throw new Error(`user ${otherUser}: expected 10 recommendations, got ${other.recommendations.length}`);
  if (other.recommendations.join() === first.recommendations.join()) {
    throw new Error(`users ${first.user} and ${otherUser} got the same top-10: recommendations are not personal`);
  }
  log(`  user ${otherUser}: top-10 [${other.recommendations.join(', ')}]`);

  await page.reload();
  const second = await waitForState(page, ['trained'], 60_000, 'after reload');
  if (second.source !== 'indexeddb') {
    throw new Error(`after reload: expected the model to come back from IndexedDB, got source=${second.source}`);
  }
  // After reload the page shows the default user again, so compare with the first visit's list.
  if (second.user !== first.user) throw new Error(`after reload: expected user ${first.user} selected, got ${second.user}`);
  if (second.recommendations.join() !== first.recommendations.join()) {
    throw new Error(`after reload: top-10 differs: [${second.recommendations.join(', ')}] vs [${first.recommendations.join(', ')}]`);
  }
  if (Math.abs(second.hr - first.hr) > 1e-9) throw new Error(`after reload: HR@10 ${second.hr} differs from ${first.hr}`);
  log(`after reload: loaded from IndexedDB (no retraining), identical top-10, HR@10 ${second.hr.toFixed(4)}`);
  const loadedShot = join(outDir, 'demo-loaded.png');
  await page.screenshot({ path: loadedShot, fullPage: true });

  shots.push(trainedShot, loadedShot);
}

/**
 * wasm.html: cross-origin isolated and on the tfjs wasm backend, with avoidWasmThreadClash applied
 * before the backend starts. It must train on both engines and finish.
 */
async function wasmTest(context, url, shots, consoleLines) {
  const page = await context.newPage();
  page.on('console', (msg) => consoleLines.push(`[${msg.type()}] [wasm.html] ${msg.text()}`));
  page.on('pageerror', (err) => consoleLines.push(`[pageerror] [wasm.html] ${err.message}`));
  const started = performance.now();
  await page.goto(`${url}wasm.html`);
  try {
    await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: trainTimeoutMs, state: 'attached' });
  } catch {
    throw new Error(`wasm.html did not finish within ${trainTimeoutMs / 1000} s: status "${await page.textContent('#status')}" (the isolated page hung on the wasm backend)`);
  }
  const state = await page.evaluate(() => ({
    state: document.body.dataset.state,
    isolated: document.querySelector('#isolated').textContent,
    applied: document.querySelector('#workaround').dataset.applied,
    workaround: document.querySelector('#workaround').textContent,
    backend: document.querySelector('#backend').textContent,
    error: document.querySelector('#error').textContent,
    rows: [...document.querySelectorAll('#results tr[data-hr]')].map((r) => ({ engine: r.dataset.engine, hr: Number(r.dataset.hr), ndcg: Number(r.dataset.ndcg) })),
  }));
  if (state.state !== 'done') throw new Error(`wasm.html reported an error: ${state.error}`);
  log(`wasm.html: done in ${((performance.now() - started) / 1000).toFixed(1)} s; isolated ${state.isolated}; backend ${state.backend}`);
  log(`  workaround: ${state.workaround}`);
  for (const row of state.rows) log(`  NeuMF on ${row.engine}: HR@10 ${row.hr.toFixed(4)}, NDCG@10 ${row.ndcg.toFixed(4)}`);
  if (state.isolated !== 'true') throw new Error('wasm.html is not cross-origin isolated: the test does not cover the clash');
  if (state.applied !== 'true') throw new Error(`avoidWasmThreadClash did not apply in an isolated page: ${state.workaround}`);
  if (!state.backend.startsWith('wasm')) throw new Error(`wasm.html ran on ${state.backend}, not wasm`);
  const engines = state.rows.map((r) => r.engine).join(' | ');
  if (!/^tfjs, 1 thread\(s\) \| fused, 2 thread\(s\)$/.test(engines)) throw new Error(`expected the tfjs engine, then the fused engine on 2 threads; got ${engines}`);
  if (!state.rows.every((r) => r.hr >= 0 && r.hr <= 1 && Number.isFinite(r.ndcg))) throw new Error(`bad metrics ${JSON.stringify(state.rows)}`);
  const shot = join(outDir, 'wasm-isolated.png');
  await page.screenshot({ path: shot, fullPage: true });
  shots.push(shot);
  await page.close();
}

/** Reads new-item.html's rows of added items, its selected user's top 10 and the add message. */
async function readNewItemState(page) {
  return page.evaluate(() => ({
    state: document.body.dataset.state,
    newItemUsers: document.body.dataset.newItemUsers,
    backend: document.querySelector('#backend').textContent,
    engine: document.querySelector('#engine').textContent,
    epochs: Number(document.querySelector('#epochs-done').dataset.value),
    added: [...document.querySelectorAll('#added tr[data-item]')].map((tr) => ({
      item: tr.dataset.item,
      genre: tr.dataset.genre,
      row: Number(tr.dataset.row),
      users: Number(tr.dataset.users),
      likers: Number(tr.dataset.likers),
      popUsers: Number(tr.dataset.popUsers),
      totalUsers: Number(tr.dataset.totalUsers),
    })),
    user: document.querySelector('#recs').dataset.user,
    recs: [...document.querySelectorAll('#recs li')].map((li) => ({ item: li.dataset.item, isNew: li.dataset.new === 'true' })),
    rank: Number(document.querySelector('#new-rank').dataset.value),
    addError: document.querySelector('#add-message').dataset.error,
    addMessage: document.querySelector('#add-message').textContent,
    error: document.querySelector('#error').textContent,
  }));
}

/** Adds an item through new-item.html's form and waits until the page is ready again. */
async function addThroughForm(page, id, genre) {
  await page.fill('#new-id', id);
  await page.selectOption('#new-genre', genre);
  await page.click('#add');
  await page.waitForFunction(
    (item) => document.body.dataset.state === 'error' || (document.body.dataset.state === 'ready' && (document.querySelector(`#added tr[data-item="${item}"]`) || document.querySelector('#add-message[data-error]'))),
    id,
    { timeout: 60_000 },
  );
  const now = await readNewItemState(page);
  if (now.state === 'error') throw new Error(`new-item.html: adding ${id} failed: ${now.error}`);
  return now;
}

/**
 * new-item.html: a NeuMF with the item feature genre trains in the page; items added after training
 * (no interactions) must reach users' top 10 from their genre alone, and popularity's top 10 never.
 */
async function newItemTest(context, url, shots, consoleLines) {
  const page = await context.newPage();
  page.on('console', (msg) => consoleLines.push(`[${msg.type()}] [new-item.html] ${msg.text()}`));
  page.on('pageerror', (err) => consoleLines.push(`[pageerror] [new-item.html] ${err.message}`));
  const started = performance.now();
  await page.goto(`${url}new-item.html`);
  try {
    await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: trainTimeoutMs, state: 'attached' });
  } catch {
    throw new Error(`new-item.html did not finish training within ${trainTimeoutMs / 1000} s: status "${await page.textContent('#status')}"`);
  }
  const trained = await readNewItemState(page);
  if (trained.state !== 'ready') throw new Error(`new-item.html reported an error: ${trained.error}`);
  log(`new-item.html: trained ${trained.epochs} epochs in ${((performance.now() - started) / 1000).toFixed(1)} s on backend ${trained.backend}; engine: ${trained.engine}`);
  if (!(trained.epochs > 0) || !trained.engine || trained.engine === '–') throw new Error(`new-item.html: ready without a training history (${trained.epochs} epochs, engine ${trained.engine})`);
  if (trained.recs.length !== 10 || trained.recs.some((r) => r.isNew)) throw new Error(`before any add, expected 10 known items, got ${JSON.stringify(trained.recs)}`);

  for (const [id, genre] of [['Midnight Harvest', 'Horror'], ['Second Helping', 'Comedy']]) {
    const now = await addThroughForm(page, id, genre);
    const row = now.added.find((r) => r.item === id);
    if (!row) throw new Error(`new-item.html: ${id} was not added: ${now.addError ?? ''} ${now.addMessage}`);
    log(`  added ${id} (${genre}, model row ${row.row}): top 10 of ${row.users} of ${row.totalUsers} users (${row.likers} like ${genre}); popularity: ${row.popUsers}; rank ${now.rank} for ${now.user}`);
    if (row.row === 0) throw new Error(`${id}: the model did not know the genre ${genre} (encoded as the unknown row 0)`);
    if (!(row.users >= 1)) throw new Error(`${id} reached no user's top 10`);
    if (Number(now.newItemUsers) !== row.users) throw new Error(`body[data-new-item-users] ${now.newItemUsers} differs from the row's ${row.users}`);
    // the genre is all the model knows of the item: those who get it should mostly like the genre
    if (!(row.likers >= 0.8 * row.users)) throw new Error(`${id}: only ${row.likers} of the ${row.users} users who got it like ${genre}`);
    if (row.popUsers !== 0) throw new Error(`${id}: popularity put an item without interactions in ${row.popUsers} top-10s`);
    const shown = now.recs.find((r) => r.item === id);
    if (!shown?.isNew || !(now.rank >= 1 && now.rank <= 10)) throw new Error(`${id}: the selected user ${now.user} does not show it in the top 10 (rank ${now.rank}): ${JSON.stringify(now.recs)}`);
  }
  const shot = join(outDir, 'new-item.png');
  await page.screenshot({ path: shot, fullPage: true });

  const again = await addThroughForm(page, 'Midnight Harvest', 'Drama');
  if (again.addError !== 'INVALID_ARGUMENT' || again.added.length !== 2) {
    throw new Error(`adding an id twice: expected INVALID_ARGUMENT and 2 rows, got ${again.addError} and ${again.added.length} rows (${again.addMessage})`);
  }
  log(`  adding an id twice is refused: ${again.addMessage}`);
  shots.push(shot);
  await page.close();
}

/**
 * The CLI's HTML report: trains from a synthetic CSV with `neural-recsys train --report`, opens the
 * file from disk, and checks that nothing is fetched and that the curves are drawn.
 */
async function reportTest(context, shots) {
  const work = await mkdtemp(join(tmpdir(), 'neural-recsys-report-'));
  try {
    const csv = join(work, 'events.csv');
    const report = join(outDir, 'cli-report.html');
    const epochs = 8;
    const npx = (args) => execFileSync('npx', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    npx(['tsx', 'test/helpers/synthetic-csv.ts', csv]);
    const started = performance.now();
    npx(['tsx', 'src/cli/main.ts', 'train', csv, '--user', 'visitor', '--item', 'product', '--time', 'ts', '--epochs', String(epochs), '--report', report]);
    log(`report: neural-recsys train (${epochs} epochs) wrote ${report} in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const page = await context.newPage();
    const fetched = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) fetched.push(request.url());
    });
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
    const charts = await page.evaluate(() =>
      [...document.querySelectorAll('svg.chart polyline')].map((line) => {
        const box = line.getBoundingClientRect();
        return { series: line.dataset.series, points: line.points.numberOfItems, width: box.width, height: box.height };
      }),
    );
    const metricRows = await page.$$eval('table.metrics tr', (rows) => rows.length);
    const recommendationRows = await page.$$eval('table.recommendations tr', (rows) => rows.length);
    if (fetched.length > 0) throw new Error(`the report fetched ${fetched.join(', ')}: it must be self-contained`);
    if (errors.length > 0) throw new Error(`the report raised ${errors.join(' | ')}`);
    const loss = charts.find((c) => c.series === 'loss');
    const validation = charts.filter((c) => c.series.startsWith('validation'));
    if (!loss || validation.length === 0) throw new Error(`expected a loss curve and validation curves, got ${JSON.stringify(charts)}`);
    for (const curve of [loss, ...validation]) {
      // a curve over 8 epochs spans the plot's width; one that lies flat or collapsed is a broken chart
      if (curve.points !== epochs || curve.width < 300 || curve.height < 20) throw new Error(`curve ${curve.series} is not drawn: ${JSON.stringify(curve)}`);
    }
    if (metricRows < 6) throw new Error(`expected two metric tables (header + model + popularity each), got ${metricRows} rows`);
    if (recommendationRows < 2) throw new Error('the report shows no sample recommendations');
    const shot = join(outDir, 'cli-report.png');
    await page.screenshot({ path: shot, fullPage: true });
    log(`report: ${charts.length} curves (${charts.map((c) => `${c.series} ${Math.round(c.width)}x${Math.round(c.height)} px`).join(', ')}), ${metricRows} metric rows, nothing fetched`);
    shots.push(shot);
    await page.close();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function main() {
  if (!flags['no-build']) await buildDemo();
  if (!(await stat(join(distDir, 'index.html')).catch(() => null))) {
    fail(`${join(distDir, 'index.html')} does not exist: build the demo first (drop --no-build)`);
  }
  if (!(await stat(CHROMIUM).catch(() => null))) {
    fail(`Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  }
  await mkdir(outDir, { recursive: true });

  const { chromium } = await import('playwright-core');
  const { server, url } = await serve(distDir);
  const profile = await mkdtemp(join(tmpdir(), 'neural-recsys-browser-'));
  const consoleLines = [];
  const shots = [];
  let context;
  let ok = false;
  try {
    log(`serving ${distDir} at ${url}`);
    // A persistent context over a fresh profile: IndexedDB survives the reload, nothing leaks in.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: !flags.headed,
      args: CHROMIUM_ARGS,
      viewport: { width: 1200, height: 900 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (msg) => consoleLines.push(`[${msg.type()}] ${msg.text()}`));
    page.on('pageerror', (err) => consoleLines.push(`[pageerror] ${err.message}`));

    if (PARTS.has('demo')) await demoTest(page, url, shots);
    if (PARTS.has('wasm')) await wasmTest(context, url, shots, consoleLines);
    if (PARTS.has('newitem')) await newItemTest(context, url, shots, consoleLines);
    if (PARTS.has('report')) await reportTest(context, shots);

    const errors = consoleLines.filter((line) => line.startsWith('[error]') || line.startsWith('[pageerror]'));
    if (errors.length > 0) throw new Error(`the page logged ${errors.length} error(s): ${errors.join(' | ')}`);

    log(`screenshots: ${shots.join('\n             ')}`);
    ok = true;
  } catch (err) {
    console.error(`browser test FAILED: ${err instanceof Error ? err.message : String(err)}`);
    console.error(`--- page console (${consoleLines.length} lines) ---`);
    for (const line of consoleLines.slice(-200)) console.error(line);
    if (context) {
      const shot = join(outDir, 'demo-failure.png');
      const page = context.pages()[0];
      if (page && (await page.screenshot({ path: shot, fullPage: true }).then(() => true, () => false))) {
        console.error(`failure screenshot: ${shot}`);
      }
    }
  } finally {
    await context?.close().catch(() => {});
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await rm(profile, { recursive: true, force: true }).catch(() => {});
  }
  if (!ok) process.exit(1);
  log('passed');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
