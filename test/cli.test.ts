// The command line end to end, as a user runs it: a CSV in, a bundle and an HTML report out;
// recommend, similar and evaluate on that bundle, as tables and as JSON. Each command runs in its own
// process (tsx on src/cli/main.ts), so exit codes, stdout and stderr are what a terminal would see.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticCsv } from './helpers/synthetic-csv.js';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/cli/main.ts', ...args], { cwd: root, env: { ...process.env, CI: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function ok(run: Run): Run {
  expect(run.code, `${run.stdout}\n${run.stderr}`.slice(-4000)).toBe(0);
  return run;
}

describe('neural-recsys command line', { timeout: 180_000 }, () => {
  let dir: string;
  let csv: string;
  let bundle: string;
  let report: string;
  let trained: Run;
  const epochs = 6;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neural-recsys-cli-'));
    csv = join(dir, 'events.csv');
    bundle = join(dir, 'bundle');
    report = join(dir, 'run.html');
    writeFileSync(csv, syntheticCsv({ seed: 42 }));
    trained = await cli(['train', csv, '--user', 'visitor', '--item', 'product', '--time', 'ts', '--epochs', String(epochs), '--out', bundle, '--report', report, '--json']);
  }, 180_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('train reads the CSV, beats popularity on the held-out test split, saves a bundle and a report', () => {
    ok(trained);
    const summary = JSON.parse(trained.stdout);
    expect(summary.data).toMatchObject({ users: 300, items: 200 });
    expect(summary.split.test).toBe(300);
    expect(summary.split.validation).toBe(300);
    expect(summary.training.epochs).toHaveLength(epochs);
    const [sampled, full] = summary.metrics;
    expect(sampled.protocol).toMatch(/sampled \(99 negatives\)/);
    const [model, popularity] = sampled.rows;
    expect(model.name).toBe('NeuMF');
    expect(popularity.name).toBe('popularity');
    expect(model['HR@10']).toBeGreaterThan(popularity['HR@10'] + 0.1);
    expect(full.rows[0]['HR@10']).toBeGreaterThan(full.rows[1]['HR@10']);
    expect(existsSync(join(bundle, 'recsys.json'))).toBe(true);
    // progress goes to stderr, one line per epoch when stderr is not a terminal
    expect(trained.stderr.match(/^epoch +\d+\/6 +loss \d\.\d{4}/gm)).toHaveLength(epochs);
  });

  it('the report is one self-contained HTML file with the curves, the metrics and recommendations', () => {
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import|url\(/i);
    const polylines = [...html.matchAll(/<polyline data-series="([^"]+)" points="([^"]*)"/g)];
    expect(polylines.map((m) => m[1])).toEqual(['loss', 'validation hr', 'validation ndcg', 'validation mrr']);
    for (const [, , points] of polylines) expect(points.split(' ')).toHaveLength(epochs);
    expect(html).toMatch(/<td>NeuMF<\/td>/);
    expect(html).toMatch(/<td>popularity<\/td>/);
    expect(html.match(/<tr><td>v\d+<\/td>/g)?.length).toBe(5);
  });

  it('recommend prints a table, and JSON with --json; an unknown user gets popular items', async () => {
    const table = ok(await cli(['recommend', bundle, 'v0', '--k', '3']));
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^user +rank +item +score +source$/);
    expect(lines.slice(1)).toHaveLength(3);
    expect(lines[1]).toMatch(/^v0 +1 +p\d+ +0\.\d{4} +model$/);
    const json = JSON.parse(ok(await cli(['recommend', bundle, 'v0', 'v1', 'stranger', '--k', '5', '--json'])).stdout);
    expect(json.map((r: { user: string }) => r.user)).toEqual(['v0', 'v1', 'stranger']);
    expect(json[0].items).toHaveLength(5);
    expect(json[0].items[0].source).toBe('model');
    expect(json[2].items[0].source).toBe('popularity');
    // seen items are left out: none of v0's training rows comes back
    const seen = new Set(readFileSync(csv, 'utf8').split('\n').filter((l) => l.startsWith('v0,')).map((l) => l.split(',')[1]));
    for (const item of json[0].items) expect(seen.has(item.id)).toBe(false);
  });

  it('similar prints neighbours by cosine similarity, most similar first', async () => {
    const json = JSON.parse(ok(await cli(['similar', bundle, 'p0', 'p1', '--k', '4', '--json'])).stdout);
    expect(json).toHaveLength(2);
    const scores = json[0].similar.map((s: { score: number }) => s.score);
    expect(scores).toHaveLength(4);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(json[0].similar.map((s: { id: string }) => s.id)).not.toContain('p0');
  });

  it('evaluate ranks a test CSV with the bundle, counting rows it cannot score', async () => {
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    const test = join(dir, 'test.csv');
    writeFileSync(test, ['visitor,product', ...rows.slice(1, 41).map((l) => l.split(',').slice(0, 2).join(',')), 'nobody,p1', 'v1,unknown-product'].join('\n'));
    const json = JSON.parse(ok(await cli(['evaluate', bundle, test, '--user', 'visitor', '--item', 'product', '--json'])).stdout);
    expect(json.test.rows).toBe(40);
    expect(json.test.skipped).toBe(2);
    expect(json.metrics.map((m: { protocol: string }) => m.protocol)).toEqual(['sampled (99 negatives)', 'full ranking (200 items)']);
    for (const m of json.metrics) expect(m.model['HR@10']).toBeGreaterThanOrEqual(0);
    const text = ok(await cli(['evaluate', bundle, test, '--user', 'visitor', '--item', 'product']));
    expect(text.stdout).toMatch(/40 interactions; 2 rows skipped \(user or item unknown to the bundle\)/);
    expect(text.stdout).toMatch(/^popularity +\d\.\d{4}/m);
  });

  it('a bad command line exits 2 with a message naming the problem and no stack trace', async () => {
    const missingColumn = await cli(['train', csv, '--epochs', '1']);
    expect(missingColumn.code).toBe(2);
    expect(missingColumn.stderr).toMatch(/neural-recsys train: INVALID_ARGUMENT: .*no column "user" for user: the header has "visitor", "product", "ts"/);
    expect(missingColumn.stderr).not.toMatch(/\n\s+at /);
    const badNumber = await cli(['train', csv, '--epochs', 'ten']);
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toMatch(/--epochs must be an integer >= 1, got "ten"/);
    const badWeighting = await cli(['train', csv, '--user', 'visitor', '--item', 'product', '--weighting', 'often']);
    expect(badWeighting.code).toBe(2);
    expect(badWeighting.stderr).toMatch(/--weighting .*"often"/);
    const noBundle = await cli(['recommend', join(dir, 'nope'), 'v0']);
    expect(noBundle.code).toBe(2);
    expect(noBundle.stderr).toMatch(/BUNDLE_NOT_FOUND/);
  });
});
